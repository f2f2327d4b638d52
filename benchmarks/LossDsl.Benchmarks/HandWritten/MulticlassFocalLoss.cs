using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// Multiclass focal loss as the common recipe writes it: per-pixel cross-entropy, <c>p_t = exp(−ce)</c>,
/// <c>mean((1 − p_t)^γ · ce)</c> (no α).
/// </summary>
public sealed class MulticlassFocalLoss(double gamma = 2.0) : nn.Module<Tensor, Tensor, Tensor>("focal")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var crossEntropy = cross_entropy(pred, target, reduction: nn.Reduction.None);
        var notPt = 1 - (-crossEntropy).exp();
        return (notPt.pow(gamma) * crossEntropy).mean().MoveToOuterDisposeScope();
    }
}
