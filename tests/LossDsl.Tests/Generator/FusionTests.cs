using System.Text.RegularExpressions;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Generator;

/// <summary>
/// Fusion, proven on the emitted code: shared values are computed once however many terms read them, constants fold,
/// and constant buffers are built once and shared.
/// </summary>
public sealed class FusionTests
{
    [Fact]
    public void Region_terms_share_one_statistics_computation_which_needs_no_sigmoid_step()
    {
        var code = Generate("""[Loss("bce + dice + iou + tversky")]""");

        // On logits the statistics node computes the sigmoid inside, with its gradient written out, and sums bce too.
        Assert.Equal(0, Count(code, "Probabilities.Sigmoid("));
        // The node also evaluates dice, iou and tversky from its statistics: closed forms, no node each.
        Assert.Equal(1, Count(code, "RegionStatistics.ComputeWithCrossEntropy(logits: pred, target: t, valid: null, pixelWeight: null, perImage: false, posWeight: 1.0, regionTerms: new global::LossDsl.Kernels.RegionTerm[] { "
            + "global::LossDsl.Kernels.RegionTerm.Dice(smoothNumerator: 1.0, smoothDenominator: 1.0, log: false, zeroWhenEmpty: false, weight: null, includeBackground: true), "
            + "global::LossDsl.Kernels.RegionTerm.Iou(smoothNumerator: 1.0, smoothDenominator: 1.0, log: false, zeroWhenEmpty: false, weight: null, includeBackground: true), "
            + "global::LossDsl.Kernels.RegionTerm.Tversky(alpha: 0.5, beta: 0.5, gamma: 1.0, smoothNumerator: 1.0, smoothDenominator: 1.0, log: false, zeroWhenEmpty: false, weight: null, includeBackground: true) }, loss: \"Fused\", checkValues: CheckValues)"));
        // Its pass checks pred and the mask, which the checked target leaves to it (in Evaluate, and in EvaluateTotal before the same node).
        Assert.Equal(2, Count(code, "Inputs.Mask(loss: \"Fused\", pred: pred, target: target, classes: 1, spatialRank: 2, checkValues: false)"));
        // Each region term and its unreduced twin (run only when asked for) read the one statistics value, summed across
        // the data-parallel group when there is one.
        Assert.Equal(1, Count(code, "RegionStatistics.AcrossGroup(statistics: stats, group: Group)"));
        Assert.Equal(6, Count(code, "statistics: groupStats,"));
        Assert.Equal(1, Count(code, "PixelLosses.MeanOverAllElements(sum: bceSum, logits: pred)"));
        Assert.Equal(0, Count(code, "BinaryCrossEntropyWithLogits("));
        Assert.Equal(0, Count(code, "var logp"));
    }

    [Fact]
    public void Bce_with_label_smoothing_reads_its_smoothed_target_in_its_own_kernel()
    {
        // The statistics node sums bce against the target as given, so a smoothed bce keeps libtorch's fused kernel.
        var code = Generate("""[Loss("bce(label_smoothing: 0.1) + dice")]""");
        Assert.Equal(0, Count(code, "ComputeWithCrossEntropy("));
        Assert.Equal(1, Count(code, "PixelLosses.BinaryCrossEntropyWithLogits(logits: pred, target: t, posWeight: 1.0, labelSmoothing: 0.1, valid: null, pixelWeight: null)"));
        Assert.Equal(1, Count(Generate("""[Loss("bce(mean_over: all) + dice")]"""), "ComputeWithCrossEntropy("));
    }

