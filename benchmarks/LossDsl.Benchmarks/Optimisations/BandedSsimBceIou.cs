using LossDsl.Benchmarks.Filters;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary>
/// <c>bce + ssim(11) + iou</c> as the generated module runs it (the same kernels for bce, the statistics and iou), with
/// SSIM's Gaussian filter as two products with banded matrices (<see cref="GaussianFilter.BandedMatrices"/>) instead of
/// the grouped separable convolution: the proposal for <c>StructureLosses.Ssim</c>. The matrices depend on H and W, so
/// they are built at the first forward of a size and kept (a real kernel would keep them as buffers per size).
/// </summary>
public sealed class BandedSsimBceIou : nn.Module<Tensor, Tensor, Tensor>
{
    private const double C1 = 0.01 * 0.01;
    private const double C2 = 0.03 * 0.03;
    private readonly Tensor window = Kernels.ConstantBuffers.GaussianWindow(size: 11, sigma: 1.5);
    private GaussianFilterPlan? plan;
    private (long Height, long Width, ScalarType Type) planKey;

    /// <summary>The loss module.</summary>
    public BandedSsimBceIou() : base("bce + ssim(11) + iou (banded filter)")
    {
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var t = Kernels.Inputs.Mask(loss: "bce + ssim(11) + iou", pred: pred, target: target, classes: 1, spatialRank: 2, checkValues: false);
        var p = Kernels.Probabilities.Sigmoid(logits: pred);
        var stats = Kernels.RegionStatistics.Compute(probabilities: p, target: t, valid: null, perImage: false);
        var bce = Kernels.PixelLosses.BinaryCrossEntropyWithLogits(logits: pred, target: t, posWeight: 1.0);
        var iou = Kernels.RegionLosses.Iou(statistics: stats, smooth: 1.0, weight: null, includeBackground: true);
        return (bce + Ssim(p, t) + iou).MoveToOuterDisposeScope();
    }

    /// <summary>Same formula as <c>StructureLosses.Ssim</c>; only the filter differs.</summary>
    private Tensor Ssim(Tensor x, Tensor y)
    {
        var key = (x.shape[2], x.shape[3], x.dtype);
        if (plan is null || planKey != key)
        {
            plan?.Dispose();
            using var converted = window.to_type(x.dtype);
            plan = new GaussianFilterPlan(converted, key.Item1, key.Item2);
            planKey = key;
        }

        var maps = plan.Apply(GaussianFilter.BandedMatrices, cat(new[] { x, y, x * x, y * y, x * y }, 1)).chunk(5, 1);
        var (muX, muY) = (maps[0], maps[1]);
        var muXY = muX * muY;
        var muXSquared = muX * muX;
        var muYSquared = muY * muY;
        var ssim = (2 * muXY + C1) * (2 * (maps[4] - muXY) + C2)
            / ((muXSquared + muYSquared + C1) * (maps[2] - muXSquared + maps[3] - muYSquared + C2));
        return 1 - ssim.mean();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            plan?.Dispose();
            window.Dispose();
        }

        base.Dispose(disposing);
    }
}
