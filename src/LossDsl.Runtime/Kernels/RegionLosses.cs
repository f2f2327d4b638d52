using System;
using System.ComponentModel;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Losses that are functions of <see cref="RegionStatistics"/> (LOSSES.md, "Region statistics"). Where a per-channel
/// denominator is 0 (possible only with smooth 0: nothing predicted and nothing to find), that channel's loss is 0
/// with zero gradient.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RegionLosses
{
    /// <summary>Soft Dice: <see cref="DiceUnreduced"/>, then the channel mean.</summary>
    public static Tensor Dice(RegionStatistics statistics, double smooth, Tensor? weight, bool includeBackground)
    {
        using var perChannel = DiceUnreduced(statistics, smooth);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>Soft Dice per channel, <c>L_c = 1 − (2·TP + s) / (P + T + s)</c>: [C], or [N, C] per image.</summary>
    public static Tensor DiceUnreduced(RegionStatistics statistics, double smooth)
    {
        var s = statistics;
        return OneMinusOverlap(2 * s.TruePositive + smooth, s.Predicted + s.Target + smooth, smooth);
    }

    /// <summary>Soft IoU (Jaccard): <see cref="IouUnreduced"/>, then the channel mean.</summary>
    public static Tensor Iou(RegionStatistics statistics, double smooth, Tensor? weight, bool includeBackground)
    {
        using var perChannel = IouUnreduced(statistics, smooth);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>Soft IoU per channel, <c>L_c = 1 − (TP + s) / (P + T − TP + s)</c>: [C], or [N, C] per image.</summary>
    public static Tensor IouUnreduced(RegionStatistics statistics, double smooth)
    {
        var s = statistics;
        return OneMinusOverlap(s.TruePositive + smooth, s.Predicted + s.Target - s.TruePositive + smooth, smooth);
    }

    /// <summary>Tversky: <see cref="TverskyUnreduced"/>, then the channel mean. α = β = 0.5 is Dice.</summary>
    public static Tensor Tversky(RegionStatistics statistics, double alpha, double beta, double smooth, Tensor? weight, bool includeBackground)
    {
        using var perChannel = TverskyUnreduced(statistics, alpha, beta, smooth);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>
    /// Tversky per channel, <c>L_c = 1 − (TP + s) / (TP + α·FP + β·FN + s)</c> with <c>FP = P − TP</c>,
    /// <c>FN = T − TP</c>: [C], or [N, C] per image.
    /// </summary>
    public static Tensor TverskyUnreduced(RegionStatistics statistics, double alpha, double beta, double smooth)
    {
        var s = statistics;
        var falsePositive = s.Predicted - s.TruePositive;
        var falseNegative = s.Target - s.TruePositive;
        return OneMinusOverlap(s.TruePositive + smooth, s.TruePositive + alpha * falsePositive + beta * falseNegative + smooth, smooth);
    }

    /// <summary>
    /// Matthews correlation (as smp's <c>MCCLoss</c>, per channel): with TP from the statistics and FP, FN, TN summed
    /// directly (<see cref="RegionStatistics.ConfusionSums"/>), each plus <paramref name="smooth"/>,
    /// <c>L_c = 1 − (TP·TN − FP·FN) / √((TP + FP)(TP + FN)(TN + FP)(TN + FN))</c>, then the channel mean. smooth &gt; 0
    /// keeps every factor ≥ 2·smooth; a channel with no valid element has loss 0 with zero gradient, as in the other
    /// region losses.
    /// </summary>
    public static Tensor Mcc(RegionStatistics statistics, double smooth, Tensor? weight, bool includeBackground)
    {
        using var perChannel = MccUnreduced(statistics, smooth);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>1 − Matthews correlation per channel, as in <see cref="Mcc"/>: [C], or [N, C] per image.</summary>
    public static Tensor MccUnreduced(RegionStatistics statistics, double smooth)
    {
        var sums = statistics.ConfusionSums();
        using var falsePositiveSum = sums.FalsePositive;
        using var falseNegativeSum = sums.FalseNegative;
        using var trueNegativeSum = sums.TrueNegative;
        using var truePositive = statistics.TruePositive + smooth;
        using var falsePositive = falsePositiveSum + smooth;
        using var falseNegative = falseNegativeSum + smooth;
        using var trueNegative = trueNegativeSum + smooth;
        using var numerator = truePositive * trueNegative - falsePositive * falseNegative;
        using var denominator = ((truePositive + falsePositive) * (truePositive + falseNegative)
            * (trueNegative + falsePositive) * (trueNegative + falseNegative)).sqrt();
        using var correlation = numerator / denominator;
        // The four sums of a channel add up to its valid count, so they are all 0 exactly when nothing is valid.
        using var valid = statistics.TruePositive + falsePositiveSum + falseNegativeSum + trueNegativeSum;
        using var anyValid = valid > 0;
        using var zero = zeros_like(correlation);
        return where(anyValid, 1 - correlation, zero);
    }

    /// <summary>
    /// Generalized Dice (Sudre et al. 2017), one value over all classes: <c>w_c = 1 / (T_c² + eps)</c>,
    /// <c>1 − 2·Σ w_c TP_c / Σ w_c (P_c + T_c)</c>. A single-channel mask counts as two classes, background
    /// (<c>1 − p</c>, <c>1 − t</c>) and foreground. With no valid element (or nothing predicted and nothing to find
    /// anywhere) the loss is 0 with zero gradient.
    /// </summary>
    public static Tensor GeneralizedDice(RegionStatistics statistics, double eps)
    {
        var s = statistics;
        var (truePositive, predicted, target) = (s.TruePositive, s.Predicted, s.Target);
        if (truePositive.shape[^1] == 1)
        {
            // Background sums from the foreground ones: Σ(1−p)(1−t) = Nv − P − T + TP, Σ(1−p) = Nv − P, Σ(1−t) = Nv − T.
            truePositive = cat(new[] { s.Count - s.Predicted - s.Target + s.TruePositive, s.TruePositive }, -1);
            predicted = cat(new[] { s.Count - s.Predicted, s.Predicted }, -1);
            target = cat(new[] { s.Count - s.Target, s.Target }, -1);
        }

        var classWeight = 1 / (target.square() + eps);
        return Reductions.OneMinusRatio(2 * (classWeight * truePositive).sum(-1), (classWeight * (predicted + target)).sum(-1)).mean();
    }

    /// <summary>
    /// Sensitivity-specificity (Brosch et al. 2015): per channel
    /// <c>λ·Σ(t−p)²t / (T + s) + (1−λ)·Σ(t−p)²(1−t) / (Nv − T + s)</c> over valid elements, then the channel mean.
    /// A fraction whose denominator is 0 (smooth 0 and no positives, or no negatives) is 0.
    /// </summary>
    public static Tensor SensitivitySpecificity(RegionStatistics statistics, double lambda, double smooth)
    {
        using var perChannel = SensitivitySpecificityUnreduced(statistics, lambda, smooth);
        return perChannel.mean();
    }

    /// <summary>Sensitivity-specificity per channel, as in <see cref="SensitivitySpecificity"/>: [C].</summary>
    public static Tensor SensitivitySpecificityUnreduced(RegionStatistics statistics, double lambda, double smooth)
    {
        var s = statistics;
        var (missed, falseAlarm) = s.SquaredErrors();
        var sensitivityTerm = Reductions.Ratio(missed, s.Target + smooth);
        var specificityTerm = Reductions.Ratio(falseAlarm, s.Count - s.Target + smooth);
        return lambda * sensitivityTerm + (1 - lambda) * specificityTerm;
    }

    /// <summary>
    /// <c>1 − numerator / denominator</c> of an overlap score whose denominator is a sum of non-negative statistics plus
    /// <paramref name="smooth"/>: with smooth &gt; 0 it cannot be 0, so the guarded form (and its three extra operations
    /// forward and backward) is needed only for smooth 0.
    /// </summary>
    private static Tensor OneMinusOverlap(Tensor numerator, Tensor denominator, double smooth) =>
        smooth > 0 ? 1 - numerator / denominator : Reductions.OneMinusRatio(numerator, denominator);

    /// <summary>
    /// Averages per-channel losses (last dim; a leading image dim when per image is averaged too; no image at all gives 0).
    /// <paramref name="weight"/> replaces the plain mean by <c>Σ w_c L_c / Σ w_c</c>; without the background,
    /// channel 0 (and its weight) is left out.
    /// </summary>
    internal static Tensor ChannelMean(Tensor perChannel, Tensor? weight, bool includeBackground)
    {
        var losses = includeBackground ? perChannel : perChannel.narrow(-1, 1, perChannel.shape[^1] - 1);
        if (weight is null)
        {
            return Reductions.Mean(losses, null);
        }

        if (weight.shape[0] != perChannel.shape[^1])
        {
            throw new ArgumentException($"weight has {weight.shape[0]} entries but pred has {perChannel.shape[^1]} channel(s).", nameof(weight));
        }

        using var all = ConstantBuffers.Like(weight, losses);
        using var weights = includeBackground ? all.alias() : all.narrow(0, 1, all.shape[0] - 1);
        return Reductions.Mean(Reductions.Ratio((losses * weights).sum(-1), weights.sum()), null);
    }
}
