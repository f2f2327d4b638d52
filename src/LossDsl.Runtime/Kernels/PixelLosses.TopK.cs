using System;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

public static partial class PixelLosses
{
    /// <summary>
    /// Top-k cross-entropy (nnU-Net's TopKLoss, SegLossOdyssey's TopK): the mean of the <paramref name="percent"/> %
    /// largest per-pixel cross-entropies of the kept pixels of the whole batch, <c>max(1, ⌊Nv·k/100⌋)</c> of them; 0 with
    /// zero gradient when no pixel is kept. The gradient reaches the selected pixels only, <c>1/count</c> each.
    /// </summary>
    /// <param name="logProbabilities">log p, [N, C, *spatial].</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, [N, 1, *spatial], or null when none is left out.</param>
    /// <param name="percent">k in (0, 100].</param>
    public static Tensor TopKCrossEntropy(Tensor logProbabilities, Tensor labels, Tensor? valid, double percent)
    {
        using var perPixel = CrossEntropyUnreduced(logProbabilities, labels, valid, null, 0, null);
        using var kept = valid?.squeeze(1);
        return LargestMean(perPixel, kept, percent);
    }

    /// <summary>
    /// Top-k binary cross-entropy on logits: <see cref="TopKCrossEntropy"/>'s selection over the kept elements (every
    /// channel of every pixel) of libtorch's binary cross-entropy with logits.
    /// </summary>
    /// <param name="logits">x, [N, C, *spatial].</param>
    /// <param name="target">The mask t, same shape.</param>
    /// <param name="valid">The kept pixels or elements, broadcasting to the mask, or null.</param>
    /// <param name="percent">k in (0, 100].</param>
    public static Tensor TopKBinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? valid, double percent)
    {
        using var elements = BinaryCrossEntropyWithLogitsUnreduced(logits, target, 1.0, 0, valid, null);
        return LargestMean(elements, valid, percent);
    }

    /// <summary>Top-k binary cross-entropy on probabilities, from the clamped logs (<see cref="BinaryCrossEntropy"/>'s elements).</summary>
    /// <param name="logP">max(log p, −100).</param>
    /// <param name="logNotP">max(log(1 − p), −100).</param>
    /// <param name="target">The mask t.</param>
    /// <param name="valid">The kept pixels or elements, or null.</param>
    /// <param name="percent">k in (0, 100].</param>
    public static Tensor TopKBinaryCrossEntropy(Tensor logP, Tensor logNotP, Tensor target, Tensor? valid, double percent)
    {
        using var elements = BinaryCrossEntropyUnreduced(logP, logNotP, target, 1.0, 0, valid, null);
        return LargestMean(elements, valid, percent);
    }

    /// <summary>The mean of the largest <paramref name="percent"/> % of the kept <paramref name="values"/>.</summary>
    private static Tensor LargestMean(Tensor values, Tensor? valid, double percent)
    {
        using var flat = values.reshape(-1);
        using var keptMask = valid is null ? null : valid.expand_as(values).reshape(-1).gt(0);
        using var kept = keptMask is null ? flat.alias() : flat.masked_select(keptMask);
        var count = kept.numel();
        if (count == 0)
        {
            // Nothing kept: 0, still joined to the graph so that backward gives a zero gradient.
            return flat.sum().mul(0);
        }

        var selected = Math.Max(1L, (long)Math.Floor(count * percent / 100));
        var (largest, indices) = kept.topk((int)Math.Min(selected, int.MaxValue), sorted: false);
        using (largest)
        using (indices)
        {
            return largest.mean();
        }
    }
}
