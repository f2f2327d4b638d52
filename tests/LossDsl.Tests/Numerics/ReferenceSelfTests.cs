using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The two kinds of reference agree: the dual-number losses (<see cref="ReferenceLosses"/>) against the formulas with
/// hand-derived gradients (<see cref="ReferenceFormulas"/>); and the kernels against the hand-derived cross-entropy.
/// </summary>
public sealed class ReferenceSelfTests
{
    [Fact]
    public void Dual_bce_dice_and_iou_match_the_hand_derived_gradients()
    {
        var k = LossCase.BinaryMask(2, 3, [2, 2]);
        var checks = new (string What, Func<Dual[], Dual> Dual, (double Value, double[] Gradient) Hand)[]
        {
            ("bce(2.5)", x => ReferenceLosses.Bce(k, x, 2.5), ReferenceFormulas.BceWithLogits(k.Pred, k.Mask!, 2.5)),
            ("dice(0.5)", x => ReferenceLosses.Dice(k, x, 0.5), ReferenceFormulas.DiceWithLogits(k.Pred, k.Mask!, 2, 3, 0.5)),
            ("iou", x => ReferenceLosses.Iou(k, x), ReferenceFormulas.IouWithLogits(k.Pred, k.Mask!, 2, 3)),
        };

        foreach (var (what, dual, hand) in checks)
        {
            var (value, gradient) = Dual.Gradient(k.Pred, dual);
            Tolerance.Close(hand.Value, value, 1e-13, what);
            Tolerance.CloseToLargest(hand.Gradient, gradient, 1e-13, "d" + what);
        }
    }

    [Fact]
    public void Dual_cross_entropy_matches_the_hand_derived_gradient()
    {
        var k = LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255);
        double[] weight = [0.5, 2, 1, 3];
        var hand = ReferenceFormulas.CrossEntropyWithLogits(k.Pred, k.Labels!, 2, 4, weight, 0.3, 255);
        var (value, gradient) = Dual.Gradient(k.Pred, x => ReferenceLosses.Ce(k, x, weight, 0.3));

        Tolerance.Close(hand.Value, value, 1e-13, "ce");
        Tolerance.CloseToLargest(hand.Gradient, gradient, 1e-13, "dce");
    }

    [Theory]
    [InlineData("ce", null, 0.0, ScalarType.Float64)]
    [InlineData("ce(weight: [0.5, 2, 1, 3], label_smoothing: 0.3)", new[] { 0.5, 2, 1, 3 }, 0.3, ScalarType.Float64)]
    [InlineData("ce(weight: [0.5, 2, 1, 3], label_smoothing: 0.3)", new[] { 0.5, 2, 1, 3 }, 0.3, ScalarType.Float32)]
    public void Cross_entropy_matches_the_hand_derived_formula(string text, double[]? weight, double labelSmoothing, ScalarType dtype)
    {
        var k = LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255);
        var (expected, expectedGradient) = ReferenceFormulas.CrossEntropyWithLogits(k.Pred, k.Labels!, 2, 4, weight, labelSmoothing, 255);
        using var loss = LossCompiler.Compile(text, k.Options());
        var (value, gradient) = LossCheck.Run(loss, k, dtype);

        Tolerance.Close(expected, value, Tolerance.For(dtype), text);
        Tolerance.Gradient(expectedGradient, gradient, dtype, "d" + text);
    }
}
