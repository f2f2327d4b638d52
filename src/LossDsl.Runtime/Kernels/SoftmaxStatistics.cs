using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// For class labels on logits, <c>TP_c = Σ_{y = c} p_c</c> and <c>P_c = Σ p_c</c> over the kept pixels, p = softmax(x), and
/// optionally ce's sum <c>−Σ log p_y</c>, as one autograd node with its gradient written out. With
/// <c>u_c = g_P[c] + g_TP[c]·[y = c]</c> at each kept pixel (0 at an ignored one):
/// <c>∂/∂x = p ⊙ (u − Σ_k p_k u_k) + g_CE·(p − onehot(y))</c> at the kept pixels. Autograd would record the softmax, the
/// log-softmax, the gathers and scatter-adds and replay them backwards (each gather's backward a scatter into a
/// [N, C, *spatial] map of zeros); this node records nothing in its forward pass and recomputes p in its backward pass.
/// </summary>
internal sealed class SoftmaxStatistics : autograd.SingleTensorFunction<SoftmaxStatistics>
{
    // Made once: a Scalar is native memory that dispose scopes do not track.
    private static readonly TorchSharp.Scalar One = 1.0;

    /// <inheritdoc/>
    public override string Name => nameof(SoftmaxStatistics);

    /// <summary>TP and P summed over <paramref name="reduce"/>, and ce's sum when asked for (else null).</summary>
    /// <param name="logits">x, [N, C, *spatial].</param>
    /// <param name="labels">Checked class indices, [N, 1, *spatial] (<see cref="Inputs.Labels"/>).</param>
    /// <param name="valid">The kept pixels, [N, 1, *spatial] in x's dtype, or null when none is ignored.</param>
    /// <param name="reduce">The dims TP and P are summed over.</param>
    /// <param name="crossEntropy">Whether to sum the cross-entropy too.</param>
    public static (Tensor TruePositive, Tensor Predicted, Tensor? CrossEntropy) Compute(
        Tensor logits, Tensor labels, Tensor? valid, long[] reduce, bool crossEntropy)
    {
        using var all = apply(logits, labels, valid!, reduce, crossEntropy);
        return PackedStatistics.Unpack(all, logits, reduce, crossEntropy);
    }

    /// <summary>
    /// Arguments: logits, labels, valid (or null), the dims to sum over (long[]), whether to add ce's sum (bool).
    /// Returns TP, P (flattened) and ce's sum, concatenated.
    /// </summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (logits, labels, valid, reduce, crossEntropy) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor?)vars[2], (long[])vars[3], (bool)vars[4]);
        ctx.save_for_backward(new List<Tensor> { logits, labels, valid ?? empty(0) });
        ctx.save_data("reduce", reduce);
        ctx.save_data("crossEntropy", crossEntropy);

        using var noGrad = no_grad();
        using var logP = logits.log_softmax(1);
        using var p = logP.exp();
        using var pY = Kept(p.gather(1, labels), valid);
        using var truePositive = RegionStatistics.SumIntoClasses(pY, labels, logits.shape[1], perImage: !reduce.Contains(0));
        using var keptP = Kept(p.alias(), valid);
        using var predicted = reduce.Length == 0 ? keptP.alias() : keptP.sum(reduce);
        using var crossEntropySum = crossEntropy ? CrossEntropySum(logP, labels, valid) : null;
        return PackedStatistics.Pack(truePositive, predicted, crossEntropySum);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var (logits, labels, valid) = (saved[0], saved[1], saved[2].numel() == 0 ? null : saved[2]);
        var reduce = (long[])ctx.get_data("reduce");
        var crossEntropy = (bool)ctx.get_data("crossEntropy");
        var (truePositiveGrad, predictedGrad, crossEntropyGrad) = PackedStatistics.Gradients(grad_output, logits, reduce, crossEntropy);
        using (truePositiveGrad)
        using (predictedGrad)
        using (crossEntropyGrad)
        {
            // u = g_P + g_TP at the label's class, 0 at ignored pixels.
            var gradient = predictedGrad.expand(logits.shape).contiguous();
            using (var atLabel = truePositiveGrad.expand(logits.shape).gather(1, labels))
            {
                gradient.scatter_add_(1, labels, atLabel);
            }

            if (valid is not null)
            {
                gradient.mul_(valid);
            }

            // p ⊙ (u − Σ_k p_k u_k).
            using var p = logits.softmax(1);
            using (var weighted = p * gradient)
            using (var mean = weighted.sum(1, keepdim: true))
            {
                gradient.sub_(mean).mul_(p);
            }

            if (crossEntropyGrad is not null)
            {
                // g_CE·(p − onehot(y)) at the kept pixels.
                using var scale = valid is null ? crossEntropyGrad.expand(labels.shape) : valid * crossEntropyGrad;
                gradient.addcmul_(p, scale, One);
                using var minusScale = scale.neg();
                gradient.scatter_add_(1, labels, minusScale.expand(labels.shape).contiguous());
            }

            // One entry per forward argument: only the logits get a gradient.
            return new List<Tensor> { gradient, null!, null!, null!, null! };
        }
    }

    // −Σ log p_y over the kept pixels.
    private static Tensor CrossEntropySum(Tensor logP, Tensor labels, Tensor? valid)
    {
        using var logPY = Kept(logP.gather(1, labels), valid);
        using var sum = logPY.sum();
        return sum.neg();
    }

    // values at the kept pixels, 0 elsewhere; takes ownership of values.
    private static Tensor Kept(Tensor values, Tensor? valid)
    {
        if (valid is null)
        {
            return values;
        }

        using (values)
        {
            return values * valid;
        }
    }
}
