using System;
using System.ComponentModel;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// The per-channel sums every region loss is a function of (LOSSES.md, "Region statistics"), over valid elements only:
/// <c>TP = Σ p·t</c>, <c>P = Σ p</c>, <c>T = Σ t</c> and the count of valid elements <c>Nv</c>, over batch and spatial
/// dims (shape [C]) or, per image, over spatial dims only (shape [N, C]). Computed once per forward pass and shared by
/// dice, iou, tversky and the rest. With a pixel weight map every sum is weighted, <c>Nv</c> too (<c>Σ valid·w</c>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RegionStatistics
{
    private readonly Tensor like;
    private readonly Lazy<Tensor> probabilities;
    private readonly Tensor? targetMap;
    private readonly Tensor? labels;
    // What each element's contribution is multiplied by: the weight map (already 0 where not valid), or the kept pixels.
    private readonly Tensor? scale;
    private readonly long[] reduce;
    // With a data-parallel group every sum over this shard is summed across it (AcrossGroup).
    private readonly ILossGroup? group;

    // The region terms the statistics node evaluated, each handed out once (Evaluated); none for statistics summed here or
    // across a group.
    private readonly (RegionTerm Term, Tensor? Value)[] evaluated = Array.Empty<(RegionTerm, Tensor?)>();

    // like: a tensor of pred's shape, dtype and device (p or the logits); p itself is only read where a sum needs it.
    private RegionStatistics(Tensor like, Lazy<Tensor> probabilities, Tensor? scale, bool perImage)
    {
        this.like = like;
        this.probabilities = probabilities;
        this.scale = scale;
        PerImage = perImage;
        reduce = ReducedDims(like, perImage);
        count = new Lazy<Tensor>(CountValid);
        // Each read by every dice, iou or tversky term that asks for it: summed once per forward pass.
        absoluteDifferences = new Lazy<Tensor>(SumAbsoluteDifferences);
        squaredSums = new Lazy<(Tensor, Tensor)>(SumSquares);
    }

    // A mask or a one-hot map: the sums read it directly.
    private RegionStatistics(Tensor probabilities, Tensor target, Tensor? valid, Tensor? pixelWeight, bool perImage)
        : this(probabilities, new Lazy<Tensor>(probabilities), pixelWeight ?? valid, perImage)
    {
        targetMap = target;

        // p and t times the scale (a valid mask or a weight map; without one, p and t as they are), TP from the scaled p.
        using var scaled = Kept(probabilities);
        TruePositive = SumOfProducts(scaled, target, reduce);
        Predicted = Reduce(scaled);
        Target = SumKept(target);
    }

    // Logits: TP, P and T from one node with a closed-form gradient (SigmoidStatistics for a mask, SoftmaxStatistics for
    // class indices), and the region terms it evaluated; p exists only if a term's own sums ask for it
    // (sensitivity_specificity, mcc).
    private RegionStatistics(Tensor logits, Lazy<Tensor> probabilities, Tensor? targetMap, Tensor? labels, Tensor? scale, bool perImage,
        Tensor truePositive, Tensor predicted, Tensor targetSum, (RegionTerm Term, Tensor Value)[] evaluated)
        : this(logits, probabilities, scale, perImage)
    {
        this.targetMap = targetMap;
        this.labels = labels;
        TruePositive = truePositive;
        Predicted = predicted;
        Target = targetSum;
        this.evaluated = evaluated.Select(e => (e.Term, (Tensor?)e.Value)).ToArray();
    }

    /// <summary>
    /// The value of a region term the statistics node evaluated (<see cref="RegionTerm"/>), taken by the first term that
    /// asks for it; null when the node did not evaluate it, and the term computes itself from the statistics.
    /// </summary>
    internal Tensor? Evaluated(RegionTerm term)
    {
        for (var k = 0; k < evaluated.Length; k++)
        {
            if (evaluated[k].Value is { } value && evaluated[k].Term.Matches(term))
            {
                evaluated[k].Value = null;
                return value;
            }
        }

        return null;
    }

    // The shard's statistics summed across the group: TP, P and T in one message, the other sums when a term reads them.
    private RegionStatistics(RegionStatistics shard, ILossGroup group)
        : this(shard.like, shard.probabilities, shard.scale, shard.PerImage)
    {
        this.group = group;
        targetMap = shard.targetMap;
        labels = shard.labels;
        var channels = shard.TruePositive.size(0);
        using var local = cat(new[] { shard.TruePositive, shard.Predicted, shard.Target });
        using var summed = GroupReduction.Sum(local, group);
        TruePositive = summed.narrow(0, 0, channels);
        Predicted = summed.narrow(0, channels, channels);
        Target = summed.narrow(0, 2 * channels, channels);
    }

    /// <summary>The dims the sums run over: batch and spatial dims, or spatial dims only per image.</summary>
    internal static long[] ReducedDims(Tensor like, bool perImage)
    {
        var spatial = Enumerable.Range(2, (int)like.dim() - 2).Select(d => (long)d);
        return (perImage ? spatial : spatial.Prepend(0)).ToArray();
    }

    // Class indices: TP and T add one value per pixel into its class, so no [N, C, *spatial] map or product is needed.
    private RegionStatistics(Tensor probabilities, Tensor labels, Tensor? scale, bool perImage, int classes)
        : this(probabilities, new Lazy<Tensor>(probabilities), scale, perImage)
    {
        this.labels = labels;
        Predicted = SumKept(probabilities);
        using var pY = probabilities.gather(1, labels);
        using var one = ones(1, dtype: probabilities.dtype, device: probabilities.device);
        using var everyPixel = one.expand(labels.shape);
        TruePositive = AddIntoClasses(pY, classes);
        Target = AddIntoClasses(everyPixel, classes);
    }

    private readonly Lazy<Tensor> count;
    private readonly Lazy<Tensor> absoluteDifferences;
    private readonly Lazy<(Tensor PredictedSquares, Tensor TargetSquares)> squaredSums;

    /// <summary>Σ p·t per channel.</summary>
    public Tensor TruePositive { get; } = null!;

    /// <summary>Σ p per channel.</summary>
    public Tensor Predicted { get; } = null!;

    /// <summary>Σ t per channel.</summary>
    public Tensor Target { get; } = null!;

    /// <summary>Nv: the number of valid elements per channel (all elements when nothing is ignored).</summary>
    public Tensor Count => count.Value;

    /// <summary>Whether the sums are per (image, channel) rather than per channel.</summary>
    public bool PerImage { get; }

    /// <summary>
    /// Sums <paramref name="probabilities"/> and <paramref name="target"/>, both [N, C, *spatial], over the elements
    /// where <paramref name="valid"/> ([N, 1 or C, *spatial], 0 or 1; null keeps every element) is 1, each weighted by
    /// <paramref name="pixelWeight"/> (the weight map times the kept pixels; null for 1).
    /// </summary>
    public static RegionStatistics Compute(Tensor probabilities, Tensor target, Tensor? valid, Tensor? pixelWeight, bool perImage) =>
        new(probabilities, target, valid, pixelWeight, perImage);

    /// <summary>
    /// The same sums for a mask on logits (no ignored pixels), p = σ(logits), with TP and P from one autograd node whose
    /// gradient is written out (<see cref="SigmoidStatistics"/>): the same values and gradients as <see cref="Compute"/>
    /// on the sigmoid, without recording it.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    /// <param name="perImage">Sums per (image, channel) rather than per channel.</param>
    /// <param name="regionTerms">The overlap terms reading these statistics that the node is to evaluate too, or null.</param>
    /// <param name="loss">The loss's name, for the value checks' messages.</param>
    /// <param name="checkValues">
    /// Whether the node checks that the logits are finite and the mask in [0, 1] (<see cref="LossModule.CheckValues"/>),
    /// as <see cref="Inputs.Mask"/> would: its pass reads both anyway, so the plan hands it the checks.
    /// </param>
    public static RegionStatistics ComputeFromLogits(Tensor logits, Tensor target, Tensor? valid, Tensor? pixelWeight, bool perImage, RegionTerm[]? regionTerms, string loss,
        bool checkValues)
    {
        var scale = pixelWeight ?? valid;
        var (truePositive, predicted, targetSum, _, evaluated) =
            SigmoidStatistics.Compute(logits, target, ReducedDims(logits, perImage), SigmoidPixelSum.None, positiveWeight: null, scale, regionTerms, checkValues ? loss : null);
        return OnLogits(logits, target, scale, perImage, truePositive, predicted, targetSum, evaluated);
    }

    /// <summary>
    /// <see cref="ComputeFromLogits"/>, and in the same node the binary cross-entropy summed over every element, each
    /// times its pixel weight (or 0 where not kept), for a bce term beside the region terms
    /// (<see cref="PixelLosses.MeanOverKeptElements"/>): two outputs of one step.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    /// <param name="perImage">Sums per (image, channel) rather than per channel; the cross-entropy is summed over all.</param>
    /// <param name="posWeight">bce's positive weight, null for <c>auto</c> (counted over the kept elements, unweighted).</param>
    /// <param name="regionTerms">The overlap terms reading these statistics that the node is to evaluate too, or null.</param>
    /// <param name="loss">The loss's name, for the value checks' messages.</param>
    /// <param name="checkValues">
    /// Whether the node checks that the logits are finite and the mask in [0, 1] (<see cref="LossModule.CheckValues"/>),
    /// as <see cref="Inputs.Mask"/> would: its pass reads both anyway, so the plan hands it the checks.
    /// </param>
    public static (RegionStatistics Statistics, Tensor CrossEntropySum) ComputeWithCrossEntropy(Tensor logits, Tensor target, Tensor? valid, Tensor? pixelWeight, bool perImage,
        double? posWeight, RegionTerm[]? regionTerms, string loss, bool checkValues)
    {
        using var positiveWeight = PixelLosses.PositiveWeight(target, posWeight, valid);
        var scale = pixelWeight ?? valid;
        var (truePositive, predicted, targetSum, crossEntropySum, evaluated) = SigmoidStatistics.Compute(
            logits, target, ReducedDims(logits, perImage), SigmoidPixelSum.CrossEntropy, positiveWeight, scale, regionTerms, checkValues ? loss : null);
        return (OnLogits(logits, target, scale, perImage, truePositive, predicted, targetSum, evaluated), crossEntropySum!);
    }

    /// <summary>
    /// <see cref="ComputeFromLogits"/>, and in the same node mask focal without class weights summed over every element,
    /// each times its pixel weight (or 0 where not kept), for a focal term beside the region terms
    /// (<see cref="PixelLosses.MeanOverKeptElements"/>): two outputs of one step.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    /// <param name="perImage">Sums per (image, channel) rather than per channel; focal is summed over all.</param>
    /// <param name="alpha">focal's α in [0, 1], or negative for none.</param>
    /// <param name="gamma">focal's γ ≥ 0.</param>
    /// <param name="weight">focal's channel weights ([C], MONAI's <c>weight</c>), or null.</param>
    /// <param name="regionTerms">The overlap terms reading these statistics that the node is to evaluate too, or null.</param>
    /// <param name="loss">The loss's name, for the value checks' messages.</param>
    /// <param name="checkValues">
    /// Whether the node checks that the logits are finite and the mask in [0, 1] (<see cref="LossModule.CheckValues"/>),
    /// as <see cref="Inputs.Mask"/> would: its pass reads both anyway, so the plan hands it the checks.
    /// </param>
    public static (RegionStatistics Statistics, Tensor FocalSum) ComputeWithFocal(Tensor logits, Tensor target, Tensor? valid, Tensor? pixelWeight, bool perImage,
        double alpha, double gamma, Tensor? weight, RegionTerm[]? regionTerms, string loss, bool checkValues)
    {
        var scale = pixelWeight ?? valid;
        var focal = PixelLosses.FocalPixelSum(alpha, gamma, weight, logits);
        var (truePositive, predicted, targetSum, focalSum, evaluated) = SigmoidStatistics.Compute(
            logits, target, ReducedDims(logits, perImage), focal, positiveWeight: null, scale, regionTerms, checkValues ? loss : null);
        return (OnLogits(logits, target, scale, perImage, truePositive, predicted, targetSum, evaluated), focalSum!);
    }

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeFromLogits"/>, for a total that adds up, with constant factors,
    /// only region terms the node evaluates: <c>constant + Σ_k regionTermFactors[k]·regionTerms[k]</c>, as one autograd
    /// node from the logits to the loss (<see cref="SigmoidStatistics.Total"/>). Null where the terms must be evaluated
    /// one by one: with a data-parallel group (the statistics are summed across it first), or tensors the node's one-pass
    /// kernel does not take. A plan calls it for <c>forward</c> alone, which then evaluates the terms on null.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="perImage">Sums per (image, channel) rather than per channel.</param>
    /// <param name="regionTerms">The overlap terms the total adds up.</param>
    /// <param name="regionTermFactors">Each term's factor in the total, in the order of <paramref name="regionTerms"/>.</param>
    /// <param name="constant">What the total adds besides.</param>
    /// <param name="loss">The loss's name, for the value checks' messages.</param>
    /// <param name="checkValues">Whether the node checks that the logits are finite and the mask in [0, 1], as for <see cref="ComputeFromLogits"/>.</param>
    /// <param name="group">The module's data-parallel group, or null.</param>
    public static Tensor? TotalFromLogits(Tensor logits, Tensor target, bool perImage, RegionTerm[]? regionTerms, double[] regionTermFactors, double constant, string loss,
        bool checkValues, ILossGroup? group) =>
        group is not null ? null
        : SigmoidStatistics.Total(logits, target, ReducedDims(logits, perImage), SigmoidPixelSum.None, positiveWeight: null, regionTerms ?? Array.Empty<RegionTerm>(),
            new LinearTotal(0, regionTermFactors, constant), checkValues ? loss : null);

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeWithCrossEntropy"/> (no valid mask or weight map), for a total
    /// that adds up, with constant factors, only bce's mean over every element and region terms the node evaluates, as
    /// <see cref="TotalFromLogits"/>.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="perImage">Sums per (image, channel) rather than per channel; the cross-entropy is summed over all.</param>
    /// <param name="posWeight">bce's positive weight, null for <c>auto</c>.</param>
    /// <param name="crossEntropyFactor">The factor of bce's mean in the total.</param>
    /// <param name="regionTerms">The overlap terms the total adds up.</param>
    /// <param name="regionTermFactors">Each term's factor in the total, in the order of <paramref name="regionTerms"/>.</param>
    /// <param name="constant">What the total adds besides.</param>
    /// <param name="loss">The loss's name, for the value checks' messages.</param>
    /// <param name="checkValues">Whether the node checks that the logits are finite and the mask in [0, 1], as for <see cref="ComputeFromLogits"/>.</param>
    /// <param name="group">The module's data-parallel group, or null.</param>
    public static Tensor? TotalWithCrossEntropy(Tensor logits, Tensor target, bool perImage, double? posWeight, double crossEntropyFactor, RegionTerm[]? regionTerms,
        double[] regionTermFactors, double constant, string loss, bool checkValues, ILossGroup? group)
    {
        if (group is not null)
        {
            return null;
        }

        using var positiveWeight = PixelLosses.PositiveWeight(target, posWeight, null);
        return SigmoidStatistics.Total(logits, target, ReducedDims(logits, perImage), SigmoidPixelSum.CrossEntropy, positiveWeight, regionTerms ?? Array.Empty<RegionTerm>(),
            new LinearTotal(crossEntropyFactor, regionTermFactors, constant), checkValues ? loss : null);
    }

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeWithFocal"/> (no valid mask or weight map), for a total that adds
    /// up, with constant factors, only focal's mean over every element and region terms the node evaluates, as
    /// <see cref="TotalFromLogits"/>.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="perImage">Sums per (image, channel) rather than per channel; focal is summed over all.</param>
    /// <param name="alpha">focal's α in [0, 1], or negative for none.</param>
    /// <param name="gamma">focal's γ ≥ 0.</param>
    /// <param name="weight">focal's channel weights ([C]), or null.</param>
    /// <param name="focalFactor">The factor of focal's mean in the total.</param>
    /// <param name="regionTerms">The overlap terms the total adds up.</param>
    /// <param name="regionTermFactors">Each term's factor in the total, in the order of <paramref name="regionTerms"/>.</param>
    /// <param name="constant">What the total adds besides.</param>
    /// <param name="loss">The loss's name, for the value checks' messages.</param>
    /// <param name="checkValues">Whether the node checks that the logits are finite and the mask in [0, 1], as for <see cref="ComputeFromLogits"/>.</param>
    /// <param name="group">The module's data-parallel group, or null.</param>
    public static Tensor? TotalWithFocal(Tensor logits, Tensor target, bool perImage, double alpha, double gamma, Tensor? weight, double focalFactor, RegionTerm[]? regionTerms,
        double[] regionTermFactors, double constant, string loss, bool checkValues, ILossGroup? group) =>
        group is not null ? null
        : SigmoidStatistics.Total(logits, target, ReducedDims(logits, perImage), PixelLosses.FocalPixelSum(alpha, gamma, weight, logits), positiveWeight: null,
            regionTerms ?? Array.Empty<RegionTerm>(), new LinearTotal(focalFactor, regionTermFactors, constant), checkValues ? loss : null);

    // A mask's statistics from the node on its logits: p = σ(x) if a term asks.
    private static RegionStatistics OnLogits(Tensor logits, Tensor target, Tensor? scale, bool perImage, Tensor truePositive, Tensor predicted, Tensor targetSum,
        (RegionTerm Term, Tensor Value)[] evaluated) =>
        new(logits, new Lazy<Tensor>(() => Probabilities.Sigmoid(logits)), target, null, scale, perImage, truePositive, predicted, targetSum, evaluated);

    /// <summary>
    /// <see cref="ComputeFromLabels"/> on the softmax of <paramref name="logits"/>, and the cross-entropy's per-pixel
    /// numerators summed over the kept pixels, <c>Σ v·((1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c))</c> as
    /// <see cref="PixelLosses.CrossEntropyUnreduced"/> gives them (for a ce term beside the region terms, which divides
    /// it by what <see cref="PixelLosses.CrossEntropy"/> divides by): two outputs of one step. Tensors
    /// <see cref="Cpu.CpuRows.OfLabels"/> accepts take one fused pass each way (<see cref="SoftmaxStatistics"/>); others
    /// the softmax, the statistics and ce's kernel on the log-softmax, with the same values.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="labels">The class indices from <see cref="Inputs.Labels"/>, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when every pixel is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null: it scales the statistics and each pixel's numerator.</param>
    /// <param name="perImage">Sums per (image, class) rather than per class; the cross-entropy is summed over all.</param>
    /// <param name="weight">Class weights w_c ([C]), or null.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="regionTerms">The overlap terms reading these statistics that the node is to evaluate too, or null.</param>
    /// <param name="loss">The loss's name, for the value check's message.</param>
    /// <param name="checkValues">
    /// Whether the node checks that the logits are finite (<see cref="LossModule.CheckValues"/>), as
    /// <see cref="Inputs.Labels"/> would: its pass reads them anyway, so the plan hands it the check.
    /// </param>
    /// <param name="checkLabels">
    /// Whether the node checks that every label is a class index, which <see cref="Inputs.Labels"/> then left to it (the
    /// node reads the labels first): the one-pass kernel always checks them, from the labels it reads; the
    /// torch-operation path then checks them first.
    /// </param>
    /// <param name="ignoreIndex">The target's ignore index, which the labels' check names, or null.</param>
    public static (RegionStatistics Statistics, Tensor CrossEntropySum) ComputeFromLabelsWithCrossEntropy(
        Tensor logits, Tensor labels, Tensor? valid, Tensor? pixelWeight, bool perImage, Tensor? weight, double labelSmoothing, RegionTerm[]? regionTerms, string loss,
        bool checkValues, bool checkLabels, int? ignoreIndex) =>
        ComputeFromLabelsWithPixelSum(logits, labels, valid, pixelWeight, perImage, weight, regionTerms, checkValues ? loss : null, new(loss, ignoreIndex), checkLabels,
            classWeights => LabelPixelSum.WeightedCrossEntropy(classWeights, labelSmoothing),
            (logProbabilities, _) => PixelLosses.CrossEntropyUnreduced(logProbabilities, labels, valid, weight, labelSmoothing, pixelWeight));

    /// <summary>
    /// <see cref="ComputeFromLabelsWithCrossEntropy"/> with focal (γ, and class weights) as the summed pixel term:
    /// <c>Σ v·w_y·(1 − p_y)^γ·(−log p_y)</c> beside the statistics, in one node with one pass each way for the tensors
    /// <see cref="Cpu.CpuRows.OfLabels"/> takes, and as the softmax, the statistics and focal's kernels otherwise.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="labels">The class indices from <see cref="Inputs.Labels"/>, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when every pixel is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null: it scales the statistics and each pixel's focal.</param>
    /// <param name="perImage">Sums per (image, class) rather than per class; focal is summed over all.</param>
    /// <param name="gamma">Focal's γ ≥ 0.</param>
    /// <param name="weight">Class weights w_c ([C]), or null.</param>
    /// <param name="regionTerms">The overlap terms reading these statistics that the node is to evaluate too, or null.</param>
    /// <param name="loss">The loss's name, for the value check's message.</param>
    /// <param name="checkValues">Whether the node checks that the logits are finite, as for <see cref="ComputeFromLabelsWithCrossEntropy"/>.</param>
    /// <param name="checkLabels">Whether the node checks that every label is a class index, as for <see cref="ComputeFromLabelsWithCrossEntropy"/>.</param>
    /// <param name="ignoreIndex">The target's ignore index, which the labels' check names, or null.</param>
    public static (RegionStatistics Statistics, Tensor FocalSum) ComputeFromLabelsWithFocal(Tensor logits, Tensor labels, Tensor? valid, Tensor? pixelWeight, bool perImage,
        double gamma, Tensor? weight, RegionTerm[]? regionTerms, string loss, bool checkValues, bool checkLabels, int? ignoreIndex) =>
        ComputeFromLabelsWithPixelSum(logits, labels, valid, pixelWeight, perImage, weight, regionTerms, checkValues ? loss : null, new(loss, ignoreIndex), checkLabels,
            classWeights => LabelPixelSum.Focal(gamma, classWeights),
            (logProbabilities, probabilities) => PixelLosses.FocalUnreduced(probabilities, logProbabilities, labels, valid, gamma, weight, pixelWeight));

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeFromLabelsWithCrossEntropy"/> (every pixel kept, no pixel weight
    /// map, no class weights), for a total that adds up, with constant factors, only ce's mean over the pixels and
    /// region terms the node evaluates, as <see cref="TotalFromLogits"/> does for a mask. Null with a data-parallel group
    /// or on tensors the node's one-pass kernel does not take.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="labels">The class indices from <see cref="Inputs.Labels"/>, [N, 1, *spatial].</param>
    /// <param name="perImage">Sums per (image, class) rather than per class; the cross-entropy is summed over all.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="crossEntropyFactor">The factor of ce's mean in the total.</param>
    /// <param name="regionTerms">The overlap terms the total adds up.</param>
    /// <param name="regionTermFactors">Each term's factor in the total, in the order of <paramref name="regionTerms"/>.</param>
    /// <param name="constant">What the total adds besides.</param>
    /// <param name="loss">The loss's name, for the checks' messages.</param>
    /// <param name="checkValues">Whether the node checks that the logits are finite, as for <see cref="ComputeFromLabelsWithCrossEntropy"/>.</param>
    /// <param name="group">The module's data-parallel group, or null.</param>
    public static Tensor? TotalFromLabelsWithCrossEntropy(Tensor logits, Tensor labels, bool perImage, double labelSmoothing, double crossEntropyFactor, RegionTerm[]? regionTerms,
        double[] regionTermFactors, double constant, string loss, bool checkValues, ILossGroup? group) =>
        TotalFromLabels(logits, labels, perImage, null, _ => LabelPixelSum.WeightedCrossEntropy(null, labelSmoothing), new LinearTotal(crossEntropyFactor, regionTermFactors, constant),
            regionTerms, loss, checkValues, group);

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeFromLabelsWithFocal"/> (every pixel kept, no pixel weight map),
    /// for a total that adds up, with constant factors, only focal's mean over the pixels and region terms the node
    /// evaluates, as <see cref="TotalFromLabelsWithCrossEntropy"/>.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="labels">The class indices from <see cref="Inputs.Labels"/>, [N, 1, *spatial].</param>
    /// <param name="perImage">Sums per (image, class) rather than per class; focal is summed over all.</param>
    /// <param name="gamma">Focal's γ ≥ 0.</param>
    /// <param name="weight">Class weights w_c ([C]), or null.</param>
    /// <param name="focalFactor">The factor of focal's mean in the total.</param>
    /// <param name="regionTerms">The overlap terms the total adds up.</param>
    /// <param name="regionTermFactors">Each term's factor in the total, in the order of <paramref name="regionTerms"/>.</param>
    /// <param name="constant">What the total adds besides.</param>
    /// <param name="loss">The loss's name, for the checks' messages.</param>
    /// <param name="checkValues">Whether the node checks that the logits are finite, as for <see cref="ComputeFromLabelsWithCrossEntropy"/>.</param>
    /// <param name="group">The module's data-parallel group, or null.</param>
    public static Tensor? TotalFromLabelsWithFocal(Tensor logits, Tensor labels, bool perImage, double gamma, Tensor? weight, double focalFactor, RegionTerm[]? regionTerms,
        double[] regionTermFactors, double constant, string loss, bool checkValues, ILossGroup? group) =>
        TotalFromLabels(logits, labels, perImage, weight, classWeights => LabelPixelSum.Focal(gamma, classWeights), new LinearTotal(focalFactor, regionTermFactors, constant),
            regionTerms, loss, checkValues, group);

    // The total from the node of class indices, where its one-pass kernel takes the tensors and there is no group.
    private static Tensor? TotalFromLabels(Tensor logits, Tensor labels, bool perImage, Tensor? weight, Func<double[]?, LabelPixelSum> nodeTerm, LinearTotal total,
        RegionTerm[]? regionTerms, string loss, bool checkValues, ILossGroup? group) =>
        group is null && Cpu.CpuRows.OfLabels(logits, labels, null, ReducedDims(logits, perImage)) is { } pixels && Cpu.CpuValues.TryReadClassWeights(weight, logits.size(1), out var classWeights)
            ? SoftmaxStatistics.Total(logits, labels, pixels, nodeTerm(classWeights), regionTerms ?? Array.Empty<RegionTerm>(), total, new(loss, null), checkValues ? loss : null)
            : null;

    // The statistics of class indices and one pixel term's sum, each pixel times its scale (the weight map times the kept
    // pixels, or the kept pixels): the node's pass, or else one softmax and one log-softmax that the statistics and the
    // term's per-pixel kernel (from log p and p) share; the labels checked first when checkLabels, and the logits checked
    // finite first when checkValuesOf names the loss.
    private static (RegionStatistics Statistics, Tensor PixelSum) ComputeFromLabelsWithPixelSum(
        Tensor logits, Tensor labels, Tensor? valid, Tensor? pixelWeight, bool perImage, Tensor? weight, RegionTerm[]? regionTerms, string? checkValuesOf, LabelsOf labelsOf,
        bool checkLabels, Func<double[]?, LabelPixelSum> nodeTerm, Func<Tensor, Tensor, Tensor> perPixelTerm)
    {
        var scale = pixelWeight ?? valid;
        if (Cpu.CpuRows.OfLabels(logits, labels, scale, ReducedDims(logits, perImage)) is { } pixels && Cpu.CpuValues.TryReadClassWeights(weight, logits.size(1), out var classWeights))
        {
            var term = nodeTerm(classWeights) with { WeighsPixels = pixelWeight is not null };
            var (truePositive, predicted, targetSum, sum, evaluated) = SoftmaxStatistics.Compute(logits, labels, scale, pixels, term, regionTerms, labelsOf, checkValuesOf);
            return (new(logits, new Lazy<Tensor>(() => Probabilities.Softmax(logits)), null, labels, scale, perImage, truePositive, predicted, targetSum, evaluated), sum);
        }

        if (checkLabels)
        {
            Inputs.CheckLabelRange(labelsOf.Loss, labels, logits.size(1), labelsOf.IgnoreIndex);
        }

        if (checkValuesOf is not null)
        {
            Inputs.CheckFinite(checkValuesOf, logits);
        }

        var probabilities = Probabilities.Softmax(logits);
        using var logProbabilities = Probabilities.LogSoftmax(logits);
        using var perPixel = perPixelTerm(logProbabilities, probabilities);
        return (ComputeFromLabels(probabilities, labels, valid, pixelWeight, perImage), perPixel.sum());
    }

    /// <summary>
    /// The same sums for a labels target, from the class indices (<see cref="Inputs.Labels"/>, [N, 1, *spatial]): TP and
    /// T add each kept pixel's p_y and 1 into its class y (each times its weight, with a weight map), instead of
    /// multiplying and summing a one-hot map.
    /// </summary>
    public static RegionStatistics ComputeFromLabels(Tensor probabilities, Tensor labels, Tensor? valid, Tensor? pixelWeight, bool perImage) =>
        new(probabilities, labels, pixelWeight ?? valid, perImage, checked((int)probabilities.size(1)));

    /// <summary>
    /// The statistics of the whole batch when <paramref name="statistics"/> are one shard's of it and
    /// <paramref name="group"/> holds the others (<see cref="LossModule.Group"/>): every sum, TP, P and T here and any
    /// other a term reads later, is summed across the group, with its gradient flowing back to this shard's pixels
    /// (<see cref="GroupReduction"/>). Without a group, the statistics themselves.
    /// </summary>
    /// <param name="statistics">This process's statistics, over the batch dim (not per image: an image's sums are its own).</param>
    /// <param name="group">The group, or null.</param>
    public static RegionStatistics AcrossGroup(RegionStatistics statistics, ILossGroup? group)
    {
        if (group is null)
        {
            return statistics;
        }

        if (statistics.PerImage)
        {
            throw new ArgumentException("Per-image statistics belong to their images; only the batch's sums are summed across a group.", nameof(statistics));
        }

        return new RegionStatistics(statistics, group);
    }

    /// <summary>
    /// sensitivity_specificity's sums over valid elements: missed <c>Σ (t − p)²·t</c> and false alarms
    /// <c>Σ (t − p)²·(1 − t)</c>. From labels, t is one-hot: the first is <c>(1 − p_y)²</c> added into class y, the second
    /// <c>p_c²</c> at every class but the label (p² with the label's entry replaced by 0), without a one-hot map.
    /// </summary>
    internal (Tensor Missed, Tensor FalseAlarm) SquaredErrors()
    {
        var p = probabilities.Value;
        if (targetMap is { } t)
        {
            using var error = (t - p).square();
            using var missed = error * t;
            using var falseAlarm = error * (1 - t);
            return (Summed(Reduce(Kept(missed))), Summed(Reduce(Kept(falseAlarm))));
        }

        var classes = (int)p.size(1);
        using var pY = p.gather(1, labels!);
        using var missedAtLabel = (1 - pY).square();
        using var squares = p.square();
        using var zero = zeros(1, dtype: p.dtype, device: p.device);
        using var offLabel = squares.scatter(1, labels!, zero.expand(labels!.shape));
        return (Summed(AddIntoClasses(missedAtLabel, classes)), Summed(Reduce(Kept(offLabel))));
    }

    /// <summary>
    /// <c>Σ |p − t|</c> over valid elements, weighted as the statistics are: the overlap of soft labels (MONAI's
    /// soft_label, smp 0.5) is <c>(P + T − Σ|p − t|) / 2</c>. From labels, t is one-hot and the sum is
    /// <c>P + T − 2·TP</c> exactly, with no pass over the data.
    /// </summary>
    internal Tensor AbsoluteDifferences() => absoluteDifferences.Value;

    private Tensor SumAbsoluteDifferences()
    {
        if (targetMap is { } t)
        {
            using var difference = probabilities.Value - t;
            using var absolute = difference.abs();
            return Summed(SumKept(absolute));
        }

        return Predicted + Target - 2 * TruePositive;
    }

    /// <summary>
    /// V-Net's denominator sums over valid elements (dice and iou with squared_pred), weighted as the statistics are:
    /// <c>Σ p²</c> and <c>Σ t²</c>. From labels, t is one-hot, so <c>Σ t² = T</c>.
    /// </summary>
    internal (Tensor PredictedSquares, Tensor TargetSquares) SquaredSums() => squaredSums.Value;

    private (Tensor PredictedSquares, Tensor TargetSquares) SumSquares()
    {
        using var predictedSquares = probabilities.Value.square();
        if (targetMap is { } t)
        {
            using var targetSquares = t.square();
            return (Summed(SumKept(predictedSquares)), Summed(SumKept(targetSquares)));
        }

        // T is already the group's.
        return (Summed(SumKept(predictedSquares)), Target.alias());
    }

    /// <summary>
    /// mcc's sums over valid elements, each summed from its own products: <c>FP = Σ p·(1 − t)</c>,
    /// <c>FN = Σ (1 − p)·t</c>, <c>TN = Σ (1 − p)·(1 − t)</c>. Taken as <c>P − TP</c>, <c>T − TP</c> and
    /// <c>Nv − P − T + TP</c> instead, they would cancel: in float32 their rounding (about 6e-8·Nv) exceeds mcc's smooth
    /// (1e-5) wherever a channel is nearly all foreground or all background. From labels, t is one-hot: FN adds
    /// <c>1 − p_y</c> into class y; FP and TN sum p and 1 − p with the label's entry replaced by 0.
    /// </summary>
    internal (Tensor FalsePositive, Tensor FalseNegative, Tensor TrueNegative) ConfusionSums()
    {
        var p = probabilities.Value;
        using var q = 1 - p;
        if (targetMap is { } t)
        {
            using var background = 1 - t;
            using var falsePositive = p * background;
            using var falseNegative = q * t;
            using var trueNegative = q * background;
            return (Summed(SumKept(falsePositive)), Summed(SumKept(falseNegative)), Summed(SumKept(trueNegative)));
        }

        using var qY = q.gather(1, labels!);
        using var zero = zeros(1, dtype: p.dtype, device: p.device);
        using var atLabel = zero.expand(labels!.shape);
        using var pOffLabel = p.scatter(1, labels!, atLabel);
        using var qOffLabel = q.scatter(1, labels!, atLabel);
        return (Summed(SumKept(pOffLabel)), Summed(AddIntoClasses(qY, (int)p.size(1))), Summed(SumKept(qOffLabel)));
    }

    /// <summary>
    /// Adds each pixel's value ([N, 1, *spatial]; 0 where not valid) into the class its label names: [N, C] per image,
    /// [C] over the batch.
    /// </summary>
    private Tensor AddIntoClasses(Tensor perPixel, int classes)
    {
        // Sizes spelled out: an empty batch has no -1 to infer.
        var (images, pixels) = (labels!.size(0), labels.shape.Skip(2).Aggregate(1L, (size, dim) => size * dim));
        using var kept = Kept(perPixel);
        using var index = labels.reshape(images, pixels);
        using var zero = zeros(images, classes, dtype: like.dtype, device: like.device);
        using var perImage = zero.scatter_add(1, index, kept.reshape(images, pixels));
        return PerImage ? perImage.alias() : perImage.sum(new long[] { 0 });
    }

    /// <summary>
    /// <c>Σ p·t</c> over <paramref name="reduce"/>; for one channel over the whole batch a dot product, without the
    /// full-size p·t temporary (and, under autograd, its backward).
    /// </summary>
    internal static Tensor SumOfProducts(Tensor p, Tensor target, long[] reduce)
    {
        if (reduce.Length == p.dim() - 1 && reduce[0] == 0 && p.size(1) == 1)
        {
            using var dot = p.reshape(-1).dot(target.reshape(-1));
            return dot.reshape(1);
        }

        using var product = p * target;
        return SumOver(product, reduce);
    }

    /// <summary>
    /// <paramref name="values"/> summed over <paramref name="reduce"/>. With no dims to reduce (per image, no spatial
    /// dims) the values are already per (n, c): sum() would reduce everything. A new handle either way, so the caller may
    /// dispose its argument.
    /// </summary>
    internal static Tensor SumOver(Tensor values, long[] reduce) => reduce.Length == 0 ? values.alias() : values.sum(reduce);

    private Tensor Kept(Tensor values) => Reductions.Kept(values, scale);

    // A sum over this shard: across the group when there is one.
    private Tensor Summed(Tensor shardSum) => group is null ? shardSum : GroupReduction.Sum(shardSum, group);

    private Tensor SumKept(Tensor values)
    {
        using var kept = Kept(values);
        return Reduce(kept);
    }

    private Tensor Reduce(Tensor values) => SumOver(values, reduce);

    /// <summary>
    /// Valid elements per channel (with a weight map, their summed weights), only for the terms that read it: when
    /// every element counts 1, the same number for every channel (no pass over the data); else the sum of the per-pixel
    /// (or per-element) scale, spread over the channels.
    /// </summary>
    private Tensor CountValid()
    {
        if (scale is null)
        {
            var perChannel = reduce.Aggregate(1L, (size, dim) => size * like.shape[dim]);
            return Summed(full_like(Target, perChannel));
        }

        using var perPixel = Reduce(scale);
        return Summed(perPixel.expand_as(Target).contiguous());
    }
}
