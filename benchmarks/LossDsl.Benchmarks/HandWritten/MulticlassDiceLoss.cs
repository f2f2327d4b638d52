using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// Multiclass soft Dice as segmentation_models_pytorch writes it: its own softmax, one-hot labels, per-class sums over
/// batch and pixels, <c>1 − (2·Σpt + 1) / (Σ(p + t) + 1)</c>, mean over classes. (smp also zeroes classes absent from
/// the batch; every class is present in these inputs, so that mask is left out.)
/// </summary>
public sealed class MulticlassDiceLoss(double smooth = 1.0) : nn.Module<Tensor, Tensor, Tensor>("dice")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (n, classes) = (pred.shape[0], pred.shape[1]);
        var p = pred.softmax(1).view(n, classes, -1);
        var t = one_hot(target.view(n, -1), classes).permute(0, 2, 1).to_type(pred.dtype);
        var dims = new long[] { 0, 2 };
        var intersection = (p * t).sum(dims);
        var cardinality = (p + t).sum(dims);
        var dice = (2 * intersection + smooth) / (cardinality + smooth);
        return (1 - dice).mean().MoveToOuterDisposeScope();
    }
}
