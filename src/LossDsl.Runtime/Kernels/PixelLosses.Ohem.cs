using System;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

public static partial class PixelLosses
{
    /// <summary>
    /// Online hard example mining as mmseg's <c>OHEMPixelSampler</c> with its <c>CrossEntropyLoss</c>: the per-pixel
    /// cross-entropy summed over the selected pixels, divided by the kept pixels (mmseg's <c>avg_non_ignore</c>) or by
    /// every pixel (<paramref name="overAllPixels"/>, mmseg's default). With a <paramref name="threshold"/> the
    /// selected pixels are the kept ones whose true-class probability is below <c>max(threshold, q)</c>, q the
    /// (min_kept·N)-th smallest of those probabilities (the largest when there are fewer); without, the min_kept·N
    /// kept pixels of largest loss. The selection carries no gradient; 0 with zero gradient when nothing is kept.
    /// </summary>
    /// <param name="probabilities">p, [N, C, *spatial], for the threshold.</param>
    /// <param name="logProbabilities">log p, [N, C, *spatial].</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, [N, 1, *spatial], or null when none is left out.</param>
    /// <param name="threshold">The probability below which a pixel is hard, or null to select by count alone.</param>
    /// <param name="minKept">Pixels kept per image at least (mmseg's <c>min_kept</c>), ≥ 1.</param>
    /// <param name="overAllPixels">Divide by every pixel rather than by the kept ones.</param>
    public static Tensor OhemCrossEntropy(Tensor probabilities, Tensor logProbabilities, Tensor labels, Tensor? valid, double? threshold, int minKept, bool overAllPixels)
    {
        using var perPixel = CrossEntropyUnreduced(logProbabilities, labels, valid, null, 0, null);
        using var kept = valid is null ? ones_like(perPixel, dtype: ScalarType.Bool) : valid.squeeze(1).gt(0);
        using var selected = HardPixels(probabilities, labels, perPixel, kept, threshold, (long)minKept * labels.size(0));
        using var selectedLosses = perPixel * selected;
        using var sum = selectedLosses.sum();
        var count = overAllPixels ? perPixel.numel() : kept.sum().item<long>();
        return count == 0 ? sum.mul(0) : sum / (double)count;
    }

    /// <summary>mmseg's selection: 1 for a hard kept pixel, 0 elsewhere, in the losses' dtype, without gradient.</summary>
    private static Tensor HardPixels(Tensor probabilities, Tensor labels, Tensor perPixel, Tensor kept, double? threshold, long batchKept)
    {
        using var noGrad = no_grad();
        var selected = zeros_like(perPixel);
        using var keptIndices = kept.reshape(-1).nonzero().squeeze(1);
        var count = keptIndices.numel();
        if (count == 0)
        {
            return selected;
        }

        using var flat = selected.view(-1);
        if (threshold is { } floor)
        {
            using var trueClass = probabilities.gather(1, labels).squeeze(1).reshape(-1).index_select(0, keptIndices);
            var (sorted, _) = trueClass.sort();
            using (sorted)
            {
                var bound = Math.Max(sorted[Math.Min(batchKept, count - 1)].to_type(ScalarType.Float64).item<double>(), floor);
                using var hard = trueClass.lt(bound);
                using var hardIndices = keptIndices.masked_select(hard);
                flat.index_fill_(0, hardIndices, 1);
            }
        }
        else
        {
            using var losses = perPixel.detach().reshape(-1).index_select(0, keptIndices);
            var (_, order) = losses.topk((int)Math.Min(batchKept, count));
            using (order)
            using (var hardIndices = keptIndices.index_select(0, order))
            {
                flat.index_fill_(0, hardIndices, 1);
            }
        }

        return selected;
    }
}
