using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// The per-channel sums every region loss is a function of (LOSSES.md, "Region statistics"), over valid elements only:
/// <c>TP = Σ p·t</c>, <c>P = Σ p</c>, <c>T = Σ t</c> and the count of valid elements <c>Nv</c>, over batch and spatial
/// dims (shape [C]) or, per image, over spatial dims only (shape [N, C]). Computed once per forward pass and shared by
/// dice, iou, tversky and the rest.
/// </summary>
public sealed class RegionStatistics
{
    private readonly Tensor probabilities;
    private readonly Tensor target;
    private readonly Tensor? valid;
    private readonly long[] reduce;

    private RegionStatistics(Tensor probabilities, Tensor target, Tensor? valid, bool perImage)
    {
        this.probabilities = probabilities;
        this.target = target;
        this.valid = valid;
        PerImage = perImage;
        var rank = (int)probabilities.dim();
        var spatial = Enumerable.Range(2, rank - 2).Select(d => (long)d);
        reduce = (perImage ? spatial : spatial.Prepend(0)).ToArray();

        // The target map is already 0 at ignored pixels (Inputs.OneHot), so only the sum of p needs the valid mask.
        // One channel over the whole batch: a dot product, without the full-size p·t temporary (and its backward).
        TruePositive = !perImage && probabilities.shape[1] == 1
            ? probabilities.reshape(-1).dot(target.reshape(-1)).reshape(1)
            : Reduce(probabilities * target);
        Predicted = Sum((p, _) => p);
        Target = Reduce(target);
        count = new Lazy<Tensor>(CountValid);
    }

    private readonly Lazy<Tensor> count;

    /// <summary>Σ p·t per channel.</summary>
    public Tensor TruePositive { get; }

    /// <summary>Σ p per channel.</summary>
    public Tensor Predicted { get; }

    /// <summary>Σ t per channel.</summary>
    public Tensor Target { get; }

    /// <summary>Nv: the number of valid elements per channel (all elements when nothing is ignored).</summary>
    public Tensor Count => count.Value;

    /// <summary>Whether the sums are per (image, channel) rather than per channel.</summary>
    public bool PerImage { get; }

    /// <summary>
    /// Sums <paramref name="probabilities"/> and <paramref name="target"/>, both [N, C, *spatial], over the elements
    /// where <paramref name="valid"/> ([N, 1, *spatial], 0 or 1; null keeps every element) is 1.
    /// </summary>
    public static RegionStatistics Compute(Tensor probabilities, Tensor target, Tensor? valid, bool perImage) =>
        new(probabilities, target, valid, perImage);

    /// <summary>
    /// Σ f(p, t) over valid elements with this object's reduction, for statistics beyond TP, P and T
    /// (sensitivity_specificity's squared errors).
    /// </summary>
    internal Tensor Sum(Func<Tensor, Tensor, Tensor> perElement)
    {
        var values = perElement(probabilities, target);
        return Reduce(valid is null ? values : values * valid);
    }

    // With no dims to reduce (per image, no spatial dims) the values are already per (n, c): sum() would reduce everything.
    private Tensor Reduce(Tensor values) => reduce.Length == 0 ? values : values.sum(reduce);

    /// <summary>
    /// Valid elements per channel, only for the terms that read it: without an ignore index the same number for every
    /// channel (no pass over the data), with one the sum of the per-pixel valid mask, spread over the channels.
    /// </summary>
    private Tensor CountValid()
    {
        if (valid is null)
        {
            var perChannel = reduce.Aggregate(1L, (size, dim) => size * probabilities.shape[dim]);
            return full_like(Target, perChannel);
        }

        return Reduce(valid).expand_as(Target);
    }
}
