using static TorchSharp.torch;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    /// <summary>
    /// Kervadec et al.'s boundary loss (2019, "Boundary loss for highly unbalanced segmentation"):
    /// <c>mean(p · φ)</c> over images, channels and elements, where φ is the signed distance map of the target
    /// (thresholded at 0.5), each image and channel on its own: outside the foreground the distance to its nearest
    /// element, inside minus (the distance to the nearest background element − 1), so the foreground's own border
    /// elements are 0, as their <c>one_hot2dist</c>. An image-channel without foreground or without background has no
    /// boundary: φ = 0 there. φ is computed on the CPU with no gradient; the gradient is <c>φ / n</c>.
    /// </summary>
    /// <param name="probabilities">p, [N, C, *spatial].</param>
    /// <param name="target">t in the same shape: the mask, or one-hot labels.</param>
    /// <param name="includeBackground">False leaves channel 0 out (Kervadec et al. use the foreground class only).</param>
    public static Tensor BoundaryDistance(Tensor probabilities, Tensor target, bool includeBackground)
    {
        using var p = KeptChannels(probabilities, includeBackground);
        using var t = KeptChannels(target, includeBackground);
        using var signed = SignedDistances(t);
        using var weighted = p * signed;
        return weighted.mean();
    }

    /// <summary>φ of x thresholded at 0.5, per image-channel: outside d(foreground), inside 1 − d(background); 0 without a boundary.</summary>
    private static Tensor SignedDistances(Tensor x)
    {
        using var noGrad = no_grad();
        var (toBackground, toForeground, hasBoundary) = DistancesAcross(x);
        using (toBackground)
        using (toForeground)
        using (hasBoundary)
        {
            using var inside = toForeground.eq(0);
            using var depth = 1 - toBackground;
            using var signed = depth.where(inside, toForeground);
            using var zero = zeros_like(signed);
            using var field = signed.where(hasBoundary, zero);
            return field.reshape(x.shape);
        }
    }
}
