using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary>
/// The module form of <see cref="FocalDiceFunction"/>: <c>focal + dice</c> (α 0.25, γ 2, smooth 1) on logits and a mask,
/// with the generated module's input check.
/// </summary>
public sealed class ClosedFormFocalDice() : nn.Module<Tensor, Tensor, Tensor>("focal + dice (closed form)")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var t = Kernels.Inputs.Mask(loss: "focal + dice", pred: pred, target: target, classes: 1, spatialRank: 2, checkValues: false);
        return FocalDiceFunction.apply(pred, t, 0.25, 2.0, 1.0).MoveToOuterDisposeScope();
    }
}
