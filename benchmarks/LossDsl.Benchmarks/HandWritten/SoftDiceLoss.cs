using static TorchSharp.torch;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// Binary soft Dice the common way: its own sigmoid, flatten everything,
/// <c>1 − (2·Σpt + 1) / (Σp + Σt + 1)</c>.
/// </summary>
public sealed class SoftDiceLoss(double smooth = 1.0) : nn.Module<Tensor, Tensor, Tensor>("dice")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var p = pred.sigmoid().view(-1);
        var t = target.view(-1);
        var intersection = (p * t).sum();
        var dice = (2 * intersection + smooth) / (p.sum() + t.sum() + smooth);
        return (1 - dice).MoveToOuterDisposeScope();
    }
}
