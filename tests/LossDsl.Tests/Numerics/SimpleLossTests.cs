using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("bce + iou")]
public sealed partial class SimpleLoss;

[Loss("bce + iou", Classes = 3)]
public sealed partial class MultilabelLoss;

[Loss("0.5 * dice + 2 * iou - bce / 4")]
public sealed partial class WeightedLoss;

/// <summary>The generated <c>bce + iou</c> module against LOSSES.md's formulas computed by hand (<see cref="ReferenceFormulas"/>).</summary>
public sealed class SimpleLossTests
{
    private static readonly long[] Shape = { 2, 1, 3, 4 };

    [Theory]
    [InlineData(ScalarType.Float64, Tolerance.Float64)]
    [InlineData(ScalarType.Float32, Tolerance.Float32)]
    public void Value_and_gradient_match_the_formulas(ScalarType dtype, double tolerance)
    {
        var (x, t) = FixedInputs.Binary(2, 1, 3, 4);
        var (bce, bceGrad) = ReferenceFormulas.BceWithLogits(x, t);
        var (iou, iouGrad) = ReferenceFormulas.IouWithLogits(x, t, batch: 2, channels: 1);

        using var pred = FixedInputs.ToTensor(x, Shape, dtype, requiresGrad: true);
        using var target = FixedInputs.ToTensor(t, Shape, dtype);
        using var loss = new SimpleLoss();
        using var total = loss.call(pred, target);
        total.backward();

        Assert.Equal(dtype, total.dtype);
        Assert.Empty(total.shape);
        Tolerance.Close(bce + iou, total.ToDouble(), tolerance, "bce + iou");
        Tolerance.Gradient(bceGrad.Zip(iouGrad, (a, b) => a + b).ToArray(), FixedInputs.ToArray(pred.grad!), dtype, "d(bce + iou)/dx");
    }

    [Fact]
    public void Terms_are_named_as_written_and_sum_to_the_total()
    {
        var (x, t) = FixedInputs.Binary(2, 1, 3, 4);
        using var pred = FixedInputs.ToTensor(x, Shape, ScalarType.Float64);
        using var target = FixedInputs.ToTensor(t, Shape, ScalarType.Float64);
        using var terms = new SimpleLoss().Terms(pred, target);

        Assert.Equal(new[] { "bce", "iou" }, terms.Keys);
        Assert.Equal(new[] { "bce", "iou" }, SimpleLoss.TermNames);
        Tolerance.Close(ReferenceFormulas.BceWithLogits(x, t).Value, terms["bce"].ToDouble(), Tolerance.Float64, "bce");
        Tolerance.Close(ReferenceFormulas.IouWithLogits(x, t, 2, 1).Value, terms["iou"].ToDouble(), Tolerance.Float64, "iou");
        Tolerance.Close(terms["bce"].ToDouble() + terms["iou"].ToDouble(), terms.Total.ToDouble(), Tolerance.Float64, "total");

        // The generated TermValues has a property per term, the same tensors as by name.
        Assert.Same(terms["bce"], terms.Bce);
        Assert.Same(terms["iou"], terms.Iou);
    }

    [Fact]
    public void Multilabel_iou_averages_per_channel_losses()
    {
        long[] shape = { 2, 3, 2, 2 };
        var (x, t) = FixedInputs.Binary(2, 3, 2, 2);
        using var pred = FixedInputs.ToTensor(x, shape, ScalarType.Float64, requiresGrad: true);
        using var target = FixedInputs.ToTensor(t, shape, ScalarType.Float64);
        using var total = new MultilabelLoss().call(pred, target);
        total.backward();

        var (bce, bceGrad) = ReferenceFormulas.BceWithLogits(x, t);
        var (iou, iouGrad) = ReferenceFormulas.IouWithLogits(x, t, batch: 2, channels: 3);
        Tolerance.Close(bce + iou, total.ToDouble(), Tolerance.Float64, "bce + iou, C = 3");
        Tolerance.Gradient(bceGrad.Zip(iouGrad, (a, b) => a + b).ToArray(), FixedInputs.ToArray(pred.grad!), ScalarType.Float64, "gradient, C = 3");
    }

    [Fact]
    public void Constants_and_operators_combine_terms()
    {
        var (x, t) = FixedInputs.Binary(2, 1, 3, 4);
        using var pred = FixedInputs.ToTensor(x, Shape, ScalarType.Float64, requiresGrad: true);
        using var target = FixedInputs.ToTensor(t, Shape, ScalarType.Float64);
        using var total = new WeightedLoss().call(pred, target);
        total.backward();

        var (bce, bceGrad) = ReferenceFormulas.BceWithLogits(x, t);
        var (iou, iouGrad) = ReferenceFormulas.IouWithLogits(x, t, 2, 1);
        var (dice, diceGrad) = ReferenceFormulas.DiceWithLogits(x, t, 2, 1);
        Tolerance.Close((0.5 * dice) + (2 * iou) - (bce / 4), total.ToDouble(), Tolerance.Float64, "0.5 * dice + 2 * iou - bce / 4");
        var expectedGradient = diceGrad.Select((d, i) => (0.5 * d) + (2 * iouGrad[i]) - (bceGrad[i] / 4)).ToArray();
        Tolerance.Gradient(expectedGradient, FixedInputs.ToArray(pred.grad!), ScalarType.Float64, "gradient");
    }

    [Fact]
    public void Extreme_logits_give_finite_values_and_gradients()
    {
        using var pred = tensor(new float[] { -1e4f, 1e4f, -1e4f, 1e4f }).reshape(1, 1, 2, 2).requires_grad_(true);
        using var target = tensor(new float[] { 1, 0, 0, 1 }).reshape(1, 1, 2, 2);
        using var total = new SimpleLoss().call(pred, target);
        total.backward();

        // Two elements are confidently wrong by 1e4: bce = (1e4 + 1e4) / 4 exactly in log-sigmoid form.
        Assert.Equal(5000.0, ReferenceFormulas.BceWithLogits(new[] { -1e4, 1e4, -1e4, 1e4 }, new double[] { 1, 0, 0, 1 }).Value, 6);
        Assert.True(float.IsFinite(total.ToSingle()), $"loss {total.ToSingle()}");
        Assert.True(pred.grad!.isfinite().all().ToBoolean(), "gradient must be finite");
        Tolerance.Close(5000.0 + (1 - (1 + 1.0) / (2 + 2 - 1 + 1.0)), total.ToDouble(), Tolerance.Float32, "bce + iou at ±1e4");
    }

    [Fact]
    public void Mismatched_target_shape_names_the_loss_and_both_shapes()
    {
        using var pred = zeros(2, 1, 4, 4);
        using var target = zeros(2, 1, 4, 5);
        var error = Assert.Throws<ArgumentException>(() => new SimpleLoss().call(pred, target));
        Assert.StartsWith("SimpleLoss: target mask must have pred's shape [2, 1, 4, 4], got [2, 1, 4, 5].", error.Message);
    }
}