    [Fact]
    public void Bce_alone_runs_libtorchs_fused_kernel_and_a_second_weight_runs_its_own()
    {
        Assert.Equal(1, Count(Generate("""[Loss("bce")]"""), "PixelLosses.BinaryCrossEntropyWithLogits(logits: pred, target: t, posWeight: 1.0, labelSmoothing: 0.0, valid: null, pixelWeight: null)"));

        // The statistics node sums the first bce's cross-entropy; per-image statistics host it when no term reads the
        // whole-batch ones.
        var code = Generate("""[Loss("bce(pos_weight: 2) + bce + dice(per_image: true)")]""");
        Assert.Equal(1, Count(code, "RegionStatistics.ComputeWithCrossEntropy(logits: pred, target: t, valid: null, pixelWeight: null, perImage: true, posWeight: 2.0, regionTerms: new global::LossDsl.Kernels.RegionTerm[] { global::LossDsl.Kernels.RegionTerm.Dice("));
        Assert.Equal(1, Count(code, "PixelLosses.MeanOverAllElements(sum: bceSum, logits: pred)"));
        Assert.Equal(1, Count(code, "PixelLosses.BinaryCrossEntropyWithLogits(logits: pred, target: t, posWeight: 1.0, labelSmoothing: 0.0, valid: null, pixelWeight: null)"));
    }

    [Fact]
    public void Focal_beside_region_terms_is_summed_in_the_statistics_node_unless_bce_is()
    {
        // One node, one pass: the statistics and focal's sum; a focal with other constants runs its own node.
        var code = Generate("""[Loss("focal(gamma: 1.5) + dice + iou + focal")]""");
        Assert.Equal(1, Count(code, "RegionStatistics.ComputeWithFocal(logits: pred, target: t, valid: null, pixelWeight: null, perImage: false, alpha: 0.25, gamma: 1.5, weight: null, regionTerms: new global::LossDsl.Kernels.RegionTerm[] { "
            + "global::LossDsl.Kernels.RegionTerm.Dice(smoothNumerator: 1.0, smoothDenominator: 1.0, log: false, zeroWhenEmpty: false, weight: null, includeBackground: true), "
            + "global::LossDsl.Kernels.RegionTerm.Iou(smoothNumerator: 1.0, smoothDenominator: 1.0, log: false, zeroWhenEmpty: false, weight: null, includeBackground: true) }, loss: \"Fused\", checkValues: CheckValues)"));
        Assert.Equal(1, Count(code, "PixelLosses.MeanOverAllElements(sum: focalSum, logits: pred)"));
        Assert.Equal(1, Count(code, "PixelLosses.BinaryFocalWithLogits(logits: pred, target: t, alpha: 0.25, gamma: 2.0, weight: null, valid: null, pixelWeight: null)"));
        Assert.Equal(0, Count(code, "ComputeFromLogits("));

        // Channel weights are summed there too, from a constant buffer; focal alone keeps its own kernel.
        var weighted = Generate("""[Loss("focal(weight: [2, 0.5]) + dice", Classes = 2)]""");
        Assert.Equal(1, Count(weighted, "RegionStatistics.ComputeWithFocal(logits: pred, target: t, valid: null, pixelWeight: null, perImage: false, alpha: 0.25, gamma: 2.0, weight: classWeights,"));
        Assert.Equal(1, Count(weighted, "ConstantBuffers.ClassWeights(values: new double[] { 2.0, 0.5 })"));
        Assert.Equal(0, Count(weighted, "BinaryFocalWithLogits("));
        Assert.Equal(0, Count(Generate("""[Loss("focal")]"""), "ComputeWithFocal("));
    }

