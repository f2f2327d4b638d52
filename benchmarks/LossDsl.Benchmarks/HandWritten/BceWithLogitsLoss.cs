using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>BCE on logits, mean: <c>F.binary_cross_entropy_with_logits(pred, target)</c> (smp's SoftBCEWithLogitsLoss).</summary>
public sealed class BceWithLogitsLoss() : nn.Module<Tensor, Tensor, Tensor>("bce")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target) => binary_cross_entropy_with_logits(pred, target);
}
