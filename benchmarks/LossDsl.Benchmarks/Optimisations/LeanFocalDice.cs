using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary><c>focal + dice</c> as the generated module would run it with the <see cref="LeanKernels"/> changes.</summary>
public sealed class LeanFocalDice() : nn.Module<Tensor, Tensor, Tensor>("focal + dice (lean kernels)")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var t = Kernels.Inputs.Mask(loss: "focal + dice", pred: pred, target: target, classes: 1, spatialRank: 2, checkValues: false);
        var p = Kernels.Probabilities.Sigmoid(logits: pred);
        var statistics = LeanKernels.Statistics(p, t);
        var focal = LeanKernels.Focal(pred, p, t, alpha: 0.25, gamma: 2.0);
        var dice = LeanKernels.Dice(statistics);
        return (focal + dice).MoveToOuterDisposeScope();
    }
}
