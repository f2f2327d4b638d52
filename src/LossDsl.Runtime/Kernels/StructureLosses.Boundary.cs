using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    private const double BoundaryEpsilon = 1e-7;

    /// <summary>
    /// Boundary F1 loss (Bokhovkin et al. 2019), <c>mean(1 − BF1)</c> over images and classes, on images or volumes (the
    /// pooling windows are squares or cubes). Boundary maps
    /// <c>b = maxpool(1 − x, θ0) − (1 − x)</c> of x = p and x = t, extended maps <c>maxpool(b, θ)</c> (stride 1, padding
    /// (θ − 1)/2), then per (image, class) <c>P = Σ b_p·ext(b_t) / (Σ b_p + 1e-7)</c>, <c>R = Σ ext(b_p)·b_t / (Σ b_t + 1e-7)</c>,
    /// <c>BF1 = 2PR / (P + R + 1e-7)</c>.
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="probabilities">p, [N, C, H, W] or [N, C, D, H, W].</param>
    /// <param name="target">t in the same shape: the mask, or one-hot labels.</param>
    /// <param name="theta0">Odd pooling size that finds boundaries.</param>
    /// <param name="theta">Odd pooling size that extends them, the distance tolerance.</param>
    /// <param name="includeComplement">True for a mask: each channel counts as two classes, (1 − p, 1 − t) and (p, t).</param>
    public static Tensor Boundary(string loss, Tensor probabilities, Tensor target, int theta0, int theta, bool includeComplement)
    {
        RequireImagesOrVolumes(loss, "boundary", probabilities);
        var p = includeComplement ? cat(new[] { 1 - probabilities, probabilities }, 1) : probabilities;
        var t = includeComplement ? cat(new[] { 1 - target, target }, 1) : target;

        var boundaryP = BoundaryMap(p, theta0);
        var boundaryT = BoundaryMap(t, theta0);
        var extendedP = SamePool(boundaryP, theta);
        var extendedT = SamePool(boundaryT, theta);

        var spatial = Enumerable.Range(2, (int)probabilities.dim() - 2).Select(d => (long)d).ToArray();
        var precision = (boundaryP * extendedT).sum(spatial) / (boundaryP.sum(spatial) + BoundaryEpsilon);
        var recall = (extendedP * boundaryT).sum(spatial) / (boundaryT.sum(spatial) + BoundaryEpsilon);
        var f1 = 2 * precision * recall / (precision + recall + BoundaryEpsilon);
        return (1 - f1).mean();
    }

    /// <summary><c>maxpool(1 − x, size) − (1 − x)</c>: how far each pixel is below the brightest of its neighbourhood in 1 − x.</summary>
    private static Tensor BoundaryMap(Tensor x, int size)
    {
        var inverse = 1 - x;
        return SamePool(inverse, size) - inverse;
    }

    /// <summary>Max pooling with stride 1 and padding (size − 1)/2 over every spatial dim: same size.</summary>
    private static Tensor SamePool(Tensor x, int size)
    {
        var rank = (int)x.dim() - 2;
        return MaxPool(x, Enumerable.Repeat((long)size, rank).ToArray());
    }
}
