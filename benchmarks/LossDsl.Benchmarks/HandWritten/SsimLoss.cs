using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// SSIM loss as pytorch_ssim (used by BASNet) writes it: its own sigmoid, a 2-D Gaussian window (outer product of the
/// normalised 1-D one), five depthwise 2-D convolutions (μx, μy, E[x²], E[y²], E[xy]) with zero padding,
/// <c>1 − mean(SSIM map)</c>.
/// </summary>
public sealed class SsimLoss : nn.Module<Tensor, Tensor, Tensor>
{
    private const double C1 = 0.01 * 0.01;
    private const double C2 = 0.03 * 0.03;
    private readonly int size;
    private readonly Tensor window;

    /// <summary>An SSIM loss with a <paramref name="size"/> x <paramref name="size"/> Gaussian window of <paramref name="sigma"/>.</summary>
    public SsimLoss(int size, double sigma) : base("ssim")
    {
        this.size = size;
        var center = size / 2;
        var gauss = Enumerable.Range(0, size).Select(i => Math.Exp(-((i - center) * (i - center)) / (2 * sigma * sigma))).ToArray();
        var sum = gauss.Sum();
        // Built in float64 and converted to the input's dtype per call (pytorch_ssim builds float32 and converts with type_as).
        using var oneD = tensor(gauss.Select(g => g / sum).ToArray(), dtype: ScalarType.Float64).unsqueeze(1);
        window = oneD.mm(oneD.t()).view(1, 1, size, size).DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var x = pred.sigmoid();
        var y = target;
        var channels = x.shape[1];
        var w = window.to_type(x.dtype).expand(channels, 1, size, size);
        var padding = size / 2;
        Tensor Filter(Tensor image) => conv2d(image, w, padding: new long[] { padding, padding }, groups: channels);

        var mu1 = Filter(x);
        var mu2 = Filter(y);
        var mu1Squared = mu1.pow(2);
        var mu2Squared = mu2.pow(2);
        var mu1Mu2 = mu1 * mu2;
        var sigma1Squared = Filter(x * x) - mu1Squared;
        var sigma2Squared = Filter(y * y) - mu2Squared;
        var sigma12 = Filter(x * y) - mu1Mu2;
        var ssimMap = (2 * mu1Mu2 + C1) * (2 * sigma12 + C2) / ((mu1Squared + mu2Squared + C1) * (sigma1Squared + sigma2Squared + C2));
        return (1 - ssimMap.mean()).MoveToOuterDisposeScope();
    }
}
