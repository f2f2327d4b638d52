using System;
using System.ComponentModel;
using System.Linq;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Kernels;

/// <summary>
/// Losses that read the spatial layout: filters, sorting, pooling (LOSSES.md, "Structure losses").
/// One file per loss; this part holds the input checks they share.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class StructureLosses
{
    /// <summary>
    /// active_contour filters over rows and columns: pred must be [N, C, H, W]. A signature that fixes the rank is
    /// checked at compile time; any other is checked here, naming the loss and the primitive.
    /// </summary>
    private static void RequireImages(string loss, string primitive, Tensor pred)
    {
        if (pred.dim() != 4)
        {
            throw new ArgumentException(
                $"{loss}: {primitive} needs pred of shape [N, C, H, W] (exactly 2 spatial dims), got {Inputs.Shape(pred)}.", nameof(pred));
        }
    }

    /// <summary>ssim, boundary and cldice filter images or volumes: pred must be [N, C, H, W] or [N, C, D, H, W].</summary>
    private static void RequireImagesOrVolumes(string loss, string primitive, Tensor pred)
    {
        if (pred.dim() is not (4 or 5))
        {
            throw new ArgumentException(
                $"{loss}: {primitive} needs 2 or 3 spatial dims, [N, C, H, W] or [N, C, D, H, W], got pred {Inputs.Shape(pred)}.", nameof(pred));
        }
    }

    /// <summary>
    /// Max pooling with stride 1 over the 2 or 3 spatial dims of <paramref name="x"/>, one odd window size per dim and
    /// padding (k − 1)/2 that never wins (it is −∞): the output has x's size.
    /// </summary>
    private static Tensor MaxPool(Tensor x, long[] kernel) => SameMaxPool.Compute(x, kernel);

    /// <summary>x without channel 0 unless <paramref name="includeBackground"/>: a new handle either way, safe to dispose.</summary>
    private static Tensor KeptChannels(Tensor x, bool includeBackground) =>
        includeBackground ? x.alias() : x.narrow(1, 1, x.size(1) - 1);
}
