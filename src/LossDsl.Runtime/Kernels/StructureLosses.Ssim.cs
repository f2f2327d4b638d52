using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    /// <summary>
    /// <c>1 − mean(SSIM map)</c> of <paramref name="probabilities"/> against <paramref name="target"/>, channel by channel:
    /// local means μ, variances σ² = E[x²] − μ² and covariance σxy = E[xy] − μxμy under the Gaussian
    /// <paramref name="window"/>, <c>SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2) + eps)</c>: one
    /// autograd node with its gradient written out (<see cref="SsimFunction"/>), the maps filtered by
    /// <see cref="GaussianFilter"/>. Borders: zero padding, the map the images' size (LOSSES.md); with <paramref name="reflect"/> the images padded by reflection instead (kornia); with
    /// <paramref name="validOnly"/> the mean over the positions where the window lies inside the image (MONAI,
    /// pytorch_msssim).
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="probabilities">p, [N, C, H, W], or a volume [N, C, D, H, W] (the window then a separable 3-D Gaussian).</param>
    /// <param name="target">The mask, same shape.</param>
    /// <param name="window">The 1-D Gaussian window (<see cref="ConstantBuffers.GaussianWindow"/>); converted to p's dtype and device when they differ.</param>
    /// <param name="c1">(k1·L)², 0.01² by default.</param>
    /// <param name="c2">(k2·L)², 0.03² by default.</param>
    /// <param name="eps">Added to the denominator (kornia's 1e-12); 0 by default.</param>
    /// <param name="reflect">Pad the images by reflection rather than with zeros.</param>
    /// <param name="validOnly">Average the map only where the window lies inside the image.</param>
    public static Tensor Ssim(string loss, Tensor probabilities, Tensor target, Tensor window, double c1, double c2, double eps, bool reflect, bool validOnly)
    {
        RequireImagesOrVolumes(loss, "ssim", probabilities);
        var half = window.size(0) / 2;
        var spatial = probabilities.shape[2..];
        if ((reflect || validOnly) && spatial.Any(side => side <= 2 * half))
        {
            throw new ArgumentException(
                $"{loss}: ssim's window of {window.size(0)} does not fit inside a {string.Join("×", spatial)} image, which its border needs; use a smaller window.",
                nameof(probabilities));
        }

        var padding = Enumerable.Repeat(half, 2 * spatial.Length).ToArray();
        using var x = reflect ? pad(probabilities, padding, PaddingModes.Reflect) : probabilities.alias();
        using var y = reflect ? pad(target, padding, PaddingModes.Reflect) : target.alias();
        using var windowLikeX = ConstantBuffers.Like(window, x);
        // Padded by reflection, the map has the padded size: its centre is the images' size. Without padding, the positions
        // where the window lies inside are the same centre of the zero-padded map.
        using var means = SsimFunction.apply(x, y, windowLikeX, c1, c2, eps, reflect || validOnly ? half : 0L, WillBackPropagate(probabilities, target), true);
        using var mean = means.mean();
        return 1 - mean;
    }

    /// <summary>Whether a backward pass may follow through <paramref name="x"/> or <paramref name="y"/>: what <see cref="SsimFunction"/> keeps its slopes for.</summary>
    private static bool WillBackPropagate(Tensor x, Tensor y) => is_grad_enabled() && (x.requires_grad || y.requires_grad);

    /// <summary>The positions of a same-size filtered map where a window of half-width <paramref name="half"/> lies inside the image.</summary>
    internal static Tensor WithoutBorder(Tensor map, long half)
    {
        var kept = map.alias();
        for (var dim = 2; dim < map.dim() && half > 0; dim++)
        {
            var narrowed = kept.narrow(dim, half, kept.size(dim) - (2 * half));
            kept.Dispose();
            kept = narrowed;
        }

        return kept;
    }

    /// <summary>
    /// The largest image side <see cref="GaussianFilter"/> filters with banded matrices. Measured (forward + backward,
    /// float32, 2 threads, 11 taps, docs/performance.md): 0.1x to 0.3x the time of the separable convolution up to
    /// 256 pixels a side; from 320 on either is faster depending on the shape, as the products' cost grows with the side.
    /// </summary>
    internal const long LargestBandedSide = 256;

    /// <summary>
    /// Filters every channel of <paramref name="images"/> ([N, C, H, W]) with the 2-D window <c>w wᵀ</c> built from the
    /// odd 1-D <paramref name="window"/> w, zero padding, same size: <see cref="BandedFilter"/> for images up to
    /// <see cref="LargestBandedSide"/> a side, else <see cref="SeparableFilter"/>. Both are that filter exactly.
    /// </summary>
    internal static Tensor GaussianFilter(Tensor images, Tensor window)
    {
        using var filter = new GaussianFilterOfShape(images, window);
        return filter.Apply(images);
    }

    /// <summary>
    /// <see cref="BandedProducts"/> on volumes [N, C, D, H, W]: the banded matrices along W, H and then D (moved next to W
    /// for its product), which is the separable 3-D Gaussian with zero padding.
    /// </summary>
    internal static Tensor BandedVolumeProducts(Tensor volumes, Tensor depth, Tensor rows, Tensor columns)
    {
        using var columnsT = columns.t();
        using var alongW = volumes.matmul(columnsT);
        using var alongH = rows.matmul(alongW);
        using var depthInside = alongH.transpose(2, 3);
        using var alongD = depth.matmul(depthInside);
        return alongD.transpose(2, 3);
    }

    /// <summary><see cref="SeparableFilter"/> on volumes: one grouped convolution per axis.</summary>
    internal static Tensor SeparableVolumeFilter(Tensor volumes, Tensor window)
    {
        var channels = volumes.size(1);
        var size = window.size(0);
        var half = size / 2;
        using var depthTaps = Taps(window, channels, 2, 5);
        using var rowTaps = Taps(window, channels, 3, 5);
        using var columnTaps = Taps(window, channels, 4, 5);
        using var alongD = conv3d(volumes, depthTaps, padding: new[] { half, 0L, 0L }, groups: channels);
        using var alongH = conv3d(alongD, rowTaps, padding: new[] { 0L, half, 0L }, groups: channels);
        return conv3d(alongH, columnTaps, padding: new[] { 0L, 0L, half }, groups: channels);
    }

    /// <summary>
    /// The filter as two matrix products, <c>B_H · X · B_Wᵀ</c>, with <c>B_n[i, k] = w[k − i + h]</c> for |k − i| ≤ h
    /// (h = half the window) and 0 elsewhere: row i of <c>B_H · X</c> is the column pass at i with the taps that fall
    /// outside the image left out, which is what zero padding gives. Batched matrix products beat libtorch's depthwise
    /// convolutions, whose cost is per-call reorders and allocation rather than the taps. Building the two [n, n]
    /// matrices costs about as much as a filtering at 256 x 256 (a dozen operations on n² elements each): a caller that
    /// filters several maps of one size builds them once (<see cref="GaussianFilterOfShape"/>).
    /// </summary>
    internal static Tensor BandedFilter(Tensor images, Tensor window)
    {
        using var rows = BandedMatrix(window, images.size(2));
        using var columns = BandedMatrix(window, images.size(3));
        return BandedProducts(images, rows, columns);
    }

    /// <summary><see cref="BandedFilter"/> with its two banded matrices given.</summary>
    internal static Tensor BandedProducts(Tensor images, Tensor rows, Tensor columns)
    {
        using var columnsT = columns.t();
        using var columnPass = rows.matmul(images);
        return columnPass.matmul(columnsT);
    }

    /// <summary>
    /// [n, n] with <c>B[i, k] = w[k − i + h]</c> where |k − i| ≤ h, else 0: a constant, without gradient. Every
    /// intermediate is freed here: an index matrix is n² int64s, 0.5 MiB at n = 256, and left to the caller's dispose
    /// scope they outlived the step (two matrices for each filtering).
    /// </summary>
    internal static Tensor BandedMatrix(Tensor window, long n)
    {
        using var noGrad = no_grad();
        var size = window.size(0);
        using var index = arange(n, dtype: ScalarType.Int64, device: window.device);
        using var rowIndex = index.unsqueeze(1);
        using var columnIndex = index.unsqueeze(0);
        using var tap = columnIndex.sub(rowIndex).add_(size / 2);
        using var inBand = tap.ge(0);
        using (var belowSize = tap.lt(size))
        {
            inBand.logical_and_(belowSize);
        }

        using var clamped = tap.clamp(0, size - 1);
        using var taps = window.index(clamped);
        using var zero = zeros(1, dtype: window.dtype, device: window.device);
        return taps.where(inBand, zero);
    }

    /// <summary>
    /// The filter as a column pass then a row pass, each one grouped convolution over all channels. With zero padding
    /// this is exactly the 2-D filter: the column pass is zero wherever the row pass reads padding.
    /// </summary>
    internal static Tensor SeparableFilter(Tensor images, Tensor window)
    {
        var channels = images.size(1);
        var size = window.size(0);
        var half = size / 2;
        using var columnTaps = Taps(window, channels, 2, 4);
        using var rowTaps = Taps(window, channels, 3, 4);
        using var columns = conv2d(images, columnTaps, padding: new[] { half, 0L }, groups: channels);
        return conv2d(columns, rowTaps, padding: new[] { 0L, half }, groups: channels);
    }

    // The window as a grouped convolution's weight of `rank` dims, one copy per channel, along dim `along`: a view.
    private static Tensor Taps(Tensor window, long channels, int along, int rank)
    {
        var shape = Enumerable.Repeat(1L, rank).ToArray();
        shape[along] = window.size(0);
        using var shaped = window.view(shape);
        shape[0] = channels;
        return shaped.expand(shape);
    }
}
