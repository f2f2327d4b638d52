using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// LOSSES.md's edge cases for the pixel and region primitives: every pixel ignored, an empty batch, logits of ±1e4,
/// probabilities of exactly 0 and 1, empty and full masks, a single pixel. Values are finite and match the reference;
/// a mean over nothing is 0 with zero gradient.
/// </summary>
public sealed class EdgeCaseTests
{
    public static TheoryData<string> LabelTerms => new()
    {
        "ce", "ce(weight: [1, 2, 3], label_smoothing: 0.2)", "focal", "focal(gamma: 0.5, weight: [1, 2, 3])",
        "dice", "iou(smooth: 0)", "tversky(include_background: false)", "dice(per_image: true, weight: [1, 2, 3])",
        "generalized_dice", "sensitivity_specificity", "sensitivity_specificity(smooth: 0)",
    };

    public static TheoryData<string> MaskTerms => new()
    {
        "bce", "bce(pos_weight: auto)", "focal", "focal(alpha: -1, gamma: 0.5)", "dice", "iou", "tversky(0.3, 0.7)",
        "dice(smooth: 0)", "generalized_dice", "sensitivity_specificity",
        // bce summed in the statistics node's pass: on a full mask auto weighs the positives by 0, and bce is exactly 0.
        "bce(pos_weight: auto) + dice",
    };

    [Theory]
    [MemberData(nameof(LabelTerms))]
    public void Every_pixel_ignored_gives_zero_with_zero_gradient(string text)
    {
        var k = LossCase.ClassLabels(2, 3, [2, 2], ignoreIndex: 255) with { Labels = Enumerable.Repeat(255L, 8).ToArray() };
        using var loss = LossCompiler.Compile(text, k.Options());
        var (value, gradient) = LossCheck.Run(loss, k, ScalarType.Float64);

        Assert.Equal(0.0, value);
        Assert.All(gradient, g => Assert.Equal(0.0, g));
    }

    [Theory]
    [MemberData(nameof(LabelTerms))]
    public void An_empty_batch_gives_zero(string text)
    {
        var k = new LossCase(0, 3, [4, 4], [], false, null, [], null);
        using var loss = LossCompiler.Compile(text, k.Options());
        var (value, gradient) = LossCheck.Run(loss, k, ScalarType.Float32);

        Assert.Equal(0.0, value);
        Assert.Empty(gradient);
    }

    [Theory]
    [MemberData(nameof(MaskTerms))]
    public void Mask_logits_of_1e4_give_finite_values_and_the_references_gradient(string text)
    {
        var k = LossCase.BinaryMask(2, 1, [2, 2]) with { Pred = [-1e4, 1e4, -1e4, 1e4, 1e4, 1e4, -1e4, -1e4], Mask = [1, 0, 0, 1, 1, 1, 0, 0] };
        AssertFiniteAndMatching(k, text, MaskReference(text));
    }

    [Theory]
    [MemberData(nameof(LabelTerms))]
    public void Label_logits_of_1e4_give_finite_values_and_the_references_gradient(string text)
    {
        var k = LossCase.ClassLabels(1, 3, [4], ignoreIndex: 255) with
        {
            Pred = [1e4, -1e4, 0, 5, -1e4, 1e4, -1e4, 1e4, -1e4, -1e4, 1e4, -1e4],
            Labels = [0, 1, 255, 2],
        };
        AssertFiniteAndMatching(k, text, LabelReference(text));
    }

    [Theory]
    [MemberData(nameof(MaskTerms))]
    public void Probabilities_of_exactly_0_and_1_give_finite_values_and_gradients(string text)
    {
        var k = LossCase.BinaryMask(1, 1, [6], probabilities: true) with { Pred = [0, 1, 0, 1, 0.3, 0.6], Mask = [0, 1, 1, 0, 1, 0] };
        if (text == "focal(alpha: -1, gamma: 0.5)")
        {
            // The reference's product rule gives ∞·0 where p_t = 1; the true limit of (1 − p_t)^0.5·ce there is 0.
            AssertFiniteWithZeroGradientWhereCertain(k, text, MaskReference(text), certain: [0, 1]);
            return;
        }

        AssertFiniteAndMatching(k, text, MaskReference(text));
    }

    [Theory]
    [InlineData("ce")]
    [InlineData("focal")]
    [InlineData("dice")]
    public void Label_probabilities_of_exactly_0_and_1_give_finite_values_and_gradients(string text)
    {
        var k = LossCase.ClassLabels(1, 2, [3], probabilities: true) with { Pred = [1, 0, 0.25, 0, 1, 0.75], Labels = [0, 0, 1] };
        AssertFiniteAndMatching(k, text, LabelReference(text));
    }

    [Fact]
    public void Label_focal_with_gamma_below_1_has_zero_gradient_at_certain_correct_pixels()
    {
        var k = LossCase.ClassLabels(1, 2, [3], probabilities: true) with { Pred = [1, 0, 0.25, 0, 1, 0.75], Labels = [0, 0, 1] };
        AssertFiniteWithZeroGradientWhereCertain(k, "focal(gamma: 0.5)", LabelReference("focal(gamma: 0.5)"), certain: [0]);
    }

