using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Divisions whose denominator can be 0 (a mean over no valid element, a region with nothing predicted and nothing to
/// find): they give 0 with zero gradient there instead of NaN, the convention LOSSES.md asks for.
/// </summary>
internal static class Reductions
{
    /// <summary><c>numerator / denominator</c>, and 0 with zero gradient where the denominator is 0.</summary>
    public static Tensor Ratio(Tensor numerator, Tensor denominator)
    {
        // Dividing by 1 where the denominator is 0 keeps the unused branch finite, so where()'s backward stays NaN-free.
        using var defined = denominator.ne(0);
        using var safe = denominator.where(defined, ones_like(denominator));
        return (numerator / safe).where(defined, zeros_like(numerator));
    }

    /// <summary>
    /// <c>1 − numerator / denominator</c>, and 0 with zero gradient where the denominator is 0: for an overlap score,
    /// nothing predicted and nothing to find is a perfect match.
    /// </summary>
    public static Tensor OneMinusRatio(Tensor numerator, Tensor denominator)
    {
        using var defined = denominator.ne(0);
        using var safe = denominator.where(defined, ones_like(denominator));
        return (1 - numerator / safe).where(defined, zeros_like(numerator));
    }

    /// <summary><paramref name="values"/> at the kept elements and 0 elsewhere; the values themselves (a new handle) when <paramref name="valid"/> is null.</summary>
    public static Tensor Kept(Tensor values, Tensor? valid) => valid is null ? values.alias() : values * valid;

    /// <summary>
    /// The mean of <paramref name="values"/> over the elements where <paramref name="valid"/> (broadcasting to them, 0
    /// or 1) is 1, over all elements when it is null; 0 with zero gradient when there is none. A
    /// <paramref name="pixelWeight"/> (already 0 where not valid) multiplies the values; the denominator still counts the
    /// kept elements (LOSSES.md, "Pixel weight map").
    /// </summary>
    public static Tensor Mean(Tensor values, Tensor? valid, Tensor? pixelWeight = null)
    {
        if (valid is null && pixelWeight is null)
        {
            // sum() of no elements is 0, and its gradient is empty.
            return values.numel() == 0 ? values.sum() : values.mean();
        }

        using var scaled = Kept(values, pixelWeight ?? valid);
        using var sum = scaled.sum();
        using var count = KeptCount(values, valid);
        return Ratio(sum, count);
    }

    /// <summary>
    /// The mean of <paramref name="values"/> times <paramref name="scale"/> (the pixel weights, or the kept pixels) over
    /// every element, left-out ones included as 0: mmseg's and smp's mean. 0 with an empty gradient for no element.
    /// </summary>
    public static Tensor MeanOverAll(Tensor values, Tensor? scale)
    {
        using var scaled = Kept(values, scale);
        return values.numel() == 0 ? scaled.sum() : scaled.mean();
    }

    /// <summary>The number of kept elements of <paramref name="like"/>: all of them without <paramref name="valid"/>, else the valid mask broadcast to it, summed.</summary>
    public static Tensor KeptCount(Tensor like, Tensor? valid)
    {
        if (valid is null)
        {
            return tensor((double)like.numel(), dtype: like.dtype, device: like.device);
        }

        using var broadcast = valid.expand_as(like);
        return broadcast.sum();
    }
}
