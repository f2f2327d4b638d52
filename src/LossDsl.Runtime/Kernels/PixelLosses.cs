using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>Losses that average a per-element value over the valid elements (LOSSES.md, "Pixel losses").</summary>
public static class PixelLosses
{
    /// <summary>
    /// Binary cross-entropy on logits, in the log-sigmoid form <c>w·t·softplus(−x) + (1−t)·softplus(x)</c>:
    /// exact, finite and with finite gradients for |x| up to 1e4. <paramref name="posWeight"/> null means <c>auto</c>.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, double? posWeight)
    {
        using var weight = PositiveWeight(target, posWeight);
        return nn.functional.binary_cross_entropy_with_logits(logits, target, pos_weights: weight);
    }

    /// <summary>
    /// Binary cross-entropy on probabilities, logs clamped at −100 as PyTorch's BCELoss:
    /// <c>−[w·t·max(log p, −100) + (1−t)·max(log(1−p), −100)]</c>, mean.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor probabilities, Tensor target, double? posWeight)
    {
        var logP = probabilities.log().clamp_min(-100);
        var log1mP = (1 - probabilities).log().clamp_min(-100);
        var positive = target * logP;
        if (PositiveWeight(target, posWeight) is { } weight)
        {
            positive = weight * positive;
        }

        return -(positive + (1 - target) * log1mP).mean();
    }

    /// <summary>
    /// The positive-class weight as a tensor, or null for 1 (no weighting). <c>auto</c> is
    /// <c>(N − ΣT) / max(ΣT, 1)</c> over the whole batch, without gradient.
    /// </summary>
    private static Tensor? PositiveWeight(Tensor target, double? posWeight)
    {
        if (posWeight is { } fixedWeight)
        {
            return fixedWeight == 1.0 ? null : tensor(fixedWeight, dtype: target.dtype, device: target.device);
        }

        using var noGrad = no_grad();
        var positives = target.sum();
        return ((target.numel() - positives) / positives.clamp_min(1)).detach();
    }
}