    [Fact]
    public void With_a_weight_map_the_node_of_class_indices_scales_its_sums_and_the_term_and_the_means_keep_their_denominators()
    {
        // LOSSES.md: ce is Σ valid·w·ℓ / Σ valid·w_y with class weights, / Nv without; focal / Nv. The node sums the
        // numerators, each pixel times its weight; the means divide as without a map; the unreduced values carry w too.
        var ce = Generate("""[Loss("ce(weight: [1, 2, 1]) + dice", Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255, PixelWeight = LossPixelMap.PerPixel)]""");
        Assert.Equal(1, Count(ce, "RegionStatistics.ComputeFromLabelsWithCrossEntropy(logits: pred, labels: labels, valid: valid, pixelWeight: w, perImage: false, weight: classWeights,"));
        Assert.Equal(1, Count(ce, "PixelLosses.MeanOverClassWeights(sum: ceSum, logits: pred, labels: labels, valid: valid, weight: classWeights)"));
        Assert.Equal(1, Count(ce, "PixelLosses.CrossEntropyWithLogitsUnreduced(logits: pred, labels: labels, valid: valid, weight: classWeights, labelSmoothing: 0.0, pixelWeight: w)"));
        Assert.Equal(0, Count(ce, "Probabilities.Softmax("));

        var focal = Generate("""[Loss("focal + dice", Target = LossTarget.Labels, Classes = 3, PixelWeight = LossPixelMap.PerPixel)]""");
        Assert.Equal(1, Count(focal, "RegionStatistics.ComputeFromLabelsWithFocal(logits: pred, labels: labels, valid: null, pixelWeight: w, perImage: false, gamma: 2.0,"));
        Assert.Equal(1, Count(focal, "PixelLosses.MeanOverKeptPixels(sum: focalSum, labels: labels, valid: null)"));
        Assert.Equal(1, Count(focal, "PixelLosses.FocalWithLogitsUnreduced(logits: pred, labels: labels, valid: null, gamma: 2.0, weight: null, pixelWeight: w)"));
    }

    [Fact]
    public void With_a_valid_mask_or_a_weight_map_the_statistics_node_sums_the_pixel_term_scaled_and_its_mean_counts_the_kept_elements()
    {
        // LOSSES.md: Σ valid·w·ℓ / Nv. The node scales the term's elements as it scales TP, P and T.
        var focal = Generate("""[Loss("focal + dice", ValidMask = LossPixelMap.PerPixel)]""");
        Assert.Equal(1, Count(focal, "RegionStatistics.ComputeWithFocal(logits: pred, target: t, valid: valid, pixelWeight: null, perImage: false, alpha: 0.25, gamma: 2.0,"));
        Assert.Equal(1, Count(focal, "PixelLosses.MeanOverKeptElements(sum: focalSum, logits: pred, valid: valid)"));
        Assert.Equal(0, Count(focal, "BinaryFocalWithLogits("));

        // A weight map alone keeps every element: the mean is over all of them. mean_over: all divides by every element too.
        var weighted = Generate("""[Loss("bce + iou", PixelWeight = LossPixelMap.PerPixel)]""");
        Assert.Equal(1, Count(weighted, "RegionStatistics.ComputeWithCrossEntropy(logits: pred, target: t, valid: null, pixelWeight: w, perImage: false, posWeight: 1.0,"));
        Assert.Equal(1, Count(weighted, "PixelLosses.MeanOverAllElements(sum: bceSum, logits: pred)"));
        var overAll = Generate("""[Loss("bce(mean_over: all) + iou", ValidMask = LossPixelMap.PerChannel, PixelWeight = LossPixelMap.PerPixel)]""");
        Assert.Equal(1, Count(overAll, "RegionStatistics.ComputeWithCrossEntropy(logits: pred, target: t, valid: valid, pixelWeight: w, perImage: false, posWeight: 1.0,"));
        Assert.Equal(1, Count(overAll, "PixelLosses.MeanOverAllElements(sum: bceSum, logits: pred)"));
        Assert.Equal(0, Count(overAll, "MeanOverKeptElements("));
    }

    [Fact]
    public void Bce_and_focal_on_logits_each_run_a_fused_kernel_without_a_shared_sigmoid()
    {
        // One fused cross-entropy per term is cheaper than materialising log p and log(1 − p) to share them.
        var code = Generate("""[Loss("bce + focal + dice")]""");

        // The statistics node holds one pixel term: bce's.
        Assert.Equal(1, Count(code, "PixelLosses.MeanOverAllElements(sum: bceSum, logits: pred)"));
        Assert.Equal(1, Count(code, "PixelLosses.BinaryFocalWithLogits(logits: pred, target: t,"));
        // Each node computes the sigmoid it needs inside; no term reads a shared p.
        Assert.Equal(0, Count(code, "Probabilities.Sigmoid("));
        Assert.Equal(0, Count(code, "var logp"));
    }

