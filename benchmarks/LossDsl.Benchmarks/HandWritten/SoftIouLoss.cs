using static TorchSharp.torch;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// Binary soft IoU (Jaccard) the common way: its own sigmoid, flatten, <c>union = Σ(p + t) − Σpt</c>,
/// <c>1 − (Σpt + 1) / (union + 1)</c>.
/// </summary>
public sealed class SoftIouLoss(double smooth = 1.0) : nn.Module<Tensor, Tensor, Tensor>("iou")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var p = pred.sigmoid().view(-1);
        var t = target.view(-1);
        var intersection = (p * t).sum();
        var total = (p + t).sum();
        var union = total - intersection;
        return (1 - (intersection + smooth) / (union + smooth)).MoveToOuterDisposeScope();
    }
}
