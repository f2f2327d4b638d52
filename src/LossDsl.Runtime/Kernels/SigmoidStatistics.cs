using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// <c>TP = Σ σ(x)·t</c> and <c>P = Σ σ(x)</c> of a mask on logits as one autograd node with its gradient written out:
/// <c>∂/∂x = σ(x)(1 − σ(x))·(g_TP·t + g_P)</c>, the incoming gradients broadcast over the reduced dims. Autograd would
/// record the sigmoid, the product and the sums (saving p and t), then replay them backwards; this node records
/// nothing in its forward pass, keeps no full-size tensor of its own until the backward one (it recomputes σ(x) there,
/// from the logits autograd keeps anyway), and writes the gradient in three in-place passes.
/// </summary>
internal sealed class SigmoidStatistics : autograd.SingleTensorFunction<SigmoidStatistics>
{
    /// <inheritdoc/>
    public override string Name => nameof(SigmoidStatistics);

    /// <summary>TP and P of <paramref name="logits"/> against <paramref name="target"/>, each summed over <paramref name="reduce"/>.</summary>
    public static (Tensor TruePositive, Tensor Predicted) Compute(Tensor logits, Tensor target, long[] reduce)
    {
        using var both = apply(logits, target, reduce);
        return (both[0], both[1]);
    }

    /// <summary>Arguments: logits and target (tensors of one shape), the dims to sum over (long[]). Returns [TP, P] stacked.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (logits, target, reduce) = ((Tensor)vars[0], (Tensor)vars[1], (long[])vars[2]);
        ctx.save_for_backward(new List<Tensor> { logits, target });
        ctx.save_data("reduce", reduce);

        using var noGrad = no_grad();
        using var p = logits.sigmoid();
        using var truePositive = SumOfProducts(p, target, reduce);
        using var predicted = reduce.Length == 0 ? p.alias() : p.sum(reduce);
        return stack(new[] { truePositive, predicted });
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var (logits, target) = (saved[0], saved[1]);
        var reduce = (long[])ctx.get_data("reduce");

        // The statistics' gradients, shaped to broadcast over the dims they were summed over.
        using var truePositiveGrad = Unreduce(grad_output[0], reduce);
        using var predictedGrad = Unreduce(grad_output[1], reduce);
        var gradient = target.mul(truePositiveGrad).add_(predictedGrad);
        using (var p = logits.sigmoid())
        {
            gradient.mul_(p);
            gradient.mul_(p.neg_().add_(1));
        }

        // One entry per forward argument: only the logits get a gradient.
        return new List<Tensor> { gradient, null!, null! };
    }

    /// <summary>
    /// <c>Σ p·t</c> over <paramref name="reduce"/>; for one channel over the whole batch a dot product, without the
    /// full-size p·t temporary (and, under autograd, its backward).
    /// </summary>
    internal static Tensor SumOfProducts(Tensor p, Tensor target, long[] reduce)
    {
        if (reduce.Length == p.dim() - 1 && reduce[0] == 0 && p.shape[1] == 1)
        {
            using var dot = p.reshape(-1).dot(target.reshape(-1));
            return dot.reshape(1);
        }

        using var product = p * target;
        return reduce.Length == 0 ? product.alias() : product.sum(reduce);
    }

    private static Tensor Unreduce(Tensor statistic, long[] reduce) =>
        reduce.Aggregate(statistic.alias(), (shaped, dim) =>
        {
            using (shaped)
            {
                return shaped.unsqueeze(dim);
            }
        });
}
