using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.Filters;

/// <summary>
/// A Gaussian filter for one window and image size, with the constants each formulation needs built once (as a loss
/// module builds its buffers once): the 2-D window and the two banded matrices.
/// </summary>
public sealed class GaussianFilterPlan : IDisposable
{
    private readonly Tensor window;
    private readonly Tensor window2d;
    private readonly Tensor rows;
    private readonly Tensor columnsTransposed;

    /// <summary>A plan for <paramref name="window"/> (the 1-D w) on images of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public GaussianFilterPlan(Tensor window, long height, long width)
    {
        this.window = window.alias().DetachFromDisposeScope();
        window2d = window.outer(window).DetachFromDisposeScope();
        rows = Banded(window, height).DetachFromDisposeScope();
        columnsTransposed = Banded(window, width).t().contiguous().DetachFromDisposeScope();
    }

    /// <summary>Filters <paramref name="images"/> ([N, C, H, W], the window's dtype) with <c>w wᵀ</c>.</summary>
    public Tensor Apply(GaussianFilter formulation, Tensor images)
    {
        var (channels, height, width) = (images.shape[1], images.shape[2], images.shape[3]);
        var size = window.shape[0];
        var half = size / 2;
        switch (formulation)
        {
            case GaussianFilter.Conv2d:
                return conv2d(images, window2d.expand(channels, 1, size, size), padding: new[] { half, half }, groups: channels);
            case GaussianFilter.SeparableGrouped:
                var columns = conv2d(images, window.view(1, 1, size, 1).expand(channels, 1, size, 1), padding: new[] { half, 0L }, groups: channels);
                return conv2d(columns, window.view(1, 1, 1, size).expand(channels, 1, 1, size), padding: new[] { 0L, half }, groups: channels);
            case GaussianFilter.SeparableFolded:
                var folded = images.reshape(-1, 1, height, width);
                var foldedColumns = conv2d(folded, window.view(1, 1, size, 1), padding: new[] { half, 0L });
                return conv2d(foldedColumns, window.view(1, 1, 1, size), padding: new[] { 0L, half }).view(images.shape);
            case GaussianFilter.BandedMatrices:
                return rows.matmul(images).matmul(columnsTransposed);
            default:
                throw new ArgumentOutOfRangeException(nameof(formulation), formulation, null);
        }
    }

    /// <summary>
    /// The [n, n] matrix that filters along one axis: <c>B[i, k] = w[k − i + h]</c> for |k − i| ≤ h, else 0, built by
    /// writing w's taps on shifted diagonals.
    /// </summary>
    public static Tensor Banded(Tensor window, long n)
    {
        using var scope = NewDisposeScope();
        var half = window.shape[0] / 2;
        var matrix = zeros(n, n, dtype: window.dtype, device: window.device);
        for (var offset = -half; offset <= half; offset++)
        {
            var length = n - Math.Abs(offset);
            if (length > 0)
            {
                matrix.diagonal(offset).copy_(window[offset + half].expand(length));
            }
        }

        return matrix.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The definition, independent of any convolution or matrix product: zero-pad by h on each side, then add the k²
    /// shifted copies, each times its weight <c>w_a w_b</c>. Slow; the reference the formulations are checked against.
    /// </summary>
    public static Tensor Reference(Tensor images, Tensor window)
    {
        var (height, width) = (images.shape[2], images.shape[3]);
        var size = window.shape[0];
        var half = size / 2;
        var padded = pad(images, new[] { half, half, half, half });
        var weights = window.to_type(ScalarType.Float64).data<double>().ToArray();
        var result = zeros_like(images);
        for (var a = 0; a < size; a++)
        {
            for (var b = 0; b < size; b++)
            {
                result.add_(padded.narrow(2, a, height).narrow(3, b, width), alpha: weights[a] * weights[b]);
            }
        }

        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        window.Dispose();
        window2d.Dispose();
        rows.Dispose();
        columnsTransposed.Dispose();
    }
}