    [Fact]
    public void Bce_and_focal_on_probabilities_share_the_clamped_logs()
    {
        var code = Generate("""[Loss("bce + focal + dice", Input = LossInput.Probabilities)]""");

        Assert.Equal(1, Count(code, "Probabilities.ClampedLog("));
        Assert.Equal(1, Count(code, "Probabilities.ClampedLogOneMinus("));
        Assert.Equal(1, Count(code, "PixelLosses.BinaryCrossEntropy(logP: logp, logNotP: log1mp,"));
        Assert.Equal(1, Count(code, "PixelLosses.BinaryFocal(probabilities: pred, logP: logp, logNotP: log1mp,"));
    }

    [Fact]
    public void Per_image_statistics_are_a_second_shared_value_not_a_copy()
    {
        var code = Generate("""[Loss("dice + iou + dice(per_image: true) + iou(per_image: true)")]""");

        Assert.Equal(2, Count(code, "RegionStatistics.ComputeFromLogits("));
        Assert.Equal(4, Count(code, "statistics: statsPerImage,"));
    }

    [Fact]
    public void Softmax_and_one_hot_are_computed_once_for_labels()
    {
        var code = Generate("""[Loss("ce + dice + focal + lovasz_softmax", Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255)]""");

        Assert.Equal(1, Count(code, "Probabilities.Softmax("));
        Assert.Equal(1, Count(code, "Probabilities.LogSoftmax("));
        Assert.Equal(1, Count(code, "Inputs.Labels("));
        Assert.Equal(1, Count(code, "Inputs.Valid("));
        // lovasz_softmax reads the one-hot map; ce, focal and the statistics read the class indices.
        Assert.Equal(1, Count(code, "Inputs.OneHot("));
        Assert.Equal(1, Count(code, "RegionStatistics.ComputeFromLabels(probabilities: p, labels: labels,"));
    }

    [Fact]
    public void Labels_without_a_map_reading_term_build_no_one_hot_map()
    {
        var code = Generate("""[Loss("ce + dice + sensitivity_specificity", Target = LossTarget.Labels, Classes = 3)]""");

        Assert.Equal(0, Count(code, "Inputs.OneHot("));
        Assert.Equal(1, Count(code, "RegionStatistics.ComputeFromLabelsWithCrossEntropy(logits: pred, labels: labels, valid: null, pixelWeight: null, perImage: false, weight: null, labelSmoothing: 0.0, regionTerms: "));
    }

