using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary>
/// A proposal's autograd node as a module on logits and a mask: the generated module's input check, then the node.
/// Both proposals (<see cref="FocalDiceFunction"/>, <see cref="FusedFocalDiceFunction"/>) are timed through it, so that
/// they differ from the generated module only in what comes after the check.
/// </summary>
public sealed class MaskNodeModule(string name, Func<Tensor, Tensor, Tensor> node) : nn.Module<Tensor, Tensor, Tensor>(name)
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var t = Kernels.Inputs.Mask(loss: "focal + dice", pred: pred, target: target, classes: 1, spatialRank: 2, checkValues: false);
        return node(pred, t).MoveToOuterDisposeScope();
    }
}
