using System.Collections.Generic;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Mask focal on logits as one autograd node with its gradient written out. With <c>p = σ(x)</c>, the cross-entropy
/// <c>ce</c> from libtorch's fused BCE-with-logits, <c>m = 1 − p_t = t + p(1 − 2t)</c> and <c>α_t = t(2α − 1) + (1 − α)</c>
/// (1 when α &lt; 0), each element weighted by <c>s</c> (a weight map or the kept pixels; 1 without) and divided by the
/// count n of kept elements: <c>focal = Σ s α_t m^γ ce / n</c> and
/// <c>∂focal/∂x = s α_t (γ m^(γ−1) (1 − 2t) p(1 − p) ce + m^γ (p − t)) / n</c>.
/// m is kept at least the dtype's smallest normal number before the powers, as <see cref="PixelLosses"/> does: where it
/// is smaller, p(1 − p) is 0 or as small, so the first product stays finite and the second is 0.
/// Autograd would record about a dozen elementwise ops and save their inputs; this node records none in its forward
/// pass and saves three tensors, p, ce and m, for its backward pass.
/// </summary>
internal sealed class BinaryFocalFunction : autograd.SingleTensorFunction<BinaryFocalFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(BinaryFocalFunction);

    /// <summary>
    /// Arguments: logits and target (tensors of one shape), alpha and gamma (double), the element weights s (logits'
    /// shape, or null for 1) and the count n of kept elements (a scalar tensor).
    /// </summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (logits, target, alpha, gamma) = ((Tensor)vars[0], (Tensor)vars[1], (double)vars[2], (double)vars[3]);
        var (elementWeight, count) = ((Tensor?)vars[4], (Tensor)vars[5]);
        using var noGrad = no_grad();
        var p = logits.sigmoid();
        var crossEntropy = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        var notPt = PixelLosses.OneMinusPt(p, target);

        // The backward pass reads p, ce and 1 − p_t again: kept rather than recomputed (recomputing them there took more
        // peak memory than keeping them, 19.8 against 17.9 MB for focal + dice, docs/performance.md).
        SavedTensors.Save(ctx, target, p, crossEntropy, notPt, elementWeight, count);
        ctx.save_data("alpha", alpha);
        ctx.save_data("gamma", gamma);
        using var focal = PixelLosses.ClampedBase(notPt).pow_(gamma).mul_(crossEntropy);
        if (alpha >= 0)
        {
            using var alphaT = PixelLosses.AlphaT(target, alpha);
            focal.mul_(alphaT);
        }

        if (elementWeight is not null)
        {
            focal.mul_(elementWeight);
        }

        // A mean of no (kept) element is 0 here, as in every pixel loss.
        using var sum = focal.sum();
        return Reductions.Ratio(sum, count);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = SavedTensors.Restore(ctx);
        var (target, p, crossEntropy, notPt) = (saved[0]!, saved[1]!, saved[2]!, saved[3]!);
        var (elementWeight, count) = (saved[4], saved[5]!);
        var (alpha, gamma) = ((double)ctx.get_data("alpha"), (double)ctx.get_data("gamma"));

        var gradient = ElementGradient(target, p, crossEntropy, notPt, alpha, gamma);
        if (elementWeight is not null)
        {
            gradient.mul_(elementWeight);
        }

        // No kept element: the weights are all 0, and so is the gradient, whatever the divisor.
        using var divisor = count.clamp_min(1);
        using var scale = grad_output / divisor;
        gradient.mul_(scale);
        return new List<Tensor> { gradient, null!, null!, null!, null!, null! };
    }

    /// <summary>
    /// Each element's <c>∂(α_t m^γ ce)/∂x = α_t (γ m^(γ−1) (1 − 2t) p(1 − p) ce + m^γ (p − t))</c>, before weights and the
    /// mean's count; also the torch-operation path of a focal sum in <see cref="SigmoidStatistics"/>.
    /// </summary>
    internal static Tensor ElementGradient(Tensor target, Tensor p, Tensor crossEntropy, Tensor notPt, double alpha, double gamma)
    {
        using var clamped = PixelLosses.ClampedBase(notPt);
        // Through the modulation: γ m^(γ−1) (1 − 2t) p(1 − p) ce.
        using var towardsOther = 1 - 2 * target;
        var gradient = clamped.pow(gamma - 1).mul_(gamma).mul_(towardsOther).mul_(p).mul_(crossEntropy);
        using (var slopeFactor = p.neg().add_(1))
        {
            gradient.mul_(slopeFactor);
        }

        // Through the cross-entropy: m^γ (p − t).
        using (var error = p - target)
        using (var throughCrossEntropy = clamped.pow_(gamma).mul_(error))
        {
            gradient.add_(throughCrossEntropy);
        }

        if (alpha >= 0)
        {
            using var alphaT = PixelLosses.AlphaT(target, alpha);
            gradient.mul_(alphaT);
        }

        return gradient;
    }
}
