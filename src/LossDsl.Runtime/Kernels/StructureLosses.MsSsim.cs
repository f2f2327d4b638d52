using System;
using System.Linq;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    /// <summary>
    /// <c>1 − MS-SSIM</c> of <paramref name="probabilities"/> against <paramref name="target"/> (Wang et al. 2003, as
    /// pytorch_msssim computes it): at every scale k the Gaussian-window contrast-structure map
    /// <c>cs = (2σxy + C2) / (σx² + σy² + C2)</c> averaged over the positions where the window lies inside the image, per
    /// image and channel; at the coarsest the whole SSIM map instead (each from <see cref="SsimFunction"/>, with its
    /// gradient written out); both images then halved by 2×2 average pooling
    /// (zero padding of one pixel on odd sides, counted in the average). Per image and channel,
    /// <c>MS-SSIM = Π_k relu(cs_k)^{w_k}</c> with the last factor <c>relu(ssim)^{w_L}</c>; the loss is 1 minus its mean.
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="probabilities">p, [N, C, H, W], or a volume [N, C, D, H, W] (the window a separable 3-D Gaussian, the pooling 2×2×2).</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="window">The 1-D Gaussian window (<see cref="ConstantBuffers.GaussianWindow"/>).</param>
    /// <param name="c1">(k1·L)².</param>
    /// <param name="c2">(k2·L)².</param>
    /// <param name="scaleWeights">One exponent per scale, finest first; their count is the number of scales.</param>
    public static Tensor MsSsim(string loss, Tensor probabilities, Tensor target, Tensor window, double c1, double c2, double[] scaleWeights)
    {
        RequireImagesOrVolumes(loss, "ms_ssim", probabilities);
        var size = window.size(0);
        var half = size / 2;
        var spatial = probabilities.shape[2..];
        // Each scale halves every side, rounding up; the coarsest must still hold the window (pytorch_msssim's rule with
        // its four halvings, for any number of scales).
        var needed = (size - 1) << (scaleWeights.Length - 1);
        if (spatial.Any(side => side <= needed))
        {
            throw new ArgumentException(
                $"{loss}: ms_ssim's window of {size} over {scaleWeights.Length} scales needs every spatial side above ({size} − 1)·2^{scaleWeights.Length - 1} = {needed}, "
                + $"got {string.Join("×", spatial)}; use a smaller window or fewer scale_weights.",
                nameof(probabilities));
        }

        // 2×2 (×2) average pooling, one pixel of zero padding on each odd side (counted in the average), as pytorch_msssim.
        var kernel = Enumerable.Repeat(2L, spatial.Length).ToArray();
        Tensor Halve(Tensor images)
        {
            var padding = images.shape[2..].Select(side => side % 2).ToArray();
            return spatial.Length == 2 ? avg_pool2d(images, kernel, padding: padding) : avg_pool3d(images, kernel, padding: padding);
        }

        // Each scale's map mean per image and channel from SSIM's node: the contrast-structure map, or at the coarsest the
        // whole map; the pooling between scales stays under autograd.
        var keep = WillBackPropagate(probabilities, target);
        using var windowLikeX = ConstantBuffers.Like(window, probabilities);
        var (x, y) = (probabilities.alias(), target.alias());
        var factors = new Tensor[scaleWeights.Length];
        for (var scale = 0; ; scale++)
        {
            var last = scale == scaleWeights.Length - 1;
            using (var means = SsimFunction.apply(x, y, windowLikeX, c1, c2, 0.0, half, keep, last))
            using (var positive = relu(means))
            {
                factors[scale] = positive.pow(scaleWeights[scale]);
            }

            if (last)
            {
                break;
            }

            var (coarser, coarserTarget) = (Halve(x), Halve(y));
            x.Dispose();
            y.Dispose();
            (x, y) = (coarser, coarserTarget);
        }

        x.Dispose();
        y.Dispose();

        using var stacked = stack(factors);
        using var product = stacked.prod(dim: 0);
        using var mean = product.mean();
        foreach (var factor in factors)
        {
            factor.Dispose();
        }

        return 1 - mean;
    }
}
