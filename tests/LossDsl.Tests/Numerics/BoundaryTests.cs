using LossDsl.Tests.Infrastructure;
using static LossDsl.Tests.Numerics.StructureReferences;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("boundary")]
public sealed partial class BoundaryLoss;

[Loss("boundary(5, 3)", Classes = 2)]
public sealed partial class MultilabelBoundaryLoss;

/// <summary>Boundary F1 against neighbourhood-maximum loops (<see cref="StructureReferences.Boundary"/>), gradients against central differences.</summary>
public sealed class BoundaryTests
{
    [Theory]
    [InlineData(ScalarType.Float64, Tolerance.Float64)]
    [InlineData(ScalarType.Float32, Tolerance.Float32)]
    public void Mask_channels_count_as_two_classes(ScalarType dtype, double tolerance)
    {
        var (x, t) = FixedInputs.Binary(2, 1, 6, 7);
        double Reference(double[] logits) => Boundary(new Images(LossRun.Sigmoid(logits), 2, 1, 6, 7), new Images(t, 2, 1, 6, 7), 3, 5, complement: true);

        using var loss = new BoundaryLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, t, new long[] { 2, 1, 6, 7 }, dtype);

        Tolerance.Close(Reference(x), value, tolerance, "boundary");
        Tolerance.CloseToLargest(NumericGradient(Reference, x), gradient, Math.Max(tolerance, 1e-7), "d boundary / dx");
    }

    [Fact]
    public void Multilabel_masks_with_other_windows()
    {
        var (x, t) = FixedInputs.Binary(2, 2, 7, 6);
        double Reference(double[] logits) => Boundary(new Images(LossRun.Sigmoid(logits), 2, 2, 7, 6), new Images(t, 2, 2, 7, 6), 5, 3, complement: true);

        using var loss = new MultilabelBoundaryLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, t, new long[] { 2, 2, 7, 6 });

        Tolerance.Close(Reference(x), value, Tolerance.Float64, "boundary(5, 3), C = 2");
        Tolerance.CloseToLargest(NumericGradient(Reference, x), gradient, 1e-7, "d boundary / dx");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_use_the_softmax_and_one_hot_channels(bool probabilities)
    {
        const int N = 2, C = 3, H = 6, W = 5;
        var (x, _) = FixedInputs.Binary(N, C, H, W);
        var labels = FixedLabels.Create(N * H * W, C);
        var t = new Images(OneHot(labels, N, C), N, C, H, W);
        var input = probabilities ? Softmax(x, N, C, H * W) : x;
        double Reference(double[] pred) => Boundary(new Images(probabilities ? pred : Softmax(pred, N, C, H * W), N, C, H, W), t, 3, 5, complement: false);

        using var loss = LossCompiler.Compile("boundary", new LossOptions
        {
            Target = LossTarget.Labels, Classes = C, Input = probabilities ? LossInput.Probabilities : LossInput.Logits,
        });
        var (value, gradient) = LossRun.ValueAndGradient(loss, input, FixedLabels.AsDoubles(labels), new long[] { N, C, H, W }, targetShape: new long[] { N, H, W }, targetDtype: ScalarType.Int64);

        Tolerance.Close(Reference(input), value, Tolerance.Float64, "boundary on labels");
        Tolerance.CloseToLargest(NumericGradient(Reference, input), gradient, 1e-7, "d boundary / d pred");
    }

    [Fact]
    public void A_target_without_boundaries_gives_the_maximal_loss_and_finite_gradients()
    {
        // An empty mask has no boundary pixels: R = 0, so BF1 = 0 and the loss is 1 for both classes.
        var (x, _) = FixedInputs.Binary(1, 1, 5, 5);
        using var loss = new BoundaryLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, new double[25], new long[] { 1, 1, 5, 5 });

        Tolerance.Close(1.0, value, Tolerance.Float64, "no boundary in the target");
        Assert.All(gradient, g => Assert.True(double.IsFinite(g)));
    }

    [Fact]
    public void Pred_without_two_spatial_dims_is_rejected_naming_the_loss()
    {
        using var pred = zeros(new long[] { 2, 1, 4, 4, 4 });
        using var loss = new BoundaryLoss();

        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, pred));
        Assert.StartsWith("BoundaryLoss: pred must have 4 dims, [N, C, *, *] (2 spatial, as declared), got [2, 1, 4, 4, 4].", error.Message);
    }
}
