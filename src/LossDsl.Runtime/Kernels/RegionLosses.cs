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
    public static Tensor Dice(RegionStatistics statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, bool micro,
        bool softLabel, Tensor? weight, bool includeBackground)
    {
        if (!squaredPred && ClosedForm(statistics, micro, softLabel, RegionTerm.Dice(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground)) is { } closed)
        {
            return closed;
        }

        using var perChannel = DiceUnreduced(statistics, squaredPred, smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>
    /// Soft Dice per channel, <c>L_c = 1 − (2·TP + s_nr) / (P + T + s_dr)</c> in the form <see cref="Overlap"/> names: [C],
    /// or [N, C] per image ([1] or [N, 1] with micro). With <paramref name="squaredPred"/>, V-Net's Σp² + Σt² for P + T.
    /// </summary>
    public static Tensor DiceUnreduced(RegionStatistics statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty,
        bool micro, bool softLabel)
    {
        var (truePositive, predicted, target) = Sums(statistics, micro, squaredPred, softLabel);
        return Overlap(2 * truePositive + smoothNumerator, predicted + target + smoothDenominator, target, smoothDenominator, log, zeroWhenEmpty);
    }

    /// <summary>Soft IoU (Jaccard): <see cref="IouUnreduced"/>, then the channel mean.</summary>
    public static Tensor Iou(RegionStatistics statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, bool micro,
        bool softLabel, Tensor? weight, bool includeBackground)
    {
        if (!squaredPred && ClosedForm(statistics, micro, softLabel, RegionTerm.Iou(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground)) is { } closed)
        {
            return closed;
        }

        using var perChannel = IouUnreduced(statistics, squaredPred, smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>
    /// Soft IoU per channel, <c>L_c = 1 − (TP + s_nr) / (P + T − TP + s_dr)</c> in the form <see cref="Overlap"/> names;
    /// with <paramref name="squaredPred"/>, Σp² + Σt² for P + T.
    /// </summary>
    public static Tensor IouUnreduced(RegionStatistics statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty,
        bool micro, bool softLabel)
    {
        var (truePositive, predicted, target) = Sums(statistics, micro, squaredPred, softLabel);
        return Overlap(truePositive + smoothNumerator, predicted + target - truePositive + smoothDenominator, target, smoothDenominator, log, zeroWhenEmpty);
    }

    /// <summary>Tversky: <see cref="TverskyUnreduced"/>, then the channel mean. α = β = 0.5 is Dice.</summary>
    public static Tensor Tversky(RegionStatistics statistics, double alpha, double beta, double gamma, double smoothNumerator, double smoothDenominator,
        bool log, bool zeroWhenEmpty, bool micro, bool softLabel, Tensor? weight, bool includeBackground)
    {
        if (ClosedForm(statistics, micro, softLabel, RegionTerm.Tversky(alpha, beta, gamma, smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground)) is { } closed)
        {
            return closed;
        }

        using var perChannel = TverskyUnreduced(statistics, alpha, beta, gamma, smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    // An overlap term's mean from TP, P and T: the value the statistics node evaluated, or one node of its own on CPU
    // statistics (OverlapMean); null for pooled classes, soft labels (other sums) and statistics elsewhere, which take the
    // torch operations.
    private static Tensor? ClosedForm(RegionStatistics statistics, bool micro, bool softLabel, RegionTerm term) =>
        micro || softLabel ? null
        : statistics.Evaluated(term) ?? OverlapMean.TryCompute(statistics.TruePositive, statistics.Predicted, statistics.Target, term.Form, term.Weight, term.IncludeBackground);

    /// <summary>
    /// Tversky per channel, <c>L_c = 1 − (TP + s_nr) / (TP + α·FP + β·FN + s_dr)</c> with <c>FP = P − TP</c>,
    /// <c>FN = T − TP</c>, in the form <see cref="Overlap"/> names; with <paramref name="gamma"/> ≠ 1 the focal Tversky
    /// loss of Abraham and Khan (2019), <c>max(L_c, 0)^γ</c> per channel before the channel mean (0 with no gradient
    /// where L_c ≤ 0, so that γ &lt; 1 has no infinite slope at a perfect channel).
    /// </summary>
    public static Tensor TverskyUnreduced(RegionStatistics statistics, double alpha, double beta, double gamma, double smoothNumerator, double smoothDenominator,
        bool log, bool zeroWhenEmpty, bool micro, bool softLabel)
    {
        var (truePositive, predicted, target) = Sums(statistics, micro, squaredPred: false, softLabel);
        var falsePositive = predicted - truePositive;
        var falseNegative = target - truePositive;
        var loss = Overlap(truePositive + smoothNumerator, truePositive + alpha * falsePositive + beta * falseNegative + smoothDenominator, target,
            smoothDenominator, log, zeroWhenEmpty);
        if (gamma == 1)
        {
            return loss;
        }

        using (loss)
        {
            // pow's backward at 0 is γ·0^(γ−1): infinite for γ < 1. Where L_c ≤ 0 the base is 1 in an unused branch.
            using var positive = loss.gt(0);
            using var one = ones_like(loss);
            using var @base = loss.where(positive, one);
            using var powered = @base.pow(gamma);
            using var zero = zeros_like(loss);
            return powered.where(positive, zero);
        }
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
    /// Generalized Dice (Sudre et al. 2017), one value over all classes, per image when the statistics are:
    /// <c>1 − (2·Σ w_c TP_c + s_nr) / (Σ w_c (P_c + T_c) + s_dr)</c> with <c>w_c = 1 / (T_c^k + eps)</c> (k = 0: w_c = 1),
    /// then the mean over images. A single-channel mask counts as two classes, background (<c>1 − p</c>, <c>1 − t</c>)
    /// and foreground; without the background, channel 0 (for a single-channel mask, the added background) is left out.
    /// An infinite weight (eps 0 and a class absent from the target) is replaced by the largest finite weight of its image
    /// (of the batch without per_image), as MONAI does; 0 when there is none. Where the denominator is 0 the loss is 0
    /// with zero gradient. With <paramref name="softLabel"/> TP_c is the overlap of soft labels,
    /// <c>(P_c + T_c − Σ|p − t|) / 2</c> (MONAI's soft_label), which is TP_c on {0, 1} targets.
    /// </summary>
    public static Tensor GeneralizedDice(RegionStatistics statistics, double eps, double smoothNumerator, double smoothDenominator, int volumeExponent,
        bool includeBackground, bool softLabel)
    {
        var s = statistics;
        // The denominator P + T is the same in both forms.
        var overlap = TruePositives(s, softLabel);
        var (truePositive, predicted, target) = (overlap, s.Predicted, s.Target);
        if (truePositive.size(-1) == 1)
        {
            // Background sums from the foreground ones: Σ(1−p)(1−t) = Nv − P − T + TP, Σ(1−p) = Nv − P, Σ(1−t) = Nv − T.
            // The soft overlap of the complements is the same expression, since |(1−p) − (1−t)| = |p − t|.
            truePositive = cat(new[] { s.Count - s.Predicted - s.Target + overlap, overlap }, -1);
            predicted = cat(new[] { s.Count - s.Predicted, s.Predicted }, -1);
            target = cat(new[] { s.Count - s.Target, s.Target }, -1);
        }

        if (!includeBackground)
        {
            var classes = truePositive.size(-1) - 1;
            (truePositive, predicted, target) = (truePositive.narrow(-1, 1, classes), predicted.narrow(-1, 1, classes), target.narrow(-1, 1, classes));
        }

        var classWeight = VolumeWeights(target.detach(), eps, volumeExponent);
        var numerator = 2 * (classWeight * truePositive).sum(-1) + smoothNumerator;
        var denominator = (classWeight * (predicted + target)).sum(-1) + smoothDenominator;
        return Reductions.OneMinusRatio(numerator, denominator).mean();
    }

    // 1 / (T^k + eps), or 1 for k = 0; infinite weights become the largest finite one along the classes (last dim).
    private static Tensor VolumeWeights(Tensor target, double eps, int volumeExponent)
    {
        if (volumeExponent == 0)
        {
            return ones_like(target);
        }

        var weight = 1 / (target.pow(volumeExponent) + eps);
        if (eps > 0)
        {
            return weight;
        }

        using var infinite = weight.isinf();
        using var finite = weight.masked_fill(infinite, 0);
        using var largest = finite.amax(new long[] { -1 }, keepdim: true);
        return where(infinite, largest.expand_as(finite), finite);
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
    /// A channel's loss from its overlap score <c>numerator / denominator</c>: <c>1 − score</c>, or with
    /// <paramref name="log"/> smp's <c>−log(max(score, 1e-7))</c>; with <paramref name="zeroWhenEmpty"/> 0 (no gradient)
    /// where the channel's <paramref name="target"/> sum is 0, as smp does. The denominator is a sum of non-negative
    /// statistics plus <paramref name="smoothDenominator"/>, so only with 0 can it be 0 (nothing predicted and nothing to
    /// find): that channel's loss is then 0 with zero gradient, and only then is the guarded division needed.
    /// </summary>
    private static Tensor Overlap(Tensor numerator, Tensor denominator, Tensor target, double smoothDenominator, bool log, bool zeroWhenEmpty)
    {
        var loss = (smoothDenominator > 0, log) switch
        {
            (true, false) => 1 - numerator / denominator,
            (false, false) => Reductions.OneMinusRatio(numerator, denominator),
            (true, true) => -(numerator / denominator).clamp_min(OverlapForm.LogFloor).log(),
            (false, true) => -(1 - Reductions.OneMinusRatio(numerator, denominator)).clamp_min(OverlapForm.LogFloor).log(),
        };
        if (!zeroWhenEmpty)
        {
            return loss;
        }

        using var empty = target.detach() == 0;
        using var zero = zeros_like(loss);
        return where(empty, zero, loss);
    }

    /// <summary>
    /// TP, or with <paramref name="softLabel"/> the overlap of soft labels <c>(P + T − Σ|p − t|) / 2</c> (MONAI's
    /// soft_label; equal to TP on {0, 1} targets).
    /// </summary>
    private static Tensor TruePositives(RegionStatistics s, bool softLabel) =>
        softLabel ? (s.Predicted + s.Target - s.AbsoluteDifferences()) / 2 : s.TruePositive;

    /// <summary>
    /// TP, P and T as the ratio reads them: <see cref="TruePositives"/>; P and T, or Σp² and Σt² with
    /// <paramref name="squaredPred"/>; per channel, or with <paramref name="micro"/> summed over the classes (kornia's
    /// micro average).
    /// </summary>
    private static (Tensor TruePositive, Tensor Predicted, Tensor Target) Sums(RegionStatistics s, bool micro, bool squaredPred, bool softLabel)
    {
        var truePositive = TruePositives(s, softLabel);
        var (predicted, target) = squaredPred ? s.SquaredSums() : (s.Predicted, s.Target);
        return micro
            ? (truePositive.sum(-1, keepdim: true), predicted.sum(-1, keepdim: true), target.sum(-1, keepdim: true))
            : (truePositive, predicted, target);
    }

    /// <summary>
    /// Averages per-channel losses (last dim; a leading image dim when per image is averaged too; no image at all gives 0).
    /// <paramref name="weight"/> replaces the plain mean by <c>Σ w_c L_c / Σ w_c</c>; without the background,
    /// channel 0 (and its weight) is left out.
    /// </summary>
    internal static Tensor ChannelMean(Tensor perChannel, Tensor? weight, bool includeBackground)
    {
        if (!includeBackground && perChannel.size(-1) < 2)
        {
            throw new ArgumentException("include_background: false leaves no channel: pred has one channel, which is a foreground class.", nameof(includeBackground));
        }

        var losses = includeBackground ? perChannel : perChannel.narrow(-1, 1, perChannel.size(-1) - 1);
        if (weight is null)
        {
            return Reductions.Mean(losses, null);
        }

        if (weight.size(0) != perChannel.size(-1))
        {
            throw new ArgumentException($"weight has {weight.size(0)} entries but pred has {perChannel.size(-1)} channel(s).", nameof(weight));
        }

        using var all = ConstantBuffers.Like(weight, losses);
        using var weights = includeBackground ? all.alias() : all.narrow(0, 1, all.size(0) - 1);
        return Reductions.Mean(Reductions.Ratio((losses * weights).sum(-1), weights.sum()), null);
    }
}
