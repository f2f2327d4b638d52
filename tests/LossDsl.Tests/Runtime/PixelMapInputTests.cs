using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

[Loss("bce + dice", PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel)]
public sealed partial class WeightedMaskedBinaryLoss;

/// <summary>
/// Losses that declare a pixel weight map or a valid mask: called with exactly what they declare, the maps checked like
/// the target (shape, device, values), no gradient into them, and the generated <c>call</c> taking them in order.
/// </summary>
public sealed class PixelMapInputTests
{
    private static readonly long[] Shape = { 2, 1, 3, 4 };

    [Fact]
    public void The_generated_call_takes_the_declared_inputs_in_order_and_agrees_with_the_compiled_loss()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        var (weight, valid) = Maps();
        using var generated = new WeightedMaskedBinaryLoss();
        using var compiled = LossCompiler.Compile("bce + dice", new LossOptions { PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel });

        var byCall = generated.call(pred, target, weight, valid).ToDouble();
        var byInputs = compiled.call(new LossInputs(pred, target) { PixelWeight = weight, ValidMask = valid }).ToDouble();
        using var terms = generated.Terms(pred, target, weight, valid);

        Tolerance.Close(byInputs, byCall, 1e-12, "generated call against LossInputs");
        Tolerance.Close(byCall, terms.Total.ToDouble(), 1e-12, "Terms total");
        Assert.Equal(byCall, terms.Bce.ToDouble() + terms.Dice.ToDouble(), 12);
    }

    [Fact]
    public void A_valid_mask_of_ones_and_a_weight_map_of_ones_change_nothing()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        using var plain = LossCompiler.Compile("bce + focal + dice + iou");
        using var mapped = LossCompiler.Compile("bce + focal + dice + iou", new LossOptions { PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel });
        var one = ones(2, 1, 3, 4, dtype: ScalarType.Float64);

        Tolerance.Close(plain.call(pred, target).ToDouble(), mapped.call(new LossInputs(pred, target) { PixelWeight = one, ValidMask = one }).ToDouble(), 1e-12, "all ones");
    }

    [Fact]
    public void A_bool_valid_mask_gives_the_float_masks_value_and_no_map_receives_a_gradient()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        var (weight, valid) = Maps();
        weight.requires_grad_();
        using var loss = LossCompiler.Compile("bce + iou", new LossOptions { PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel });

        var asFloat = loss.call(new LossInputs(pred, target) { PixelWeight = weight, ValidMask = valid });
        var asBool = loss.call(new LossInputs(pred, target) { PixelWeight = weight, ValidMask = valid.to_type(ScalarType.Bool) });
        asBool.backward();

        Assert.Equal(asFloat.ToDouble(), asBool.ToDouble());
        Assert.Null(weight.grad);
        Assert.NotNull(pred.grad);
    }

    [Fact]
    public void A_declared_input_left_out_or_an_undeclared_one_given_is_an_error_naming_the_fix()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        var (weight, _) = Maps();
        using var weighted = new WeightedMaskedBinaryLoss();
        using var plain = LossCompiler.Compile("bce");

        var missing = Assert.Throws<ArgumentException>(() => weighted.call(pred, target));
        var extra = Assert.Throws<ArgumentException>(() => plain.call(new LossInputs(pred, target) { PixelWeight = weight }));

        Assert.StartsWith("WeightedMaskedBinaryLoss: the loss declares a pixel weight map; pass it with pred and target: new LossInputs(pred, target) { PixelWeight = ... }.", missing.Message);
        Assert.StartsWith("loss: the loss declares no pixel weight map, so it would ignore the one given; declare it ('pixel_weight: map[...]' in a .loss signature, PixelWeight = LossPixelMap.PerPixel in [Loss] or LossOptions).", extra.Message);
    }

    [Theory]
    [InlineData(new long[] { 2, 3, 4 }, "the pixel weight map must have shape [2, 1, 3, 4] (pred's shape with one channel, as declared), got [2, 3, 4].")]
    [InlineData(new long[] { 2, 2, 3, 4 }, "the pixel weight map must have shape [2, 1, 3, 4] (pred's shape with one channel, as declared), got [2, 2, 3, 4].")]
    public void A_weight_map_of_another_shape_is_an_error_with_the_expected_shape(long[] shape, string message)
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        using var loss = LossCompiler.Compile("bce", new LossOptions { Name = "L", PixelWeight = LossPixelMap.PerPixel });

        var error = Assert.Throws<ArgumentException>(() => loss.call(new LossInputs(pred, target) { PixelWeight = ones(shape, dtype: ScalarType.Float64) }));

        Assert.StartsWith("L: " + message, error.Message);
    }

    [Fact]
    public void Values_a_map_cannot_hold_are_errors_unless_value_checks_are_off()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        var (weight, valid) = Maps();
        using var loss = LossCompiler.Compile("bce", new LossOptions { Name = "L", PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel });
        var half = full(2, 1, 3, 4, 0.5, dtype: ScalarType.Float64);
        var negative = -weight;

        var notBinary = Assert.Throws<ArgumentException>(() => loss.call(new LossInputs(pred, target) { PixelWeight = weight, ValidMask = half }));
        var aboveOne = Assert.Throws<ArgumentException>(() => loss.call(new LossInputs(pred, target) { PixelWeight = weight, ValidMask = 2 * valid }));
        var below = Assert.Throws<ArgumentException>(() => loss.call(new LossInputs(pred, target) { PixelWeight = negative, ValidMask = valid }));
        loss.CheckValues = false;
        var unchecked_ = loss.call(new LossInputs(pred, target) { PixelWeight = weight, ValidMask = half });

        Assert.StartsWith("L: the valid mask must hold 0 (left out) or 1 (kept) only, found values from 0.5 to 0.5.", notBinary.Message);
        Assert.StartsWith("L: the valid mask must hold 0 (left out) or 1 (kept) only, found values from 0 to 2.", aboveOne.Message);
        Assert.StartsWith("L: the pixel weight map must hold finite weights ≥ 0, found values from ", below.Message);
        Assert.True(double.IsFinite(unchecked_.ToDouble()));
    }

    [Fact]
    public void With_no_pixel_kept_every_term_is_zero_with_zero_gradient()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        using var loss = LossCompiler.Compile("bce + focal + dice + iou + mcc + lovasz_hinge", new LossOptions { ValidMask = LossPixelMap.PerPixel });

        using var terms = loss.Terms(new LossInputs(pred, target) { ValidMask = zeros(2, 1, 3, 4, dtype: ScalarType.Float64) });
        terms.Total.backward();

        Assert.All(terms, term => Assert.Equal(0.0, term.Value.ToDouble()));
        Assert.Equal(0.0, pred.grad!.abs().max().ToDouble());
    }

    private static (Tensor Pred, Tensor Target) Inputs()
    {
        var (x, t) = FixedInputs.Binary(2, 1, 3, 4);
        return (FixedInputs.ToTensor(x, Shape, ScalarType.Float64, requiresGrad: true), FixedInputs.ToTensor(t, Shape, ScalarType.Float64));
    }

    private static (Tensor Weight, Tensor Valid) Maps()
    {
        var cells = Enumerable.Range(0, 24).ToArray();
        var weight = FixedInputs.ToTensor(cells.Select(i => 0.25 + (i % 5) * 0.5).ToArray(), Shape, ScalarType.Float64);
        var valid = FixedInputs.ToTensor(cells.Select(i => i % 4 == 3 ? 0.0 : 1.0).ToArray(), Shape, ScalarType.Float64);
        return (weight, valid);
    }
}
