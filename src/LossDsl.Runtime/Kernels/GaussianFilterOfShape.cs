using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// <see cref="StructureLosses.GaussianFilter"/> for every map of one shape ([N, C, H, W] or [N, C, D, H, W]): the banded
/// matrices built once, for sides up to <see cref="StructureLosses.LargestBandedSide"/>, where building them took as long
/// as a filtering (SSIM's node filters nine maps a step, forward and backward); the separable convolutions beyond, which
/// build nothing. The matrices are the caller's to dispose, with this.
/// </summary>
internal sealed class GaussianFilterOfShape : IDisposable
{
    private readonly Tensor window;
    private readonly long[] spatial;
    // One per spatial dim (D, H, W or H, W), or null for the separable convolutions.
    private readonly Tensor[]? banded;

    /// <summary>The filter with the 1-D <paramref name="window"/> for maps of <paramref name="like"/>'s shape, dtype and device.</summary>
    public GaussianFilterOfShape(Tensor like, Tensor window)
    {
        this.window = window;
        spatial = like.shape[2..];
        banded = spatial.All(side => side <= StructureLosses.LargestBandedSide) ? spatial.Select(side => StructureLosses.BandedMatrix(window, side)).ToArray() : null;
    }

    /// <summary>The filtered <paramref name="images"/>, which must have the spatial shape this filter was built for.</summary>
    public Tensor Apply(Tensor images)
    {
        if (!images.shape[2..].SequenceEqual(spatial))
        {
            throw new ArgumentException($"The filter was built for maps of {string.Join(" x ", spatial)}, not {string.Join(" x ", images.shape[2..])}.", nameof(images));
        }

        return banded switch
        {
            [var rows, var columns] => StructureLosses.BandedProducts(images, rows, columns),
            [var depth, var rows, var columns] => StructureLosses.BandedVolumeProducts(images, depth, rows, columns),
            null when spatial.Length == 2 => StructureLosses.SeparableFilter(images, window),
            _ => StructureLosses.SeparableVolumeFilter(images, window),
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var matrix in banded ?? Array.Empty<Tensor>())
        {
            matrix.Dispose();
        }
    }
}
