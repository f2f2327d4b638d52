using LossDsl.Tests.Infrastructure;
using static LossDsl.Tests.Numerics.StructureReferences;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("active_contour")]
public sealed partial class ActiveContourLoss;

[Loss("active_contour(weight: 2)", Input = LossInput.Probabilities, Classes = 2)]
public sealed partial class ProbabilityActiveContourLoss;

/// <summary>Active contour against LOSSES.md's crops written as index loops (<see cref="StructureReferences.ActiveContour"/>).</summary>
public sealed class ActiveContourTests
{
    [Theory]
    [InlineData(ScalarType.Float64, Tolerance.Float64)]
    [InlineData(ScalarType.Float32, Tolerance.Float32)]
    public void Value_and_gradient_match_the_crops(ScalarType dtype, double tolerance)
    {
        var (x, t) = FixedInputs.Binary(2, 1, 5, 6);
        double Reference(double[] logits) => ActiveContour(new Images(LossRun.Sigmoid(logits), 2, 1, 5, 6), new Images(t, 2, 1, 5, 6), 10);

        using var loss = new ActiveContourLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, t, new long[] { 2, 1, 5, 6 }, dtype);

        Tolerance.Close(Reference(x), value, tolerance, "active_contour");
        Tolerance.CloseToLargest(NumericGradient(Reference, x), gradient, Math.Max(tolerance, 1e-7), "d active_contour / dx");
    }

    [Fact]
    public void Weight_scales_the_length_on_probabilities()
    {
        var (x, t) = FixedInputs.Binary(2, 2, 4, 3);
        var p = LossRun.Sigmoid(x);
        double Reference(double[] probabilities) => ActiveContour(new Images(probabilities, 2, 2, 4, 3), new Images(t, 2, 2, 4, 3), 2);

        using var loss = new ProbabilityActiveContourLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, p, t, new long[] { 2, 2, 4, 3 });

        Tolerance.Close(Reference(p), value, Tolerance.Float64, "active_contour(weight: 2)");
        Tolerance.CloseToLargest(NumericGradient(Reference, p), gradient, 1e-7, "d active_contour / dp");
    }

    [Fact]
    public void A_flat_prediction_has_finite_gradients()
    {
        // Δr = Δc = 0 everywhere: the 1e-8 inside the square root keeps the length differentiable.
        using var loss = new ProbabilityActiveContourLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, Enumerable.Repeat(0.5, 48).ToArray(), new double[48], new long[] { 2, 2, 4, 3 });

        Tolerance.Close(2 * 1e-4 + 0.5, value, Tolerance.Float64, "2·sqrt(1e-8) + mean(0.5·1) + 0");
        Assert.All(gradient, g => Assert.True(double.IsFinite(g)));
    }

    [Theory]
    [InlineData(new long[] { 1, 1, 2, 5 }, "ActiveContourLoss: active_contour needs H and W of at least 3, got pred [1, 1, 2, 5].")]
    [InlineData(new long[] { 1, 1, 5 }, "ActiveContourLoss: pred must have 4 dims, [N, C, *, *] (2 spatial, as declared), got [1, 1, 5].")]
    public void Inputs_it_cannot_crop_are_rejected_naming_the_loss(long[] shape, string message)
    {
        using var pred = zeros(shape);
        using var loss = new ActiveContourLoss();

        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, pred));
        Assert.StartsWith(message, error.Message);
    }
}
