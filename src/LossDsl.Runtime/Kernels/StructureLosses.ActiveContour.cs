using System;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    private const double ContourEpsilon = 1e-8;

    /// <summary>
    /// Active contour loss (Chen et al. 2019), exactly as LOSSES.md crops it: <c>weight·length + region</c> with
    /// <c>length = mean(sqrt(Δr² + Δc² + 1e-8))</c>, <c>Δr = p[.., 1:, :] − p[.., :−1, :]</c> cropped to <c>[.., 1:, :−2]</c>,
    /// <c>Δc = p[.., :, 1:] − p[.., :, :−1]</c> cropped to <c>[.., :−2, 1:]</c> (both [N, C, H−2, W−2]), and
    /// <c>region = mean(p·(t − 1)²) + mean((1 − p)·t²)</c>. H and W must be at least 3 for the crops to hold a pixel.
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="probabilities">p, [N, C, H, W].</param>
    /// <param name="target">The mask t, same shape.</param>
    /// <param name="weight">Weight of the length term.</param>
    public static Tensor ActiveContour(string loss, Tensor probabilities, Tensor target, double weight)
    {
        RequireImages(loss, "active_contour", probabilities);
        var p = probabilities;
        var (height, width) = (p.size(2), p.size(3));
        if (height < 3 || width < 3)
        {
            throw new ArgumentException($"{loss}: active_contour needs H and W of at least 3, got pred {Inputs.Shape(p)}.", nameof(probabilities));
        }

        var rowSteps = (p.narrow(2, 1, height - 1) - p.narrow(2, 0, height - 1)).narrow(2, 1, height - 2).narrow(3, 0, width - 2);
        var columnSteps = (p.narrow(3, 1, width - 1) - p.narrow(3, 0, width - 1)).narrow(2, 0, height - 2).narrow(3, 1, width - 2);

        // LOSSES.md writes |Δr² + Δc²|; the sum is never negative, so the abs changes neither value nor gradient.
        var length = (rowSteps * rowSteps + columnSteps * columnSteps + ContourEpsilon).sqrt().mean();
        var region = (p * (target - 1).square()).mean() + ((1 - p) * target.square()).mean();
        return weight * length + region;
    }
}