    [Fact]
    public void Ce_beside_region_terms_on_class_indices_is_summed_in_their_statistics_node()
    {
        // One node on the logits: no softmax, no log-softmax step; ce is its sum over the kept pixels' count.
        var code = Generate("""[Loss("ce + dice + ce(label_smoothing: 0.1)", Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255)]""");
        Assert.Equal(1, Count(code, "RegionStatistics.ComputeFromLabelsWithCrossEntropy(logits: pred, labels: labels, valid: valid, pixelWeight: null, perImage: false, weight: null, labelSmoothing: 0.0, regionTerms: "));
        Assert.Equal(1, Count(code, "PixelLosses.MeanOverKeptPixels(sum: ceSum, labels: labels, valid: valid)"));
        Assert.Equal(0, Count(code, "Probabilities.Softmax("));
        // A ce with other constants than the summed one keeps its own kernel, on a log-softmax of its own; its unreduced
        // twin too, the summed one's reads the logits.
        Assert.Equal(1, Count(code, "PixelLosses.CrossEntropy(logProbabilities: logp, labels: labels, valid: valid, weight: null, labelSmoothing: 0.1"));
        Assert.Equal(1, Count(code, "PixelLosses.CrossEntropyWithLogitsUnreduced(logits: pred, labels: labels, valid: valid, weight: null, labelSmoothing: 0.0, pixelWeight: null)"));

        // Class weights and label smoothing are summed in the node too; the mean divides by the kept pixels' weights.
        var weighted = Generate("""[Loss("ce(weight: [1, 2, 1], label_smoothing: 0.1) + dice", Target = LossTarget.Labels, Classes = 3)]""");
        Assert.Equal(1, Count(weighted, "RegionStatistics.ComputeFromLabelsWithCrossEntropy(logits: pred, labels: labels, valid: null, pixelWeight: null, perImage: false, weight: classWeights, labelSmoothing: 0.1, regionTerms: "));
        Assert.Equal(1, Count(weighted, "PixelLosses.MeanOverClassWeights(sum: ceSum, logits: pred, labels: labels, valid: null, weight: classWeights)"));
        Assert.Equal(1, Count(weighted, "PixelLosses.CrossEntropyWithLogitsUnreduced(logits: pred, labels: labels, valid: null, weight: classWeights, labelSmoothing: 0.1, pixelWeight: null)"));
        Assert.Equal(1, Count(weighted, "ConstantBuffers.ClassWeights("));
        Assert.Equal(0, Count(weighted, "Probabilities.LogSoftmax("));

        // Beside a focal (which the node sums instead) or on probabilities, ce keeps its own kernel.
        Assert.Equal(0, Count(Generate("""[Loss("ce + dice + focal", Target = LossTarget.Labels, Classes = 3)]"""), "ComputeFromLabelsWithCrossEntropy("));
        Assert.Equal(0, Count(Generate("""[Loss("ce + dice", Target = LossTarget.Labels, Classes = 3, Input = LossInput.Probabilities)]"""), "ComputeFromLabelsWithCrossEntropy("));
        Assert.Equal(0, Count(Generate("""[Loss("ce", Target = LossTarget.Labels, Classes = 3)]"""), "ComputeFromLabelsWithCrossEntropy("));
    }

