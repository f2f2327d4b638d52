using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    private const double SsimC1 = 0.01 * 0.01;
    private const double SsimC2 = 0.03 * 0.03;

    /// <summary>
    /// <c>1 − mean(SSIM map)</c> of <paramref name="probabilities"/> against <paramref name="target"/>, channel by channel:
    /// local means μ, variances σ² = E[x²] − μ² and covariance σxy = E[xy] − μxμy under the Gaussian
    /// <paramref name="window"/> (zero padding, same size), <c>SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2))</c>,
    /// C1 = 0.01², C2 = 0.03². The five filtered maps come from one grouped separable convolution.
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="probabilities">p, [N, C, H, W].</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="window">The 1-D Gaussian window (<see cref="ConstantBuffers.GaussianWindow"/>); converted to p's dtype and device when they differ.</param>
    public static Tensor Ssim(string loss, Tensor probabilities, Tensor target, Tensor window)
    {
        RequireImages(loss, "ssim", probabilities);
        var x = probabilities;
        var y = target;
        var filtered = SeparableFilter(cat(new[] { x, y, x * x, y * y, x * y }, 1), Like(window, x));
        var maps = filtered.chunk(5, 1);
        var (muX, muY) = (maps[0], maps[1]);
        var muXY = muX * muY;
        var muXSquared = muX * muX;
        var muYSquared = muY * muY;
        var varianceX = maps[2] - muXSquared;
        var varianceY = maps[3] - muYSquared;
        var covariance = maps[4] - muXY;

        var ssim = (2 * muXY + SsimC1) * (2 * covariance + SsimC2) / ((muXSquared + muYSquared + SsimC1) * (varianceX + varianceY + SsimC2));
        return 1 - ssim.mean();
    }

    /// <summary>
    /// Filters every channel of <paramref name="images"/> ([N, C, H, W]) with the 2-D window <c>w wᵀ</c> built from the
    /// odd 1-D <paramref name="window"/> w, zero padding, same size: a column pass then a row pass, each one grouped
    /// convolution over all channels. With zero padding this is exactly the 2-D filter: the column pass is zero
    /// wherever the row pass reads padding.
    /// </summary>
    internal static Tensor SeparableFilter(Tensor images, Tensor window)
    {
        var channels = images.shape[1];
        var size = window.shape[0];
        var half = size / 2;
        var columns = conv2d(images, window.view(1, 1, size, 1).expand(channels, 1, size, 1), padding: new[] { half, 0L }, groups: channels);
        return conv2d(columns, window.view(1, 1, 1, size).expand(channels, 1, 1, size), padding: new[] { 0L, half }, groups: channels);
    }
}
