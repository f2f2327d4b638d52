using System.Linq;
using LossDsl.Maps;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    /// <summary>
    /// Hausdorff distance-transform loss (Karimi and Salcudean 2019; MONAI's HausdorffDTLoss):
    /// <c>mean((p − t)²·(d_p^α + d_t^α))</c> over images, channels and elements, where d_x is each element's distance
    /// to the other side of x's boundary (x thresholded at 0.5: for a foreground element the distance to the nearest
    /// background one, and the other way round), computed per image and channel over the spatial dims by the exact
    /// Euclidean distance transform, on the CPU, with no gradient. An image-channel that is all foreground or all
    /// background has no boundary: its field is 0, as in MONAI. The gradient is <c>2(p − t)·(d_p^α + d_t^α)</c>.
    /// </summary>
    /// <param name="probabilities">p, [N, C, *spatial].</param>
    /// <param name="target">t in the same shape: the mask, or one-hot labels.</param>
    /// <param name="alpha">The power of the distances, &gt; 0.</param>
    /// <param name="includeBackground">False leaves channel 0 out (the background class of labels).</param>
    public static Tensor HausdorffDistanceTransform(Tensor probabilities, Tensor target, double alpha, bool includeBackground)
    {
        using var p = KeptChannels(probabilities, includeBackground);
        using var t = KeptChannels(target, includeBackground);
        using var predicted = BoundaryDistances(p, alpha);
        using var truth = BoundaryDistances(t, alpha);
        using var distance = predicted + truth;
        using var error = (p - t).square();
        using var weighted = error * distance;
        return weighted.mean();
    }

    /// <summary>d^α per element of x thresholded at 0.5, each image-channel on its own; 0 where it has no boundary.</summary>
    private static Tensor BoundaryDistances(Tensor x, double alpha)
    {
        using var noGrad = no_grad();
        var (toBackground, toForeground, hasBoundary) = DistancesAcross(x);
        using (toBackground)
        using (toForeground)
        using (hasBoundary)
        {
            using var across = toBackground + toForeground;
            using var zero = zeros_like(across);
            using var field = across.where(hasBoundary, zero);
            using var powered = field.pow(alpha);
            return powered.reshape(x.shape);
        }
    }

    /// <summary>
    /// For every image-channel of x thresholded at 0.5, flattened to [N·C, *spatial]: each element's distance to the
    /// nearest background element (0 on the background) and to the nearest foreground one (0 on the foreground), by
    /// the exact transform on the CPU; and, per row, whether it has a boundary at all (both kinds of element), shaped
    /// to broadcast. Without a boundary one of the distances is +∞ everywhere: callers zero those rows.
    /// </summary>
    private static (Tensor ToBackground, Tensor ToForeground, Tensor HasBoundary) DistancesAcross(Tensor x)
    {
        var rows = x.size(0) * x.size(1);
        var spatial = x.shape.Skip(2).ToArray();
        using var foreground = x.gt(0.5).reshape(new[] { rows }.Concat(spatial).ToArray());
        using var background = foreground.logical_not();
        using var anyForeground = foreground.reshape(rows, -1).any(1);
        using var anyBackground = background.reshape(rows, -1).any(1);
        using var both = anyForeground.logical_and(anyBackground);
        return (DistanceTransform.Euclidean(background, x.dtype), DistanceTransform.Euclidean(foreground, x.dtype),
            both.reshape(new[] { rows }.Concat(spatial.Select(_ => 1L)).ToArray()));
    }
}
