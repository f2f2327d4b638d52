using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary>
/// Multiclass <c>ce + dice</c> (no ignore index) as the generated module would run it with leaner label kernels:
/// the labels checked with one min and one max (instead of lt, ge, and, any, masked_fill and a multiply by the kept
/// pixels, which are all ones without an ignore index); ce as <c>nll_loss</c> of the shared log-softmax (a gather per
/// pixel) instead of <c>−Σ onehot · log p</c> over every class; the statistics as before.
/// </summary>
public sealed class LeanCeDice() : nn.Module<Tensor, Tensor, Tensor>("ce + dice (lean kernels)")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var classes = pred.shape[1];
        if (target.min().item<long>() < 0 || target.max().item<long>() >= classes)
        {
            throw new ArgumentException($"ce + dice: target labels must be class indices in [0, {classes - 1}].", nameof(target));
        }

        var t = one_hot(target, classes).movedim(new long[] { -1 }, new long[] { 1 }).to_type(pred.dtype);
        var logP = pred.log_softmax(1);
        var p = pred.softmax(1);
        var ce = nll_loss(logP, target);
        var dims = new long[] { 0, 2, 3 };
        var truePositive = (p * t).sum(dims);
        var dice = (1 - (2 * truePositive + 1) / (p.sum(dims) + t.sum(dims) + 1)).mean();
        return (ce + dice).MoveToOuterDisposeScope();
    }
}
