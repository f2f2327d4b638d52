using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>bce, ce and focal (both tasks) against <see cref="ReferenceLosses"/>: values and gradients, float64 and float32.</summary>
public sealed class PixelLossTests
{
    private static readonly double[] FourWeights = { 0.5, 2, 1, 3 };

    private static readonly Dictionary<string, (LossCase Case, string Text, Func<LossCase, Dual[], Dual> Reference)> Cases = new()
    {
        ["bce, binary mask"] = (LossCase.BinaryMask(2, 1, [3, 4]), "bce", (k, x) => ReferenceLosses.Bce(k, x)),
        ["bce(pos_weight: 2.5), multilabel"] = (LossCase.BinaryMask(2, 3, [2, 3]), "bce(pos_weight: 2.5)", (k, x) => ReferenceLosses.Bce(k, x, 2.5)),
        ["bce(pos_weight: auto)"] = (LossCase.BinaryMask(2, 1, [3, 4]), "bce(pos_weight: auto)", (k, x) => ReferenceLosses.Bce(k, x, null)),
        ["bce, probabilities"] = (LossCase.BinaryMask(2, 1, [3, 4], probabilities: true), "bce", (k, x) => ReferenceLosses.Bce(k, x)),
        ["bce(auto), probabilities, multilabel"] = (LossCase.BinaryMask(1, 2, [5], probabilities: true), "bce(auto)", (k, x) => ReferenceLosses.Bce(k, x, null)),
        ["focal, binary mask"] = (LossCase.BinaryMask(2, 1, [3, 4]), "focal", (k, x) => ReferenceLosses.BinaryFocal(k, x)),
        ["focal(alpha: -1, gamma: 0.5), no alpha_t"] = (LossCase.BinaryMask(2, 1, [3, 4]), "focal(alpha: -1, gamma: 0.5)", (k, x) => ReferenceLosses.BinaryFocal(k, x, -1, 0.5)),
        ["focal(0.75, 1), multilabel probabilities"] = (LossCase.BinaryMask(2, 3, [2, 2], probabilities: true), "focal(0.75, 1)", (k, x) => ReferenceLosses.BinaryFocal(k, x, 0.75, 1)),
        ["focal(gamma: 0) is alpha-weighted bce"] = (LossCase.BinaryMask(1, 1, [4, 4]), "focal(gamma: 0)", (k, x) => ReferenceLosses.BinaryFocal(k, x, 0.25, 0)),
        ["ce, labels"] = (LossCase.ClassLabels(2, 4, [3, 3]), "ce", (k, x) => ReferenceLosses.Ce(k, x)),
        ["ce(weight), ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "ce(weight: [0.5, 2, 1, 3])", (k, x) => ReferenceLosses.Ce(k, x, FourWeights)),
        ["ce(label_smoothing: 0.1), ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "ce(label_smoothing: 0.1)", (k, x) => ReferenceLosses.Ce(k, x, null, 0.1)),
        ["ce(weight, label_smoothing), ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "ce([0.5, 2, 1, 3], 0.3)", (k, x) => ReferenceLosses.Ce(k, x, FourWeights, 0.3)),
        ["ce, probabilities, ignore_index -1"] = (LossCase.ClassLabels(2, 3, [4], ignoreIndex: -1, probabilities: true), "ce", (k, x) => ReferenceLosses.Ce(k, x)),
        ["ce(weight, label_smoothing), probabilities"] = (LossCase.ClassLabels(2, 4, [2, 2], probabilities: true), "ce(weight: [0.5, 2, 1, 3], label_smoothing: 0.2)", (k, x) => ReferenceLosses.Ce(k, x, FourWeights, 0.2)),
        ["ce, no spatial dims"] = (LossCase.ClassLabels(6, 3, []), "ce", (k, x) => ReferenceLosses.Ce(k, x)),
        ["ce, three spatial dims"] = (LossCase.ClassLabels(1, 3, [2, 3, 2], ignoreIndex: 255), "ce(label_smoothing: 0.05)", (k, x) => ReferenceLosses.Ce(k, x, null, 0.05)),
        ["focal, labels"] = (LossCase.ClassLabels(2, 4, [3, 3]), "focal", (k, x) => ReferenceLosses.Focal(k, x)),
        ["focal(gamma: 0.5, weight), ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "focal(gamma: 0.5, weight: [0.5, 2, 1, 3])", (k, x) => ReferenceLosses.Focal(k, x, 0.5, FourWeights)),
        ["focal(3), labels probabilities, ignore_index"] = (LossCase.ClassLabels(2, 3, [5], ignoreIndex: 9, probabilities: true), "focal(3)", (k, x) => ReferenceLosses.Focal(k, x, 3)),
    };

    public static TheoryData<string, ScalarType> Rows() => LossCheck.InBothPrecisions(Cases.Keys);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Value_and_gradient_match_the_reference(string name, ScalarType dtype)
    {
        var (k, text, reference) = Cases[name];
        LossCheck.Matches(k, text, x => reference(k, x), dtype);
    }

    [Theory]
    [InlineData("ce", false, 0.0)]
    [InlineData("ce(label_smoothing: 0.1)", false, 0.1)]
    [InlineData("ce([0.5, 2, 1, 3], 0.3)", true, 0.3)]
    public void Cross_entropy_agrees_with_torchs_own_cross_entropy(string text, bool weighted, double labelSmoothing)
    {
        // A second, independent implementation of the semantics LOSSES.md names: libtorch's cross_entropy.
        var k = LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255);
        using var pred = k.PredTensor(ScalarType.Float64);
        using var target = k.TargetTensor(ScalarType.Float64);
        using var weight = weighted ? tensor(FourWeights, dtype: ScalarType.Float64) : null;
        using var expected = nn.functional.cross_entropy(pred, target, weight: weight, ignore_index: 255, label_smoothing: labelSmoothing);
        using var loss = LossCompiler.Compile(text, k.Options());
        using var actual = loss.call(pred, target);

        Infrastructure.Tolerance.Close(expected.ToDouble(), actual.ToDouble(), Infrastructure.Tolerance.Float64, text + " vs torch cross_entropy");
    }

    [Fact]
    public void Bce_agrees_with_torchs_own_binary_cross_entropy()
    {
        var logits = LossCase.BinaryMask(2, 3, [2, 3]);
        var probabilities = LossCase.BinaryMask(2, 3, [2, 3], probabilities: true);
        using var x = logits.PredTensor(ScalarType.Float64);
        using var p = probabilities.PredTensor(ScalarType.Float64);
        using var t = logits.TargetTensor(ScalarType.Float64);
        using var posWeight = full(new long[] { 1 }, 2.5, dtype: ScalarType.Float64);
        using var expectedLogits = nn.functional.binary_cross_entropy_with_logits(x, t, pos_weights: posWeight);
        using var expectedProbabilities = nn.functional.binary_cross_entropy(p, t);
        using var withLogits = LossCompiler.Compile("bce(2.5)", logits.Options());
        using var withProbabilities = LossCompiler.Compile("bce", probabilities.Options());

        Infrastructure.Tolerance.Close(expectedLogits.ToDouble(), withLogits.call(x, t).ToDouble(), Infrastructure.Tolerance.Float64, "bce(2.5) vs torch");
        Infrastructure.Tolerance.Close(expectedProbabilities.ToDouble(), withProbabilities.call(p, t).ToDouble(), Infrastructure.Tolerance.Float64, "bce on probabilities vs torch");
    }
}
