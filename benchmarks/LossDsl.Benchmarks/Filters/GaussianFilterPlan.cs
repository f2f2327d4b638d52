using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.Filters;

/// <summary>
/// A Gaussian filter for one window, in each formulation: the two the kernel uses (StructureLosses.BandedFilter and
/// SeparableFilter, called as the loss calls them) and two alternatives, with the 2-D window built once.
/// </summary>
public sealed class GaussianFilterPlan : IDisposable
{
    private readonly Tensor window;
    private readonly Tensor window2d;

    /// <summary>A plan for <paramref name="window"/> (the 1-D w).</summary>
    public GaussianFilterPlan(Tensor window)
    {
        this.window = window.alias().DetachFromDisposeScope();
        window2d = window.outer(window).DetachFromDisposeScope();
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
                return Kernels.StructureLosses.SeparableFilter(images, window);
            case GaussianFilter.SeparableFolded:
                var folded = images.reshape(-1, 1, height, width);
                var foldedColumns = conv2d(folded, window.view(1, 1, size, 1), padding: new[] { half, 0L });
                return conv2d(foldedColumns, window.view(1, 1, 1, size), padding: new[] { 0L, half }).view(images.shape);
            case GaussianFilter.BandedMatrices:
                return Kernels.StructureLosses.BandedFilter(images, window);
            default:
                throw new ArgumentOutOfRangeException(nameof(formulation), formulation, null);
        }
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
    }
}
