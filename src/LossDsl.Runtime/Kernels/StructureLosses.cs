using System;
using System.ComponentModel;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Losses that read the spatial layout: filters, sorting, pooling (LOSSES.md, "Structure losses").
/// One file per loss; this part holds the input checks they share.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class StructureLosses
{
    /// <summary>
    /// ssim, boundary and active_contour filter over rows and columns: pred must be [N, C, H, W]. A signature that
    /// fixes the rank is checked at compile time; any other is checked here, naming the loss and the primitive.
    /// </summary>
    private static void RequireImages(string loss, string primitive, Tensor pred)
    {
        if (pred.dim() != 4)
        {
            throw new ArgumentException(
                $"{loss}: {primitive} needs pred of shape [N, C, H, W] (exactly 2 spatial dims), got {Inputs.Shape(pred)}.", nameof(pred));
        }
    }
}
