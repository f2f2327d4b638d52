using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary>
/// <c>focal + dice</c> on logits and a mask as one autograd node with a closed-form gradient
/// (TorchSharp's <c>autograd.SingleTensorFunction</c>). The generated module records ~30 elementwise ops that autograd
/// replays backwards, each a pass over the data with a saved tensor; here the forward records nothing and the backward
/// is one formula.
/// <para>
/// With <c>p = σ(x)</c>, <c>ce = softplus(x) − t x</c>, <c>m = 1 − p_t = p + t − 2pt</c>, <c>α_t = α t + (1 − α)(1 − t)</c>,
/// <c>focal = mean(α_t m^γ ce)</c> and, over the batch, <c>dice = 1 − (2 TP + s) / (P + T + s)</c>:
/// <c>∂focal/∂x = α_t (γ m^(γ−1) (1 − 2t) p(1 − p) ce + m^γ (p − t)) / n</c> and
/// <c>∂dice/∂x = (2 TP + s − 2 t (P + T + s)) / (P + T + s)² · p(1 − p)</c>.
/// </para>
/// m is clamped below at the dtype's smallest normal number before the power, as the kernel does (finite for γ &lt; 1).
/// Every tensor the forward and backward create is disposed by the caller's scope, except what the node saves.
/// </summary>
public sealed class FocalDiceFunction : autograd.SingleTensorFunction<FocalDiceFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(FocalDiceFunction);

    /// <summary>Arguments: logits (Tensor), target (Tensor), alpha, gamma, smooth (double).</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, t) = ((Tensor)vars[0], (Tensor)vars[1]);
        var (alpha, gamma, smooth) = ((double)vars[2], (double)vars[3], (double)vars[4]);

        var p = x.sigmoid();
        var ce = binary_cross_entropy_with_logits(x, t, reduction: nn.Reduction.None);
        var oneMinusTwoT = 1 - 2 * t;
        var m = t.addcmul(p, oneMinusTwoT, 1);
        var alphaT = t.mul(2 * alpha - 1).add_(1 - alpha);
        var modulation = m.clamp_min(finfo(m.dtype).tiny).pow_(gamma);
        var focalSum = (alphaT * modulation).view(-1).dot(ce.view(-1));

        var truePositive = p.view(-1).dot(t.view(-1));
        var predicted = p.sum();
        var targetSum = t.sum();
        var denominator = predicted + targetSum + smooth;
        var numerator = 2 * truePositive + smooth;
        var value = focalSum / x.numel() + (1 - numerator / denominator);

        ctx.save_for_backward(new List<Tensor> { p, t, ce, m, alphaT, numerator, denominator });
        ctx.save_data("gamma", gamma);
        return value;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var (p, t, ce, m, alphaT, numerator, denominator) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], saved[6]);
        var gamma = (double)ctx.get_data("gamma");
        var oneMinusTwoT = 1 - 2 * t;

        var sigmoidSlope = p - p * p;
        var clamped = m.clamp_min(finfo(m.dtype).tiny);
        // γ m^(γ−1) (1 − 2t) p(1 − p) ce + m^γ (p − t)
        var throughModulation = clamped.pow(gamma - 1).mul_(gamma).mul_(oneMinusTwoT).mul_(sigmoidSlope).mul_(ce);
        var throughCrossEntropy = clamped.pow(gamma).mul_(p - t);
        var focal = throughModulation.add_(throughCrossEntropy).mul_(alphaT).div_(p.numel());
        var dice = (numerator - 2 * denominator * t).div_(denominator.square()).mul_(sigmoidSlope);
        var gradient = focal.add_(dice).mul_(grad_output);
        // One entry per forward argument: only the logits get a gradient.
        return new List<Tensor> { gradient, null!, null!, null!, null! };
    }
}
