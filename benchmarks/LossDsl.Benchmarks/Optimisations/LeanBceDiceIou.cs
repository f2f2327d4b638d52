using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary><c>bce + dice + iou</c> as the generated module would run it with <see cref="LeanKernels"/>' statistics.</summary>
public sealed class LeanBceDiceIou() : nn.Module<Tensor, Tensor, Tensor>("bce + dice + iou (lean kernels)")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var t = Kernels.Inputs.Mask(loss: "bce + dice + iou", pred: pred, target: target, classes: 1, spatialRank: 2, checkValues: false);
        var p = Kernels.Probabilities.Sigmoid(logits: pred);
        var statistics = LeanKernels.Statistics(p, t);
        var bce = Kernels.PixelLosses.BinaryCrossEntropyWithLogits(logits: pred, target: t, posWeight: 1.0);
        return (bce + LeanKernels.Dice(statistics) + LeanKernels.Iou(statistics)).MoveToOuterDisposeScope();
    }
}
