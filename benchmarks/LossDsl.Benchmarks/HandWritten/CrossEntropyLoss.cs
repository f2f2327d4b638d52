using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>Multiclass cross-entropy: <c>F.cross_entropy(logits, labels)</c>, mean.</summary>
public sealed class CrossEntropyLoss() : nn.Module<Tensor, Tensor, Tensor>("ce")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target) => cross_entropy(pred, target);
}
