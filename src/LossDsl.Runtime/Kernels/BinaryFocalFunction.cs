using System.Collections.Generic;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Mask focal on logits as one autograd node with its gradient written out. With <c>p = σ(x)</c>, the cross-entropy
/// <c>ce</c> from libtorch's fused BCE-with-logits, <c>m = 1 − p_t = t + p(1 − 2t)</c> and <c>α_t = t(2α − 1) + (1 − α)</c>
/// (1 when α &lt; 0): <c>focal = mean(α_t m^γ ce)</c> and
/// <c>∂focal/∂x = α_t (γ m^(γ−1) (1 − 2t) p(1 − p) ce + m^γ (p − t)) / n</c>.
/// m is kept at least the dtype's smallest normal number before the powers, as <see cref="PixelLosses"/> does: where it
/// is smaller, p(1 − p) is 0 or as small, so the first product stays finite and the second is 0.
/// Autograd would record about a dozen elementwise ops and save their inputs; this node records none in its forward
/// pass and saves three tensors, p, ce and m, for its backward pass.
/// </summary>
internal sealed class BinaryFocalFunction : autograd.SingleTensorFunction<BinaryFocalFunction>
{
    // Made once: a Scalar is native memory that dispose scopes do not track.
    private static readonly TorchSharp.Scalar One = 1.0;

    /// <inheritdoc/>
    public override string Name => nameof(BinaryFocalFunction);

    /// <summary>Arguments: logits and target (tensors of one shape), alpha and gamma (double).</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (logits, target, alpha, gamma) = ((Tensor)vars[0], (Tensor)vars[1], (double)vars[2], (double)vars[3]);
        using var noGrad = no_grad();
        var (p, crossEntropy, notPt) = Factors(logits, target);

        // The backward pass reads p, ce and 1 − p_t again: kept rather than recomputed (measured faster, docs/performance.md).
        ctx.save_for_backward(new List<Tensor> { target, p, crossEntropy, notPt });
        ctx.save_data("alpha", alpha);
        ctx.save_data("gamma", gamma);
        using var focal = Clamped(notPt).pow_(gamma).mul_(crossEntropy);
        if (alpha >= 0)
        {
            using var alphaT = AlphaT(target, alpha);
            focal.mul_(alphaT);
        }

        // A mean of no element is 0 here, as in every pixel loss.
        return focal.numel() == 0 ? focal.sum() : focal.mean();
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var (target, p, crossEntropy, notPt) = (saved[0], saved[1], saved[2], saved[3]);
        var (alpha, gamma) = ((double)ctx.get_data("alpha"), (double)ctx.get_data("gamma"));

        using var clamped = Clamped(notPt);
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
            using var alphaT = AlphaT(target, alpha);
            gradient.mul_(alphaT);
        }

        using var scale = grad_output / System.Math.Max(1, p.numel());
        gradient.mul_(scale);
        return new List<Tensor> { gradient, null!, null!, null! };
    }

    // p = σ(x), the per-element cross-entropy in its fused log-sigmoid form, and 1 − p_t = t + p(1 − 2t).
    private static (Tensor P, Tensor CrossEntropy, Tensor NotPt) Factors(Tensor logits, Tensor target)
    {
        var p = logits.sigmoid();
        var crossEntropy = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        using var towardsOther = 1 - 2 * target;
        var notPt = target.addcmul(p, towardsOther, One);
        return (p, crossEntropy, notPt);
    }

    private static Tensor Clamped(Tensor notPt) => notPt.clamp_min(finfo(notPt.dtype).tiny);

    private static Tensor AlphaT(Tensor target, double alpha) => target.mul(2 * alpha - 1).add_(1 - alpha);
}