    [Fact]
    public void Focal_beside_region_terms_on_class_indices_is_summed_in_their_statistics_node()
    {
        // One node on the logits: no softmax, no log-softmax step; focal is its sum over the kept pixels' count, and its
        // unreduced values come from the logits.
        var code = Generate("""[Loss("dice(include_background: false) + 0.5 * focal(gamma: 2)", Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255)]""");
        Assert.Equal(1, Count(code, "RegionStatistics.ComputeFromLabelsWithFocal(logits: pred, labels: labels, valid: valid, pixelWeight: null, perImage: false, gamma: 2.0, weight: null, regionTerms: new global::LossDsl.Kernels.RegionTerm[] { "
            + "global::LossDsl.Kernels.RegionTerm.Dice(smoothNumerator: 1.0, smoothDenominator: 1.0, log: false, zeroWhenEmpty: false, weight: null, includeBackground: false) }, "
            + "loss: \"Fused\", checkValues: CheckValues, checkLabels: true, ignoreIndex: 255)"));
        // The node checks pred's values and, as the first step to read them, the labels' range: the labels' step neither.
        Assert.Equal(1, Count(code, "Inputs.Labels(loss: \"Fused\", pred: pred, target: target, classes: 4, ignoreIndex: 255, spatialRank: 2, checkValues: false, checkRange: false)"));
        Assert.Equal(1, Count(code, "PixelLosses.MeanOverKeptPixels(sum: focalSum, labels: labels, valid: valid)"));
        Assert.Equal(1, Count(code, "PixelLosses.FocalWithLogitsUnreduced(logits: pred, labels: labels, valid: valid, gamma: 2.0, weight: null, pixelWeight: null)"));
        Assert.Equal(0, Count(code, "Probabilities.Softmax("));
        Assert.Equal(0, Count(code, "Probabilities.LogSoftmax("));

        // Two focals with one γ share the sum; per image, the per-image statistics host it.
        Assert.Equal(2, Count(Generate("""[Loss("dice + focal + 2 * focal(gamma: 2)", Target = LossTarget.Labels, Classes = 3)]"""), "MeanOverKeptPixels(sum: focalSum"));
        Assert.Equal(1, Count(Generate("""[Loss("dice(per_image: true) + focal", Target = LossTarget.Labels, Classes = 3)]"""), "ComputeFromLabelsWithFocal(logits: pred, labels: labels, valid: null, pixelWeight: null, perImage: true"));

        // With class weights, the node sums each pixel's focal times its class's weight.
        var weighted = Generate("""[Loss("dice + focal(weight: [1, 2, 1])", Target = LossTarget.Labels, Classes = 3)]""");
        Assert.Equal(1, Count(weighted, "RegionStatistics.ComputeFromLabelsWithFocal(logits: pred, labels: labels, valid: null, pixelWeight: null, perImage: false, gamma: 2.0, weight: classWeights, regionTerms: "));
        Assert.Equal(1, Count(weighted, "PixelLosses.FocalWithLogitsUnreduced(logits: pred, labels: labels, valid: null, gamma: 2.0, weight: classWeights, pixelWeight: null)"));

        // Beside a ce, focal is the one summed (a separate focal would read p and log p, a separate ce only log p).
        var withCrossEntropy = Generate("""[Loss("ce + dice + focal", Target = LossTarget.Labels, Classes = 3)]""");
        Assert.Equal(1, Count(withCrossEntropy, "RegionStatistics.ComputeFromLabelsWithFocal(logits: pred, labels: labels, valid: null, pixelWeight: null, perImage: false, gamma: 2.0, weight: null, regionTerms: "));
        Assert.Equal(1, Count(withCrossEntropy, "PixelLosses.CrossEntropy(logProbabilities: logp,"));
        Assert.Equal(0, Count(withCrossEntropy, "Probabilities.Softmax("));

        // Another γ or other class weights, or probabilities as input, keep the separate kernels.
        foreach (var loss in new[]
        {
            """[Loss("dice + focal + focal(gamma: 3)", Target = LossTarget.Labels, Classes = 3)]""",
            """[Loss("dice + focal + focal(weight: [1, 2, 1])", Target = LossTarget.Labels, Classes = 3)]""",
            """[Loss("dice + focal", Target = LossTarget.Labels, Classes = 3, Input = LossInput.Probabilities)]""",
        })
        {
            Assert.Equal(0, Count(Generate(loss), "ComputeFromLabelsWith"));
        }
    }

    [Fact]
    public void Constants_fold_into_one_weight_per_term()
    {
        var code = Generate("""[Loss("2 * 0.5 * dice + iou / 4 - -bce")]""");
        Assert.Contains("var total = dice + 0.25 * iou + bce;", code);
    }

    [Fact]
    public void Equal_constant_buffers_are_built_once_and_shared()
    {
        var code = Generate("""[Loss("dice(weight: [1, 2, 3]) + iou(weight: [1, 2, 3]) + tversky(weight: [3, 2, 1]) + ssim(11) + ssim(11, sigma: 2) + ssim(window: 11)", Classes = 3)]""");

        Assert.Equal(2, Count(code, "ConstantBuffers.ClassWeights("));
        Assert.Equal(2, Count(code, "ConstantBuffers.GaussianWindow("));
        Assert.Equal(2, Count(code, "weight: classWeights,"));
        Assert.Equal(1, Count(code, "weight: classWeights2,"));
        // Buffers are assigned in the constructor, never in Evaluate.
        var evaluate = code[code.IndexOf("Evaluate(global::", StringComparison.Ordinal)..];
        Assert.DoesNotContain("ConstantBuffers.", evaluate);
    }

    private static string Generate(string attribute) =>
        GeneratorHarness.GeneratedSource("using LossDsl;\n" + attribute + "\npublic sealed partial class Fused;");

    private static int Count(string code, string text) => Regex.Matches(code, Regex.Escape(text)).Count;
}
