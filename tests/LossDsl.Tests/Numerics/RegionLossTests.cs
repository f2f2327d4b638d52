using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>dice, iou, tversky, generalized_dice and sensitivity_specificity on masks and labels against <see cref="ReferenceLosses"/>.</summary>
public sealed class RegionLossTests
{
    private static readonly double[] FourWeights = { 0.5, 2, 1, 3 };

    private static readonly Dictionary<string, (LossCase Case, string Text, Func<LossCase, Dual[], Dual> Reference)> Cases = new()
    {
        ["dice, binary mask"] = (LossCase.BinaryMask(2, 1, [3, 4]), "dice", (k, x) => ReferenceLosses.Dice(k, x)),
        ["dice(per_image: true), multilabel"] = (LossCase.BinaryMask(3, 3, [2, 2]), "dice(per_image: true)", (k, x) => ReferenceLosses.Dice(k, x, perImage: true)),
        ["dice(weight), multilabel probabilities"] = (LossCase.BinaryMask(2, 3, [2, 3], probabilities: true), "dice(weight: [1, 2, 0.5])", (k, x) => ReferenceLosses.Dice(k, x, weight: [1, 2, 0.5])),
        ["iou(smooth: 0.5)"] = (LossCase.BinaryMask(2, 1, [3, 4]), "iou(smooth: 0.5)", (k, x) => ReferenceLosses.Iou(k, x, 0.5)),
        ["jaccard(per_image: true, weight), multilabel"] = (LossCase.BinaryMask(2, 2, [3]), "jaccard(per_image: true, weight: [3, 1])", (k, x) => ReferenceLosses.Iou(k, x, perImage: true, weight: [3, 1])),
        ["tversky(0.3, 0.7)"] = (LossCase.BinaryMask(2, 1, [3, 4]), "tversky(0.3, 0.7)", (k, x) => ReferenceLosses.Tversky(k, x, 0.3, 0.7)),
        ["tversky(alpha: 2, smooth: 0), multilabel"] = (LossCase.BinaryMask(2, 3, [3]), "tversky(alpha: 2, smooth: 0)", (k, x) => ReferenceLosses.Tversky(k, x, 2, 0.5, 0)),
        ["dice, labels, ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "dice", (k, x) => ReferenceLosses.Dice(k, x)),
        ["dice(include_background: false), labels, ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "dice(include_background: false)", (k, x) => ReferenceLosses.Dice(k, x, includeBackground: false)),
        ["dice(weight, include_background: false), labels"] = (LossCase.ClassLabels(2, 4, [3, 3]), "dice(weight: [0.5, 2, 1, 3], include_background: false)", (k, x) => ReferenceLosses.Dice(k, x, weight: FourWeights, includeBackground: false)),
        ["dice(per_image, weight, include_background: false), labels, ignore_index"] = (LossCase.ClassLabels(3, 4, [2, 3], ignoreIndex: 255), "dice(0.1, true, [0.5, 2, 1, 3], false)", (k, x) => ReferenceLosses.Dice(k, x, 0.1, true, FourWeights, false)),
        ["iou(per_image: true), labels probabilities, ignore_index"] = (LossCase.ClassLabels(2, 3, [2, 3], ignoreIndex: 255, probabilities: true), "iou(per_image: true)", (k, x) => ReferenceLosses.Iou(k, x, perImage: true)),
        ["tversky(alpha: 0.7, beta: 0.3, include_background: false), labels"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "tversky(alpha: 0.7, beta: 0.3, include_background: false)", (k, x) => ReferenceLosses.Tversky(k, x, 0.7, 0.3, includeBackground: false)),
        ["generalized_dice, binary mask is two classes"] = (LossCase.BinaryMask(2, 1, [3, 4]), "generalized_dice", (k, x) => ReferenceLosses.GeneralizedDice(k, x)),
        ["generalized_dice(eps: 0.5), multilabel"] = (LossCase.BinaryMask(2, 3, [2, 2]), "generalized_dice(eps: 0.5)", (k, x) => ReferenceLosses.GeneralizedDice(k, x, 0.5)),
        ["generalized_dice, labels, ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "generalized_dice", (k, x) => ReferenceLosses.GeneralizedDice(k, x)),
        ["generalized_dice, labels probabilities"] = (LossCase.ClassLabels(2, 3, [4], probabilities: true), "generalized_dice", (k, x) => ReferenceLosses.GeneralizedDice(k, x)),
        ["sensitivity_specificity, binary mask"] = (LossCase.BinaryMask(2, 1, [3, 4]), "sensitivity_specificity", (k, x) => ReferenceLosses.SensitivitySpecificity(k, x)),
        ["sensitivity_specificity(0.5, 1), multilabel probabilities"] = (LossCase.BinaryMask(2, 3, [3], probabilities: true), "sensitivity_specificity(0.5, 1)", (k, x) => ReferenceLosses.SensitivitySpecificity(k, x, 0.5, 1)),
        ["sensitivity_specificity, labels, ignore_index"] = (LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255), "sensitivity_specificity(lambda: 0.3)", (k, x) => ReferenceLosses.SensitivitySpecificity(k, x, 0.3)),
    };

    public static TheoryData<string, ScalarType> Rows() => LossCheck.InBothPrecisions(Cases.Keys);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Value_and_gradient_match_the_reference(string name, ScalarType dtype)
    {
        var (k, text, reference) = Cases[name];
        LossCheck.Matches(k, text, x => reference(k, x), dtype);
    }
}
