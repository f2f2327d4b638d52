using System;
using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>The value ranges the primitives declare (docs/language.md, "Value ranges"), where they depend on arguments.</summary>
internal static partial class Catalog
{
    private static Func<BoundTerm, LossSignature, ValueRange?> Always(ValueRange range) => (_, _) => range;

    /// <summary>
    /// Cross-entropy is 0 for a confident, correct prediction; with label smoothing its least value is the entropy of the
    /// smoothed target, above 0.
    /// </summary>
    private static ValueRange? SmoothedCrossEntropyRange(BoundTerm term) =>
        ValueRange.NonNegative with { LowerReached = term.Number(LabelSmoothing) == 0 };

    /// <summary>
    /// dice, iou and tversky are 1 − r with r = (overlap + nr) / (denominator + dr), the overlap at most the denominator
    /// (2TP ≤ P + T; with squared_pred 2pt ≤ p² + t²; Tversky's TP ≤ TP + αFP + βFN), so r lies in [0, max(1, nr / dr)]: a
    /// numerator smoothed more than the denominator lets the loss go below 0. r is 0 only without numerator smoothing and
    /// with no overlap at all. log_loss is −log r. Raw scores (activation none or tanh) are not probabilities: no bound.
    /// Nor has the soft-label overlap Σ min(p, t) over squared sums (squared_pred): at p = t = 0.1 it is ten times Σp² + Σt².
    /// </summary>
    private static ValueRange? OverlapRange(BoundTerm term)
    {
        if (!ReadsProbabilities(term) || (term.Arguments.Any(a => a.Parameter == SquaredPred) && term.Boolean(SquaredPred) && term.Boolean(SoftLabel)))
        {
            return null;
        }

        return SmoothedRatioLoss(term.Number(SmoothNumerator), term.Number(SmoothDenominator), term.Boolean(LogLoss));
    }

    /// <summary>
    /// 1 − r (or −log r) for r = (overlap + <paramref name="numerator"/>) / (denominator + <paramref name="denominator"/>)
    /// with the overlap at most its denominator: r in [0, m], m = max(1, nr / dr), 0 only without numerator smoothing.
    /// </summary>
    private static ValueRange SmoothedRatioLoss(double numerator, double denominator, bool log)
    {
        var most = numerator <= denominator ? 1 : denominator == 0 ? double.PositiveInfinity : numerator / denominator;
        return log
            ? new ValueRange(-Math.Log(most), double.PositiveInfinity, LowerReached: true, UpperReached: false)
            : new ValueRange(1 - most, 1, LowerReached: true, UpperReached: numerator == 0);
    }

    /// <summary>Focal Tversky raises 1 − TI to γ: increasing on [0, 1], NaN below 0 for a fractional γ.</summary>
    private static ValueRange? FocalTverskyRange(BoundTerm term)
    {
        var gamma = term.Number(FocalTverskyGamma);
        return OverlapRange(term) is not { } range ? null
            : gamma == 1 ? range
            : range.Lower >= 0 ? range.MapIncreasing(v => Math.Pow(v, gamma))
            : null;
    }

    /// <summary>1 − (2 Σ w TP + nr) / (Σ w (P + T) + dr): the overlap bound of <see cref="OverlapRange"/> with its own smoothing.</summary>
    private static ValueRange? GeneralizedDiceRange(BoundTerm term) => ReadsProbabilities(term)
        ? SmoothedRatioLoss(term.Number(VolumeSmoothNumerator), term.Number(VolumeSmoothDenominator), log: false)
        : null;

    /// <summary>
    /// SSIM lies in [−1, 1] because σ² ≥ 0, but σ² is E[x²] − μ², whose rounding leaves it slightly negative; the
    /// constants C1 = (k1·L)² and C2 = (k2·L)² keep the ratio bounded only while they are well above that rounding
    /// (float32's, about 1e-7 of the values): below 1e-6 (a data_range of 1e-40, say) the catalog claims no range.
    /// </summary>
    private static ValueRange? SsimRange(BoundTerm term, ValueRange range) =>
        Square(term.Number(K1) * term.Number(DataRange)) >= 1e-6 && Square(term.Number(K2) * term.Number(DataRange)) >= 1e-6 ? range : null;

    /// <summary>
    /// hausdorff_dt is a mean of (p − t)²·(d_p^α + d_t^α), each field at most the longest distance between two elements:
    /// at most 2·D^α, with D the diagonal of the static spatial sizes; unbounded when a size is symbolic.
    /// </summary>
    private static ValueRange? DistanceWeightedRange(BoundTerm term, LossSignature signature) =>
        Diagonal(signature) is { } diagonal
            ? new ValueRange(0, 2 * Math.Pow(diagonal, term.Number(HausdorffAlpha)), LowerReached: true, UpperReached: false)
            : ValueRange.NonNegative;

    /// <summary>boundary_dist is a mean of p times a signed distance, negative inside the target: within ±D.</summary>
    private static ValueRange? SignedDistanceRange(LossSignature signature) =>
        Diagonal(signature) is { } diagonal ? new ValueRange(-diagonal, diagonal, LowerReached: false, UpperReached: false) : ValueRange.Unbounded;

    /// <summary>The longest distance between two elements, √Σ(s − 1)², when every spatial size is static.</summary>
    private static double? Diagonal(LossSignature signature) =>
        !signature.AnySpatialRank && signature.Spatial.All(s => s is not null) ? Math.Sqrt(signature.Spatial.Sum(s => Square(s!.Value - 1))) : null;

    /// <summary>weight · length + region: the length is at least √1e-8 per element (a constant map), the region terms 0 on a match.</summary>
    private static ValueRange? ContourRange(BoundTerm term) =>
        new ValueRange(term.Number(ContourWeight) * 1e-4, double.PositiveInfinity, LowerReached: true, UpperReached: false);

    /// <summary>Whether the statistics read probabilities in [0, 1]: not raw scores (activation none on logits, or tanh).</summary>
    private static bool ReadsProbabilities(BoundTerm term) =>
        Activations.First(a => a.Word == term.Word(ActivationParameter)).Value is not (Activation.None or Activation.Tanh);
}
