using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// The per-channel sums every region loss is a function of (LOSSES.md, "Region statistics"):
/// <c>TP = Σ p·t</c>, <c>P = Σ p</c>, <c>T = Σ t</c>, over batch and spatial dims (shape [C]) or, per image, over
/// spatial dims only (shape [N, C]). Computed once per forward pass and shared by dice, iou, tversky and the rest.
/// </summary>
public sealed class RegionStatistics
{
    private RegionStatistics(Tensor truePositive, Tensor predicted, Tensor target, bool perImage)
    {
        TruePositive = truePositive;
        Predicted = predicted;
        Target = target;
        PerImage = perImage;
    }

    /// <summary>Σ p·t per channel.</summary>
    public Tensor TruePositive { get; }

    /// <summary>Σ p per channel.</summary>
    public Tensor Predicted { get; }

    /// <summary>Σ t per channel.</summary>
    public Tensor Target { get; }

    /// <summary>Whether the sums are per (image, channel) rather than per channel.</summary>
    public bool PerImage { get; }

    /// <summary>Sums <paramref name="probabilities"/> and <paramref name="target"/>, both [N, C, *spatial].</summary>
    public static RegionStatistics Compute(Tensor probabilities, Tensor target, bool perImage)
    {
        var rank = (int)probabilities.dim();
        var dims = Enumerable.Range(2, rank - 2).Select(d => (long)d);
        if (!perImage)
        {
            dims = dims.Prepend(0);
        }

        var reduce = dims.ToArray();

        // With no dims to reduce (per image, no spatial dims) the values are already per (n, c): sum() would reduce everything.
        Tensor Sum(Tensor x) => reduce.Length == 0 ? x : x.sum(reduce);

        return new RegionStatistics(Sum(probabilities * target), Sum(probabilities), Sum(target), perImage);
    }
}
