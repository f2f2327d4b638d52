using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using static LossDsl.Tests.Numerics.StructureReferences;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("lovasz_hinge")]
public sealed partial class LovaszHingeLoss;

[Loss("lovasz_hinge(per_image: false)")]
public sealed partial class BatchLovaszHingeLoss;

/// <summary>
/// Lovász hinge against Berman et al.'s definition written as a set function (<see cref="StructureReferences.LovaszHinge"/>),
/// gradients against the hand-derived ones and against central differences.
/// </summary>
public sealed class LovaszHingeTests
{
    private static readonly long[] Shape = { 3, 1, 4, 5 };

    [Theory]
    [InlineData(true, ScalarType.Float64, Tolerance.Float64)]
    [InlineData(true, ScalarType.Float32, Tolerance.Float32)]
    [InlineData(false, ScalarType.Float64, Tolerance.Float64)]
    [InlineData(false, ScalarType.Float32, Tolerance.Float32)]
    public void Value_and_gradient_match_the_definition(bool perImage, ScalarType dtype, double tolerance)
    {
        var (x, t) = FixedInputs.Binary(3, 1, 4, 5);
        var (expected, expectedGradient) = LovaszHinge(x, t, 3, perImage);

        using nn.Module<Tensor, Tensor, Tensor> loss = perImage ? new LovaszHingeLoss() : new BatchLovaszHingeLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, t, Shape, dtype);

        Tolerance.Close(expected, value, tolerance, $"lovasz_hinge(per_image: {perImage})");
        Tolerance.Gradient(expectedGradient, gradient, dtype, "d lovasz_hinge / dx");
        Tolerance.CloseToLargest(NumericGradient(logits => LovaszHinge(logits, t, 3, perImage).Value, x), expectedGradient, 1e-7, "hand-derived vs central differences");
    }

    [Fact]
    public void Empty_and_full_masks_are_well_defined()
    {
        // One image with no foreground, one all foreground, one mixed.
        var (x, t) = FixedInputs.Binary(3, 1, 4, 5);
        var mask = t.Select((v, i) => i < 20 ? 0 : i < 40 ? 1 : v).ToArray();
        var (expected, expectedGradient) = LovaszHinge(x, mask, 3, perImage: true);

        using var loss = new LovaszHingeLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, mask, Shape);

        // With no foreground every prefix's Jaccard loss is 1: the first-ranked error has weight 1, the rest 0.
        var emptyImageLoss = Math.Max(x.Take(20).Max(v => 1 + v), 0);
        Assert.Equal(emptyImageLoss, LovaszHinge(x.Take(20).ToArray(), new double[20], 1, perImage: true).Value, 12);
        Tolerance.Close(expected, value, Tolerance.Float64, "empty, full and mixed masks");
        Tolerance.Gradient(expectedGradient, gradient, ScalarType.Float64, "gradient");
    }

    [Fact]
    public void A_single_pixel_is_its_hinge_error()
    {
        using var loss = new LovaszHingeLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, new[] { 0.3 }, new[] { 1.0 }, new long[] { 1, 1, 1, 1 });

        Tolerance.Close(0.7, value, Tolerance.Float64, "1 − 0.3");
        Tolerance.Gradient(new[] { -1.0 }, gradient, ScalarType.Float64, "gradient");
    }

    [Fact]
    public void Extreme_logits_give_finite_values_and_gradients()
    {
        double[] x = { -1e4, 1e4, -1e4, 1e4 };
        double[] t = { 1, 0, 0, 1 };
        using var loss = new LovaszHingeLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, t, new long[] { 1, 1, 2, 2 }, ScalarType.Float32);

        Tolerance.Close(LovaszHinge(x, t, 1, perImage: true).Value, value, Tolerance.Float32, "±1e4");
        Assert.All(gradient, g => Assert.True(double.IsFinite(g)));
    }

    [Fact]
    public void More_than_one_channel_is_rejected_by_the_kernel()
    {
        // The binder rejects a static C > 1; the kernel checks what the signature cannot fix.
        using var pred = zeros(2, 3, 4, 4);
        var error = Assert.Throws<ArgumentException>(() => StructureLosses.LovaszHinge("L", pred, pred, null, perImage: true));
        Assert.StartsWith("L: lovasz_hinge needs a single-channel mask (C = 1), got pred [2, 3, 4, 4].", error.Message);
    }
}