    [Theory]
    [MemberData(nameof(MaskTerms))]
    public void Empty_full_and_single_pixel_masks_match_the_reference(string text)
    {
        var reference = MaskReference(text);
        var empty = LossCase.BinaryMask(2, 1, [2, 3]) with { Mask = new double[12] };
        var full = empty with { Mask = Enumerable.Repeat(1.0, 12).ToArray() };
        var single = new LossCase(1, 1, [1, 1], [0.7], false, [1], null, null);
        foreach (var k in new[] { empty, full, single })
        {
            LossCheck.Matches(k, text, x => reference(k, x), ScalarType.Float64);

            // Not generalized_dice in float32: an empty channel weighs 1/eps = 1e6, and its gradient is then the
            // difference of two ~1e4 terms, which float32 cannot resolve to 1e-5 (float64 does, above).
            if (text != "generalized_dice")
            {
                LossCheck.Matches(k, text, x => reference(k, x), ScalarType.Float32);
            }
        }
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Bce_with_an_automatic_weight_on_a_full_mask_is_exactly_zero_in_the_statistics_node(ScalarType dtype)
    {
        // auto weighs the positives by (Nv − ΣT)/ΣT = 0: every element's loss is 0·softplus(−x) + 0·softplus(x).
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var loss = LossCompiler.Compile("bce(pos_weight: auto) + dice");
        var pred = TorchSharp.torch.randn(new long[] { 2, 1, 33, 47 }, dtype: dtype, generator: new TorchSharp.torch.Generator(4)).mul(6);
        var mask = TorchSharp.torch.ones_like(pred);

        var bce = loss.Terms(pred, mask)["bce"].to_type(ScalarType.Float64).item<double>();

        Assert.Equal(0.0, bce);
    }

    /// <summary>Finite, and the reference's value and gradient to the contract in both dtypes (float32 included).</summary>
    private static void AssertFiniteAndMatching(LossCase k, string text, Func<LossCase, Dual[], Dual> reference)
    {
        foreach (var dtype in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            using var loss = LossCompiler.Compile(text, k.Options());
            var (value, gradient) = LossCheck.Run(loss, k, dtype);
            Assert.True(double.IsFinite(value), $"{text} ({dtype}) = {value}");
            Assert.All(gradient, g => Assert.True(double.IsFinite(g), $"d({text})/dpred ({dtype}) has {g}"));
            LossCheck.Matches(k, text, x => reference(k, x), dtype);
        }
    }

    /// <summary>
    /// Where the prediction is certain and right, γ &lt; 1 makes the reference's product rule ∞·0; the kernels give the
    /// true limit, 0. Elsewhere they match the reference.
    /// </summary>
    private static void AssertFiniteWithZeroGradientWhereCertain(LossCase k, string text, Func<LossCase, Dual[], Dual> reference, int[] certain)
    {
        var (value, expected) = Dual.Gradient(k.Pred, x => reference(k, x));
        using var loss = LossCompiler.Compile(text, k.Options());
        var (actual, gradient) = LossCheck.Run(loss, k, ScalarType.Float64);

        Tolerance.Close(value, actual, Tolerance.Float64, text);
        for (var i = 0; i < gradient.Length; i++)
        {
            if (certain.Contains(i))
            {
                Assert.True(Math.Abs(gradient[i]) < 1e-100, $"d({text})/dpred[{i}] = {gradient[i]}, expected 0");
            }
            else
            {
                Tolerance.Close(expected[i], gradient[i], Tolerance.Float64, $"d({text})/dpred[{i}]");
            }
        }
    }

    private static Func<LossCase, Dual[], Dual> MaskReference(string text) => text switch
    {
        "bce" => (k, x) => ReferenceLosses.Bce(k, x),
        "bce(pos_weight: auto)" => (k, x) => ReferenceLosses.Bce(k, x, null),
        "bce(pos_weight: auto) + dice" => (k, x) => ReferenceLosses.Bce(k, x, null) + ReferenceLosses.Dice(k, x),
        "focal" => (k, x) => ReferenceLosses.BinaryFocal(k, x),
        "focal(alpha: -1, gamma: 0.5)" => (k, x) => ReferenceLosses.BinaryFocal(k, x, -1, 0.5),
        "dice" => (k, x) => ReferenceLosses.Dice(k, x),
        "iou" => (k, x) => ReferenceLosses.Iou(k, x),
        "tversky(0.3, 0.7)" => (k, x) => ReferenceLosses.Tversky(k, x, 0.3, 0.7),
        "dice(smooth: 0)" => (k, x) => ReferenceLosses.Dice(k, x, 0),
        "generalized_dice" => (k, x) => ReferenceLosses.GeneralizedDice(k, x),
        _ => (k, x) => ReferenceLosses.SensitivitySpecificity(k, x),
    };

    private static Func<LossCase, Dual[], Dual> LabelReference(string text) => text switch
    {
        "ce" => (k, x) => ReferenceLosses.Ce(k, x),
        "ce(weight: [1, 2, 3], label_smoothing: 0.2)" => (k, x) => ReferenceLosses.Ce(k, x, [1, 2, 3], 0.2),
        "focal" => (k, x) => ReferenceLosses.Focal(k, x),
        "focal(gamma: 0.5)" => (k, x) => ReferenceLosses.Focal(k, x, 0.5),
        "focal(gamma: 0.5, weight: [1, 2, 3])" => (k, x) => ReferenceLosses.Focal(k, x, 0.5, [1, 2, 3]),
        "dice" => (k, x) => ReferenceLosses.Dice(k, x),
        "iou(smooth: 0)" => (k, x) => ReferenceLosses.Iou(k, x, 0),
        "tversky(include_background: false)" => (k, x) => ReferenceLosses.Tversky(k, x, includeBackground: false),
        "dice(per_image: true, weight: [1, 2, 3])" => (k, x) => ReferenceLosses.Dice(k, x, perImage: true, weight: [1, 2, 3]),
        "generalized_dice" => (k, x) => ReferenceLosses.GeneralizedDice(k, x),
        "sensitivity_specificity" => (k, x) => ReferenceLosses.SensitivitySpecificity(k, x),
        _ => (k, x) => ReferenceLosses.SensitivitySpecificity(k, x, smooth: 0),
    };
}
