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
    /// image and channel; at the coarsest the whole SSIM map instead; both images then halved by 2×2 average pooling
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

        var (x, y) = (probabilities, target);
        var factors = new Tensor[scaleWeights.Length];
        for (var scale = 0; ; scale++)
        {
            var (muX, muY, varianceX, varianceY, covariance) = LocalMoments(x, y, window);
            var contrastStructure = WithoutBorder((2 * covariance + c2) / (varianceX + varianceY + c2), half);
            var last = scale == scaleWeights.Length - 1;
            var map = last
                ? WithoutBorder((2 * muX * muY + c1) / ((muX * muX) + (muY * muY) + c1), half) * contrastStructure
                : contrastStructure;
            factors[scale] = relu(map.flatten(2).mean(new long[] { -1 })).pow(scaleWeights[scale]);
            if (last)
            {
                break;
            }

            (x, y) = (Halve(x), Halve(y));
        }

        return 1 - stack(factors).prod(dim: 0).mean();
    }

    /// <summary>
    /// The local means μx, μy, variances σ² = E[x²] − μ² and covariance σxy = E[xy] − μxμy of every channel of
    /// <paramref name="x"/> and <paramref name="y"/> under the Gaussian <paramref name="window"/> (zero padding, same
    /// size): the five maps filtered together by <see cref="GaussianFilter"/>. MS-SSIM's moments at each scale.
    /// </summary>
    private static (Tensor MuX, Tensor MuY, Tensor VarianceX, Tensor VarianceY, Tensor Covariance) LocalMoments(Tensor x, Tensor y, Tensor window)
    {
        using var windowLikeX = ConstantBuffers.Like(window, x);
        var maps = GaussianFilter(cat(new[] { x, y, x * x, y * y, x * y }, 1), windowLikeX).chunk(5, 1);
        var (muX, muY) = (maps[0], maps[1]);
        return (muX, muY, maps[2] - (muX * muX), maps[3] - (muY * muY), maps[4] - (muX * muY));
    }
}
