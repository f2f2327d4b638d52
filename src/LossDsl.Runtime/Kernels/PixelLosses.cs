using System;
using System.ComponentModel;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Losses that average a per-element value over the valid elements (LOSSES.md, "Pixel losses"). They read the shared
/// log-probabilities (<see cref="Probabilities"/>), so logits and probability inputs run the same formula. A mean over
/// no valid element (an empty batch, every pixel ignored) is 0 with zero gradient.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class PixelLosses
{
    // Made once: a Scalar is native memory that dispose scopes do not track (docs/performance.md, "Soak").
    private static readonly TorchSharp.Scalar One = 1.0;

    /// <summary>
    /// Binary cross-entropy <c>−[w·t·log p + (1−t)·log(1−p)]</c>, mean over the kept elements (each times its pixel
    /// weight, if any). <paramref name="posWeight"/> null means <c>auto</c>: <c>(Nv − ΣT) / max(ΣT, 1)</c> over the
    /// batch's kept elements, unweighted, without gradient.
    /// </summary>
    /// <param name="logP">log p (log-sigmoid of logits, or the clamped log of probabilities).</param>
    /// <param name="logNotP">log(1 − p), in the same form.</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="posWeight">w, or null for <c>auto</c>.</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target read as <c>t(1 − ε) + ε/2</c> (Keras's binary label smoothing).</param>
    /// <param name="valid">The kept pixels (<see cref="Inputs.ValidMask"/>), or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels (<see cref="Inputs.PixelWeight"/>), or null.</param>
    public static Tensor BinaryCrossEntropy(Tensor logP, Tensor logNotP, Tensor target, double? posWeight, double labelSmoothing, Tensor? valid, Tensor? pixelWeight)
    {
        using var crossEntropy = BinaryCrossEntropyElements(logP, logNotP, target, posWeight, labelSmoothing, valid);
        return Reductions.Mean(crossEntropy, valid, pixelWeight);
    }

    /// <summary>
    /// <see cref="BinaryCrossEntropy"/> averaged over every element, left-out ones included as 0 (smp's
    /// SoftBCEWithLogitsLoss with an ignore index; <c>mean_over: all</c>).
    /// </summary>
    /// <param name="logP">log p.</param>
    /// <param name="logNotP">log(1 − p).</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="posWeight">w, or null for <c>auto</c>.</param>
    /// <param name="labelSmoothing">ε, as for <see cref="BinaryCrossEntropy"/>.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryCrossEntropyOverAllElements(Tensor logP, Tensor logNotP, Tensor target, double? posWeight, double labelSmoothing, Tensor? valid, Tensor? pixelWeight)
    {
        using var crossEntropy = BinaryCrossEntropyElements(logP, logNotP, target, posWeight, labelSmoothing, valid);
        return Reductions.MeanOverAll(crossEntropy, pixelWeight ?? valid);
    }

    /// <summary>
    /// <see cref="BinaryCrossEntropy"/> before its mean, [N, C, *spatial]: each element's loss times its pixel weight,
    /// 0 where not kept; its sum over the kept elements' count is the term.
    /// </summary>
    /// <param name="logP">log p.</param>
    /// <param name="logNotP">log(1 − p).</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="posWeight">w, or null for <c>auto</c>.</param>
    /// <param name="labelSmoothing">ε, as for <see cref="BinaryCrossEntropy"/>.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryCrossEntropyUnreduced(Tensor logP, Tensor logNotP, Tensor target, double? posWeight, double labelSmoothing, Tensor? valid, Tensor? pixelWeight)
    {
        using var crossEntropy = BinaryCrossEntropyElements(logP, logNotP, target, posWeight, labelSmoothing, valid);
        return Reductions.Kept(crossEntropy, pixelWeight ?? valid);
    }

    /// <summary>
    /// Binary cross-entropy on logits when no other term reads the log-probabilities: libtorch's fused
    /// <c>binary_cross_entropy_with_logits</c>, the same log-sigmoid form <c>w·t·softplus(−x) + (1−t)·softplus(x)</c> in one
    /// kernel instead of two log-sigmoid passes and a combination. <paramref name="posWeight"/> null means <c>auto</c>.
    /// </summary>
    /// <param name="logits">pred.</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="posWeight">w, or null for <c>auto</c>.</param>
    /// <param name="labelSmoothing">ε, as for <see cref="BinaryCrossEntropy"/>.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, double? posWeight, double labelSmoothing, Tensor? valid, Tensor? pixelWeight)
    {
        using var weight = PositiveWeight(target, posWeight, valid);
        if (labelSmoothing == 0 && OnePassOverAllElements(logits, target, pixelWeight ?? valid) is { } reduce)
        {
            return MeanOfPixelSum(logits, target, valid, pixelWeight, reduce, SigmoidPixelSum.CrossEntropy, weight);
        }

        using var smoothed = SmoothedTarget(target, labelSmoothing);
        if (valid is null && pixelWeight is null)
        {
            // The mean inside the kernel: no per-element map outlives the call. Of no element, the mean would be NaN: sum is 0.
            var reduction = logits.numel() == 0 ? nn.Reduction.Sum : nn.Reduction.Mean;
            return nn.functional.binary_cross_entropy_with_logits(logits, smoothed, pos_weights: weight, reduction: reduction);
        }

        // libtorch's element weights multiply each element's loss: the weight map, or the kept pixels; then over kept elements.
        using var elementWeight = (pixelWeight ?? valid)!.expand_as(logits);
        using var sum = nn.functional.binary_cross_entropy_with_logits(logits, smoothed, weight: elementWeight, pos_weights: weight, reduction: nn.Reduction.Sum);
        using var count = Reductions.KeptCount(logits, valid);
        return Reductions.Ratio(sum, count);
    }

    /// <summary><see cref="BinaryCrossEntropyWithLogits"/> averaged over every element, left-out ones included as 0 (<c>mean_over: all</c>).</summary>
    /// <param name="logits">pred.</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="posWeight">w, or null for <c>auto</c>.</param>
    /// <param name="labelSmoothing">ε, as for <see cref="BinaryCrossEntropy"/>.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryCrossEntropyWithLogitsOverAllElements(Tensor logits, Tensor target, double? posWeight, double labelSmoothing, Tensor? valid, Tensor? pixelWeight)
    {
        using var elements = BinaryCrossEntropyWithLogitsUnreduced(logits, target, posWeight, labelSmoothing, valid, pixelWeight);
        return Reductions.MeanOverAll(elements, null);
    }

    /// <summary>
    /// <see cref="BinaryCrossEntropyWithLogits"/> (and the bce summed in the statistics' node) before its mean,
    /// [N, C, *spatial]: each element's loss times its pixel weight, 0 where not kept.
    /// </summary>
    /// <param name="logits">pred.</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="posWeight">w, or null for <c>auto</c>.</param>
    /// <param name="labelSmoothing">ε, as for <see cref="BinaryCrossEntropy"/>.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryCrossEntropyWithLogitsUnreduced(Tensor logits, Tensor target, double? posWeight, double labelSmoothing, Tensor? valid, Tensor? pixelWeight)
    {
        using var weight = PositiveWeight(target, posWeight, valid);
        using var smoothed = SmoothedTarget(target, labelSmoothing);
        using var elementWeight = (pixelWeight ?? valid)?.expand_as(logits);
        return nn.functional.binary_cross_entropy_with_logits(logits, smoothed, weight: elementWeight, pos_weights: weight, reduction: nn.Reduction.None);
    }

    /// <summary>
    /// A pixel term on logits summed inside the region statistics' node (bce in
    /// <see cref="RegionStatistics.ComputeWithCrossEntropy"/>, focal in <see cref="RegionStatistics.ComputeWithFocal"/>):
    /// its mean over all elements, 0 for none.
    /// </summary>
    /// <param name="sum">The node's sum.</param>
    /// <param name="logits">pred, for the element count.</param>
    public static Tensor MeanOverAllElements(Tensor sum, Tensor logits) =>
        sum / System.Math.Max(1, logits.numel());

    /// <summary>
    /// A pixel term on logits summed inside the region statistics' node with a valid mask or a weight map (each element
    /// times its pixel weight, 0 where not kept): its mean over the kept elements, 0 with zero gradient for none.
    /// </summary>
    /// <param name="sum">The node's sum.</param>
    /// <param name="logits">pred (or the class indices, for a sum over pixels), whose elements the valid mask keeps.</param>
    /// <param name="valid">The kept pixels, broadcasting to the logits.</param>
    public static Tensor MeanOverKeptElements(Tensor sum, Tensor logits, Tensor valid)
    {
        using var count = Reductions.KeptCount(logits, valid);
        return Reductions.Ratio(sum, count);
    }

    /// <summary>
    /// ce summed inside the statistics node of class indices
    /// (<see cref="RegionStatistics.ComputeFromLabelsWithCrossEntropy"/>): its mean over the kept pixels, 0 for none, as
    /// <see cref="CrossEntropy"/> without weights divides.
    /// </summary>
    /// <param name="sum">The node's sum.</param>
    /// <param name="labels">The class indices, [N, 1, *spatial], for the pixel count.</param>
    /// <param name="valid">The kept pixels, or null when every pixel is kept.</param>
    public static Tensor MeanOverKeptPixels(Tensor sum, Tensor labels, Tensor? valid)
    {
        if (valid is null)
        {
            // Every pixel kept: the count is known here, and one division does what Ratio's six operations would.
            return MeanOverAllPixels(sum, labels);
        }

        return MeanOverKeptElements(sum, labels, valid);
    }

    /// <summary>
    /// ce's per-pixel numerators from the logits, [N, *spatial], 0 where not kept: <see cref="CrossEntropyUnreduced"/>
    /// with its own log-softmax, for a ce summed in the statistics node (which computes none the plan could share).
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when none is left out.</param>
    /// <param name="weight">Class weights w_c, or null.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor CrossEntropyWithLogitsUnreduced(Tensor logits, Tensor labels, Tensor? valid, Tensor? weight, double labelSmoothing, Tensor? pixelWeight)
    {
        using var logProbabilities = Probabilities.LogSoftmax(logits);
        return CrossEntropyUnreduced(logProbabilities, labels, valid, weight, labelSmoothing, pixelWeight);
    }

    /// <summary>
    /// ce summed inside the statistics node of class indices with <c>mean_over: all</c>: its mean over every pixel, the
    /// left-out ones included and class weights not renormalised, as <see cref="CrossEntropyOverAllPixels"/> divides; 0
    /// for no pixel.
    /// </summary>
    /// <param name="sum">The node's sum of the per-pixel numerators.</param>
    /// <param name="labels">The class indices, [N, 1, *spatial], for the pixel count.</param>
    public static Tensor MeanOverAllPixels(Tensor sum, Tensor labels) => sum / System.Math.Max(1, labels.numel());

    /// <summary>
    /// ce summed inside the statistics node of class indices with class weights: the sum over <c>Σ valid·w_y</c>, 0 when
    /// that is 0, as <see cref="CrossEntropy"/> divides.
    /// </summary>
    /// <param name="sum">The node's sum of the per-pixel numerators.</param>
    /// <param name="logits">pred, [N, C, *spatial], for the count's dtype, device and the number of classes.</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when every pixel is kept.</param>
    /// <param name="weight">Class weights w_c.</param>
    public static Tensor MeanOverClassWeights(Tensor sum, Tensor logits, Tensor labels, Tensor? valid, Tensor weight)
    {
        using var denominator = CrossEntropyDenominator(logits, labels, valid, weight);
        return Reductions.Ratio(sum, denominator);
    }

    /// <summary>
    /// Focal on class indices per pixel, from the logits (its own softmax and log-softmax): the values the statistics
    /// node of class indices sums (<see cref="RegionStatistics.ComputeFromLabelsWithFocal"/>), [N, *spatial], 0 where
    /// not kept.
    /// </summary>
    /// <param name="logits">pred, [N, C, *spatial].</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when none is left out.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="weight">Class weights w_c, or null.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor FocalWithLogitsUnreduced(Tensor logits, Tensor labels, Tensor? valid, double gamma, Tensor? weight, Tensor? pixelWeight)
    {
        using var probabilities = Probabilities.Softmax(logits);
        using var logProbabilities = Probabilities.LogSoftmax(logits);
        return FocalUnreduced(probabilities, logProbabilities, labels, valid, gamma, weight, pixelWeight);
    }

    /// <summary>
    /// Focal loss for masks (torchvision's <c>sigmoid_focal_loss</c>, mean): <c>α_t (1 − p_t)^γ · ce</c> with
    /// <c>ce = −[t·log p + (1−t)·log(1−p)]</c>, <c>p_t = p t + (1−p)(1−t)</c>, <c>α_t = α t + (1−α)(1−t)</c>;
    /// α &lt; 0 leaves α_t out. This form reads probabilities and their clamped logs; on logits,
    /// <see cref="BinaryFocalWithLogits"/>.
    /// </summary>
    /// <param name="probabilities">p.</param>
    /// <param name="logP">log p, as for <see cref="BinaryCrossEntropy"/>.</param>
    /// <param name="logNotP">log(1 − p).</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="alpha">α in [0, 1], or negative for none.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="weight">Channel weights [C] multiplying each channel's elements, the mean's count unchanged (MONAI's weight), or null.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryFocal(Tensor probabilities, Tensor logP, Tensor logNotP, Tensor target, double alpha, double gamma, Tensor? weight, Tensor? valid, Tensor? pixelWeight)
    {
        using var crossEntropy = BinaryLogLoss(logP, logNotP, target, null);
        using var focal = FocalElements(probabilities, target, crossEntropy, alpha, gamma);
        using var scale = ElementWeights(focal, weight, valid, pixelWeight);
        return Reductions.Mean(focal, valid, scale);
    }

    /// <summary>
    /// <see cref="BinaryFocal"/> before its mean, [N, C, *spatial]: each element's loss times its pixel weight, 0 where
    /// not kept.
    /// </summary>
    /// <param name="probabilities">p.</param>
    /// <param name="logP">log p.</param>
    /// <param name="logNotP">log(1 − p).</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="alpha">α in [0, 1], or negative for none.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="weight">Channel weights [C] multiplying each channel's elements, the mean's count unchanged (MONAI's weight), or null.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryFocalUnreduced(Tensor probabilities, Tensor logP, Tensor logNotP, Tensor target, double alpha, double gamma, Tensor? weight, Tensor? valid, Tensor? pixelWeight)
    {
        using var crossEntropy = BinaryLogLoss(logP, logNotP, target, null);
        using var focal = FocalElements(probabilities, target, crossEntropy, alpha, gamma);
        using var scale = ElementWeights(focal, weight, valid, pixelWeight);
        return Reductions.Kept(focal, scale);
    }

    /// <summary>
    /// <see cref="BinaryFocal"/> on logits: the cross-entropy in the fused log-sigmoid form (stable for any logit), and
    /// the whole term one autograd node whose gradient is written out (<see cref="BinaryFocalFunction"/>): the same value
    /// and gradient, without recording a dozen elementwise operations and their saved inputs.
    /// </summary>
    /// <param name="logits">pred.</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="alpha">α in [0, 1], or negative for none.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="weight">Channel weights [C] multiplying each channel's elements, the mean's count unchanged (MONAI's weight), or null.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryFocalWithLogits(Tensor logits, Tensor target, double alpha, double gamma, Tensor? weight, Tensor? valid, Tensor? pixelWeight)
    {
        if (OnePassOverAllElements(logits, target, pixelWeight ?? valid) is { } reduce)
        {
            return MeanOfPixelSum(logits, target, valid, pixelWeight, reduce, FocalPixelSum(alpha, gamma, weight, logits), null);
        }

        using var count = Reductions.KeptCount(logits, valid);
        using var scale = ElementWeights(logits, weight, valid, pixelWeight);
        using var elementWeight = scale?.expand_as(logits);
        return BinaryFocalFunction.apply(logits, target, alpha, gamma, elementWeight!, count);
    }

    // The dims of the statistics node's one-pass kernel (Cpu.SigmoidStatisticsPass) when it takes these tensors (with
    // the element scale, if any) and there are elements; null otherwise. Alone, bce and focal take the node's pass on the
    // CPU for its speed (1.55 against 2.16 ms a step of bce on 8 x 1 x 256 x 256, one thread; focal 1.91 against 6.48),
    // its statistics unread; other devices keep libtorch's kernel and focal's node, which compute no statistics.
    private static long[]? OnePassOverAllElements(Tensor logits, Tensor target, Tensor? scale)
    {
        var reduce = RegionStatistics.ReducedDims(logits, perImage: false);
        return logits.numel() > 0 && Cpu.CpuRows.Of(logits, target, scale, reduce) is not null ? reduce : null;
    }

    /// <summary>
    /// Mask focal as the statistics node sums it: α, γ and the channel weights (<paramref name="weight"/>, checked to be one
    /// per channel of <paramref name="logits"/> and rounded to its dtype, as focal's own kernel multiplies by them).
    /// </summary>
    internal static SigmoidPixelSum FocalPixelSum(double alpha, double gamma, Tensor? weight, Tensor logits)
    {
        using var channelWeights = ClassWeights(weight, logits);
        using var onHost = channelWeights?.cpu();
        return SigmoidPixelSum.Focal(alpha, gamma, onHost is null ? null : Cpu.CpuValues.Read(onHost));
    }

    // The pixel term's mean over the kept elements, from the statistics node's sum of each times its pixel weight.
    private static Tensor MeanOfPixelSum(Tensor logits, Tensor target, Tensor? valid, Tensor? pixelWeight, long[] reduce, SigmoidPixelSum pixelSum, Tensor? positiveWeight)
    {
        var (truePositive, predicted, targetSum, sum, _) = SigmoidStatistics.Compute(logits, target, reduce, pixelSum, positiveWeight, pixelWeight ?? valid, statisticsRead: false);
        truePositive.Dispose();
        predicted.Dispose();
        targetSum.Dispose();
        using (sum)
        {
            return valid is null ? MeanOverAllElements(sum!, logits) : MeanOverKeptElements(sum!, logits, valid);
        }
    }

    /// <summary>
    /// <see cref="BinaryFocalWithLogits"/> before its mean, [N, C, *spatial], by ordinary operations (the closed-form
    /// node yields the mean only): each element's loss times its pixel weight, 0 where not kept.
    /// </summary>
    /// <param name="logits">pred.</param>
    /// <param name="target">The mask in pred's dtype.</param>
    /// <param name="alpha">α in [0, 1], or negative for none.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="weight">Channel weights [C] multiplying each channel's elements, the mean's count unchanged (MONAI's weight), or null.</param>
    /// <param name="valid">The kept pixels, or null when every element is kept.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor BinaryFocalWithLogitsUnreduced(Tensor logits, Tensor target, double alpha, double gamma, Tensor? weight, Tensor? valid, Tensor? pixelWeight)
    {
        using var probabilities = logits.sigmoid();
        using var crossEntropy = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        using var focal = FocalElements(probabilities, target, crossEntropy, alpha, gamma);
        using var scale = ElementWeights(focal, weight, valid, pixelWeight);
        return Reductions.Kept(focal, scale);
    }

    /// <summary>
    /// <c>α_t (1 − p_t)^γ · ce</c> per element from the per-element cross-entropy, with the factors in as few operations
    /// as their algebra allows: <c>1 − p_t = t + p(1 − 2t)</c> (one <c>addcmul</c>) and <c>α_t = t(2α − 1) + (1 − α)</c>.
    /// </summary>
    internal static Tensor FocalElements(Tensor probabilities, Tensor target, Tensor crossEntropy, double alpha, double gamma)
    {
        using var notPt = OneMinusPt(probabilities, target);
        using var modulation = Modulation(notPt, gamma);
        var focal = modulation * crossEntropy;
        if (alpha < 0)
        {
            return focal;
        }

        using (focal)
        using (var alphaT = AlphaT(target, alpha))
        {
            return alphaT * focal;
        }
    }

    /// <summary><c>1 − p_t = t + p(1 − 2t)</c>, with <c>p_t = p t + (1 − p)(1 − t)</c>: one <c>addcmul</c>.</summary>
    internal static Tensor OneMinusPt(Tensor probabilities, Tensor target)
    {
        using var towardsOther = 1 - 2 * target;
        return target.addcmul(probabilities, towardsOther, One);
    }

    /// <summary><c>α_t = α t + (1 − α)(1 − t) = t(2α − 1) + (1 − α)</c>.</summary>
    internal static Tensor AlphaT(Tensor target, double alpha) => target.mul(2 * alpha - 1).add_(1 - alpha);

    /// <summary>
    /// <c>1 − p_t</c> kept at least the dtype's smallest normal number, the base of the focal powers: where it is 0 (a
    /// certain, correct prediction; the cross-entropy factor is 0 there too) a γ &lt; 1 would otherwise give an infinite
    /// gradient, and NaN.
    /// </summary>
    internal static Tensor ClampedBase(Tensor oneMinusPt) => oneMinusPt.clamp_min(finfo(oneMinusPt.dtype).tiny);

    /// <summary>
    /// Cross-entropy with PyTorch <c>cross_entropy</c> semantics over the valid pixels:
    /// <c>(1 − ε)·Σ w_y (−log p_y) / D + (ε / C)·Σ Σ_c w_c (−log p_c) / D</c> with <c>D = Σ w_y</c> (the number of
    /// valid pixels without <paramref name="weight"/>, all w = 1). <c>log p_y</c> is gathered, one value per pixel,
    /// rather than read through the one-hot map.
    /// </summary>
    /// <param name="logProbabilities">log p, [N, C, *spatial] (log-softmax of logits, or the clamped log of probabilities).</param>
    /// <param name="labels">The class indices from <see cref="Inputs.Labels"/>, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels from <see cref="Inputs.Valid"/>, or null when none is ignored.</param>
    /// <param name="weight">Class weights w_c, or null.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="pixelWeight">
    /// The pixel weight map times the kept pixels ([N, 1, *spatial]), or null: it multiplies each pixel's numerator, not
    /// the denominator (LOSSES.md: <c>Σ valid·w·ℓ_ce / Σ valid·w_y</c>).
    /// </param>
    public static Tensor CrossEntropy(Tensor logProbabilities, Tensor labels, Tensor? valid, Tensor? weight, double labelSmoothing, Tensor? pixelWeight)
    {
        // The per-pixel numerators summed, over PyTorch's denominator: Σ valid·w_y with class weights, else the kept pixels.
        using var perPixel = CrossEntropyUnreduced(logProbabilities, labels, valid, weight, labelSmoothing, pixelWeight);
        using var numerator = perPixel.sum();
        using var denominator = CrossEntropyDenominator(logProbabilities, labels, valid, weight);
        return Reductions.Ratio(numerator, denominator);
    }

    /// <summary>What <see cref="CrossEntropy"/> divides by: <c>Σ valid·w_y</c> with class weights, else the kept pixels' count, in <paramref name="like"/>'s dtype and on its device.</summary>
    internal static Tensor CrossEntropyDenominator(Tensor like, Tensor labels, Tensor? valid, Tensor? weight)
    {
        using var weightY = LabelWeights(weight, labels, like, valid);
        return weightY is null ? PixelCount(labels, valid, like) : weightY.sum();
    }

    /// <summary>
    /// The cross-entropy's per-pixel numerators (<see cref="CrossEntropyUnreduced"/>) averaged over every pixel, the
    /// left-out ones included and class weights not renormalised: mmseg's default (<c>avg_non_ignore=False</c>) and smp's
    /// <c>SoftCrossEntropyLoss</c>. Without left-out pixels or class weights it is <see cref="CrossEntropy"/>.
    /// </summary>
    public static Tensor CrossEntropyOverAllPixels(Tensor logProbabilities, Tensor labels, Tensor? valid, Tensor? weight, double labelSmoothing, Tensor? pixelWeight)
    {
        using var perPixel = CrossEntropyUnreduced(logProbabilities, labels, valid, weight, labelSmoothing, pixelWeight);
        // The mean of no pixel would be NaN: the sum is 0.
        return perPixel.numel() == 0 ? perPixel.sum() : perPixel.mean();
    }

    /// <summary>
    /// <see cref="CrossEntropy"/> before its reduction, [N, *spatial]: each pixel's numerator
    /// <c>(1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c)</c> times its pixel weight, 0 where not kept; its sum over
    /// <c>Σ valid·w_y</c> (the kept pixels' count without class weights) is the term.
    /// </summary>
    /// <param name="logProbabilities">log p, [N, C, *spatial].</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when none is left out.</param>
    /// <param name="weight">Class weights w_c, or null.</param>
    /// <param name="labelSmoothing">ε in [0, 1].</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor CrossEntropyUnreduced(Tensor logProbabilities, Tensor labels, Tensor? valid, Tensor? weight, double labelSmoothing, Tensor? pixelWeight)
    {
        using var logPY = logProbabilities.gather(1, labels);
        using var classWeight = ClassWeights(weight, logProbabilities);
        using var weightY = classWeight is null ? null : classWeight.reshape(-1).take(labels);
        using var weightedLogPY = weightY is null ? logPY.alias() : logPY * weightY;
        var perPixel = weightedLogPY.mul(labelSmoothing - 1);
        if (labelSmoothing != 0)
        {
            using var weightedLog = classWeight is null ? logProbabilities.alias() : logProbabilities * classWeight;
            using var allClasses = weightedLog.sum(1, keepdim: true);
            perPixel.sub_(allClasses.mul(labelSmoothing / logProbabilities.size(1)));
        }

        using (perPixel)
        using (var scaled = Reductions.Kept(perPixel, pixelWeight ?? valid))
        {
            return scaled.squeeze(1);
        }
    }

    /// <summary>
    /// Focal loss for labels: <c>w_y (1 − p_y)^γ · (−log p_y)</c>, plain mean over the valid pixels (the weights are
    /// not renormalised). p_y and log p_y are gathered, one value per pixel.
    /// </summary>
    /// <param name="probabilities">p, [N, C, *spatial].</param>
    /// <param name="logProbabilities">log p, as for <see cref="CrossEntropy"/>.</param>
    /// <param name="labels">The class indices from <see cref="Inputs.Labels"/>, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when none is ignored.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="weight">Class weights w_c, or null.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels ([N, 1, *spatial]), or null.</param>
    public static Tensor Focal(Tensor probabilities, Tensor logProbabilities, Tensor labels, Tensor? valid, double gamma, Tensor? weight, Tensor? pixelWeight)
    {
        using var perPixel = FocalPerPixel(probabilities, logProbabilities, labels, gamma, weight);
        return Reductions.Mean(perPixel, valid, pixelWeight);
    }

    /// <summary>
    /// <see cref="Focal"/> before its mean, [N, *spatial]: each pixel's <c>w_y (1 − p_y)^γ · (−log p_y)</c> times its
    /// pixel weight, 0 where not kept; its sum over the kept pixels' count is the term.
    /// </summary>
    /// <param name="probabilities">p, [N, C, *spatial].</param>
    /// <param name="logProbabilities">log p.</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null when none is left out.</param>
    /// <param name="gamma">γ ≥ 0.</param>
    /// <param name="weight">Class weights w_c, or null.</param>
    /// <param name="pixelWeight">The pixel weight map times the kept pixels, or null.</param>
    public static Tensor FocalUnreduced(Tensor probabilities, Tensor logProbabilities, Tensor labels, Tensor? valid, double gamma, Tensor? weight, Tensor? pixelWeight)
    {
        using var perPixel = FocalPerPixel(probabilities, logProbabilities, labels, gamma, weight);
        using var scaled = Reductions.Kept(perPixel, pixelWeight ?? valid);
        return scaled.squeeze(1);
    }

    /// <summary><c>w_y (1 − p_y)^γ · (−log p_y)</c>, [N, 1, *spatial], with p_y and log p_y gathered, one value per pixel.</summary>
    private static Tensor FocalPerPixel(Tensor probabilities, Tensor logProbabilities, Tensor labels, double gamma, Tensor? weight)
    {
        using var pY = probabilities.gather(1, labels);
        using var logPY = logProbabilities.gather(1, labels);
        using var notPY = 1 - pY;
        using var modulation = Modulation(notPY, gamma);
        var focal = -(modulation * logPY);
        using var weightY = LabelWeights(weight, labels, logProbabilities, null);
        if (weightY is null)
        {
            return focal;
        }

        using (focal)
        {
            return weightY * focal;
        }
    }

    /// <summary>bce's elements, unscaled: the positive weight from the target as given, the loss against the smoothed target.</summary>
    private static Tensor BinaryCrossEntropyElements(Tensor logP, Tensor logNotP, Tensor target, double? posWeight, double labelSmoothing, Tensor? valid)
    {
        using var weight = PositiveWeight(target, posWeight, valid);
        using var smoothed = SmoothedTarget(target, labelSmoothing);
        return BinaryLogLoss(logP, logNotP, smoothed, weight);
    }

    /// <summary><c>t(1 − ε) + ε/2</c>, or the target itself (an alias, safe to dispose) when ε is 0.</summary>
    private static Tensor SmoothedTarget(Tensor target, double labelSmoothing) =>
        labelSmoothing == 0 ? target.alias() : target * (1 - labelSmoothing) + (labelSmoothing / 2);

    /// <summary>Per element <c>−[w·t·log p + (1−t)·log(1−p)]</c>; a null <paramref name="positiveWeight"/> is w = 1.</summary>
    private static Tensor BinaryLogLoss(Tensor logP, Tensor logNotP, Tensor target, Tensor? positiveWeight)
    {
        var positive = target * logP;
        if (positiveWeight is not null)
        {
            positive = positiveWeight * positive;
        }

        return -(positive + (1 - target) * logNotP);
    }

    /// <summary>
    /// The positive-class weight as a tensor, or null for 1 (no weighting). <c>auto</c> (null) is
    /// <c>(Nv − ΣT) / max(ΣT, 1)</c> over the whole batch's kept elements (<paramref name="valid"/>; all without it),
    /// unweighted by any pixel weight map: a constant without gradient.
    /// </summary>
    internal static Tensor? PositiveWeight(Tensor target, double? posWeight, Tensor? valid = null)
    {
        if (posWeight is { } fixedWeight)
        {
            return fixedWeight == 1.0 ? null : tensor(fixedWeight, dtype: target.dtype, device: target.device);
        }

        using var noGrad = no_grad();
        using var kept = Reductions.Kept(target, valid);
        using var positives = kept.sum();
        using var count = Reductions.KeptCount(target, valid);
        return ((count - positives) / positives.clamp_min(1)).detach();
    }

    /// <summary><c>(1 − p_t)^γ</c> of the clamped base (<see cref="ClampedBase"/>).</summary>
    private static Tensor Modulation(Tensor oneMinusPt, double gamma)
    {
        using var @base = ClampedBase(oneMinusPt);
        return @base.pow(gamma);
    }

    /// <summary>
    /// What each element of a mask term is multiplied by: the pixel weights (or the kept pixels) times the channel
    /// weights [1, C, 1, ...]; null when neither is given. The mean's count is not changed by either.
    /// </summary>
    private static Tensor? ElementWeights(Tensor like, Tensor? weight, Tensor? valid, Tensor? pixelWeight)
    {
        var scale = pixelWeight ?? valid;
        using var channel = ClassWeights(weight, like);
        return (scale, channel) switch
        {
            (null, null) => null,
            (_, null) => scale!.alias(),
            (null, _) => channel!.alias(),
            _ => scale! * channel!,
        };
    }

    /// <summary>
    /// Class weights shaped [1, C, 1, ...] in <paramref name="like"/>'s dtype and device, to broadcast over it ([N, C,
    /// *spatial]), or null; an error naming both counts when the weights are not one per channel.
    /// </summary>
    internal static Tensor? ClassWeights(Tensor? weight, Tensor like)
    {
        if (weight is null)
        {
            return null;
        }

        var classes = like.size(1);
        if (weight.size(0) != classes)
        {
            throw new ArgumentException($"weight has {weight.size(0)} entries but pred has {classes} classes.", nameof(weight));
        }

        var shape = new[] { 1L, classes }.Concat(Enumerable.Repeat(1L, (int)like.dim() - 2)).ToArray();
        using var converted = ConstantBuffers.Like(weight, like);
        return converted.reshape(shape);
    }

    /// <summary>
    /// Each pixel's class weight <c>w_y</c> ([N, 1, *spatial], <paramref name="like"/>'s dtype), times the kept pixels
    /// when <paramref name="valid"/> is given; null without weights.
    /// </summary>
    private static Tensor? LabelWeights(Tensor? weight, Tensor labels, Tensor like, Tensor? valid)
    {
        using var classWeight = ClassWeights(weight, like);
        if (classWeight is null)
        {
            return null;
        }

        using var weightY = classWeight.reshape(-1).take(labels);
        return Reductions.Kept(weightY, valid);
    }

    /// <summary>The number of valid pixels, in <paramref name="like"/>'s dtype: N·Π spatial when nothing is ignored.</summary>
    private static Tensor PixelCount(Tensor labels, Tensor? valid, Tensor like) =>
        valid is null ? tensor((double)labels.numel(), dtype: like.dtype, device: like.device) : valid.sum();
}
