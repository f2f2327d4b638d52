using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// torchvision's <c>sigmoid_focal_loss</c> (mean): <c>ce = BCE-with-logits(x, t)</c> per element,
/// <c>p_t = p t + (1 − p)(1 − t)</c>, <c>α_t (1 − p_t)^γ ce</c>.
/// </summary>
public sealed class SigmoidFocalLoss(double alpha, double gamma) : nn.Module<Tensor, Tensor, Tensor>("focal")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var p = pred.sigmoid();
        var ce = binary_cross_entropy_with_logits(pred, target, reduction: nn.Reduction.None);
        var pT = p * target + (1 - p) * (1 - target);
        var loss = ce * (1 - pT).pow(gamma);
        var alphaT = alpha * target + (1 - alpha) * (1 - target);
        return (alphaT * loss).mean().MoveToOuterDisposeScope();
    }
}
