using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary>
/// Kernel changes proposed for src/LossDsl.Runtime (which this project does not edit), written here so that their gain
/// can be measured: the same formulas as the current kernels, with fewer passes over the data.
/// <list type="number">
/// <item>Region statistics of a whole-batch, single-channel mask as dot products: <c>TP = p·t</c> without the
/// <c>p * t</c> temporary, and no <c>Nv</c> (<c>ones_like(t).sum()</c>) unless a term reads it.</item>
/// <item>Mask focal on logits from libtorch's fused <c>binary_cross_entropy_with_logits</c> (one kernel, as bce already
/// uses when it is alone) instead of two log-sigmoid passes and five elementwise ops, and <c>1 − p_t</c> as one
/// <c>addcmul</c>: <c>t + p(1 − 2t)</c>.</item>
/// </list>
/// </summary>
public static class LeanKernels
{
    /// <summary>TP, P and T of a single-channel mask over the whole batch.</summary>
    public static (Tensor TruePositive, Tensor Predicted, Tensor Target) Statistics(Tensor probabilities, Tensor target)
    {
        var p = probabilities.reshape(-1);
        var t = target.reshape(-1);
        return (p.dot(t), p.sum(), t.sum());
    }

    /// <summary>Dice from <see cref="Statistics"/>, smooth 1 (the denominator is at least 1: no guard needed).</summary>
    public static Tensor Dice((Tensor TruePositive, Tensor Predicted, Tensor Target) s, double smooth = 1.0) =>
        1 - (2 * s.TruePositive + smooth) / (s.Predicted + s.Target + smooth);

    /// <summary>IoU from <see cref="Statistics"/>, smooth 1.</summary>
    public static Tensor Iou((Tensor TruePositive, Tensor Predicted, Tensor Target) s, double smooth = 1.0) =>
        1 - (s.TruePositive + smooth) / (s.Predicted + s.Target - s.TruePositive + smooth);

    /// <summary>Mask focal on logits: <c>mean(α_t (1 − p_t)^γ ce)</c>, ce from the fused BCE-with-logits kernel.</summary>
    public static Tensor Focal(Tensor logits, Tensor probabilities, Tensor target, double alpha, double gamma)
    {
        var crossEntropy = binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        var notPt = target.addcmul(probabilities, 1 - 2 * target, 1);
        var modulation = notPt.clamp_min(finfo(notPt.dtype).tiny).pow(gamma);
        var alphaT = target * (2 * alpha - 1) + (1 - alpha);
        return (alphaT * modulation * crossEntropy).mean();
    }
}
