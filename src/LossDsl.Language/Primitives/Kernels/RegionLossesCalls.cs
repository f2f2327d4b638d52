using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>
/// The calls a plan makes to <c>LossDsl.Kernels.RegionLosses</c>. Except for sensitivity_specificity and mcc, functions of
/// the [C] or [N, C] statistics: no per-element data (see <see cref="InputsCalls"/>).
/// </summary>
internal static class RegionLossesCalls
{
    private const string Type = "RegionLosses";

    /// <param name="squaredPred">V-Net's denominator: Σp² and Σt² summed over the data too (see <see cref="Squares"/>).</param>
    /// <param name="softLabel">The overlap of soft labels, (P + T − Σ|p − t|) / 2 (see <see cref="AbsoluteDifferences"/>).</param>
    public static KernelCall Dice(LocalValue statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, bool micro,
        bool softLabel, LocalValue? weight, bool includeBackground) =>
        Overlap(nameof(Dice), statistics, Squared(squaredPred), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel),
            Reduction(weight, includeBackground), Squares(squaredPred) + AbsoluteDifferences(softLabel))
        with { RegionTerm = squaredPred || micro || softLabel ? null : RegionTermCalls.Dice(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground) };

    public static KernelCall Iou(LocalValue statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, bool micro,
        bool softLabel, LocalValue? weight, bool includeBackground) =>
        Overlap(nameof(Iou), statistics, Squared(squaredPred), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel),
            Reduction(weight, includeBackground), Squares(squaredPred) + AbsoluteDifferences(softLabel))
        with { RegionTerm = squaredPred || micro || softLabel ? null : RegionTermCalls.Iou(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground) };

    /// <param name="gamma">The focal Tversky power of each channel's loss; 1 for plain Tversky.</param>
    public static KernelCall Tversky(LocalValue statistics, double alpha, double beta, double gamma, double smoothNumerator, double smoothDenominator, bool log,
        bool zeroWhenEmpty, bool micro, bool softLabel, LocalValue? weight, bool includeBackground) =>
        Overlap(nameof(Tversky), statistics, TverskyForm(alpha, beta, gamma), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel),
            Reduction(weight, includeBackground), AbsoluteDifferences(softLabel))
        with
        {
            RegionTerm = micro || softLabel ? null : RegionTermCalls.Tversky(alpha, beta, gamma, smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground),
        };

    /// <summary>
    /// Three more sums over the data (FP, FN, TN each from its own products, not by cancellation from P, T and Nv).
    /// Mask: 1 − p and 1 − t (2 each), three products (3 each) each summed (1). Labels: 1 − p (2), FN from it gathered
    /// at the label (3 per pixel) and added into classes (2 per pixel), FP and TN as p and 1 − p with the label's entry
    /// set to 0 (a copy, 2, and a scatter, 2 per pixel, each) summed (1); an ignore index multiplies the three by the
    /// valid pixels (2 full and 3 per pixel).
    /// </summary>
    public static KernelCall Mcc(LocalValue statistics, double smooth, LocalValue? weight, bool includeBackground) =>
        KernelCall.Create(Type, nameof(Mcc),
            signature => signature.Target == Semantics.TargetKind.Mask ? new(16, 0) : signature.IgnoreIndex is null ? new(8, 9) : new(10, 12),
            Local(nameof(statistics), statistics), Constant(nameof(smooth), smooth), Optional(nameof(weight), weight), Constant(nameof(includeBackground), includeBackground));

    /// <param name="volumeExponent">k of the class weights <c>1 / (T_c^k + eps)</c>; 0 for weights of 1.</param>
    /// <param name="softLabel">The soft-label overlap: one more pass, the sum of |p − t| (as for dice's soft_label).</param>
    public static KernelCall GeneralizedDice(LocalValue statistics, double eps, double smoothNumerator, double smoothDenominator, int volumeExponent, bool includeBackground,
        bool softLabel) =>
        KernelCall.Create(Type, nameof(GeneralizedDice), AbsoluteDifferences(softLabel).For, Local(nameof(statistics), statistics), Constant(nameof(eps), eps),
            Constant(nameof(smoothNumerator), smoothNumerator), Constant(nameof(smoothDenominator), smoothDenominator),
            Constant(nameof(volumeExponent), volumeExponent), Constant(nameof(includeBackground), includeBackground), Constant(nameof(softLabel), softLabel));

    /// <summary>
    /// Mask: two more sums over the data, (t − p)² once (subtract 3, square 2) times t (3) and times 1 − t (2 + 3), each
    /// summed (1). Labels, from the class indices: (1 − p_y)² per pixel (gather 3, subtract 2, square 2) added into the
    /// classes (2), and p² (2) with the label's entry set to 0 (a copy, 2, and a scatter reading the indices and zeros, 2
    /// per pixel) summed (1); an ignore index multiplies both by the valid pixels (3 per pixel; 2 full and 1 per pixel).
    /// </summary>
    public static KernelCall SensitivitySpecificity(LocalValue statistics, double lambda, double smooth) =>
        KernelCall.Create(Type, nameof(SensitivitySpecificity),
            signature => signature.Target == Semantics.TargetKind.Mask ? new(15, 0) : signature.IgnoreIndex is null ? new(5, 11) : new(7, 15),
            Local(nameof(statistics), statistics), Constant(nameof(lambda), lambda), Constant(nameof(smooth), smooth));

    /// <summary>Dice per channel (or per image and channel), before the channel weighting and the background's removal.</summary>
    public static KernelCall DiceUnreduced(LocalValue statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, bool micro,
        bool softLabel) =>
        Overlap(nameof(DiceUnreduced), statistics, Squared(squaredPred), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel),
            Array.Empty<KernelArgument>(), Squares(squaredPred) + AbsoluteDifferences(softLabel));

    /// <summary>IoU per channel (or per image and channel), before the channel weighting and the background's removal.</summary>
    public static KernelCall IouUnreduced(LocalValue statistics, bool squaredPred, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, bool micro,
        bool softLabel) =>
        Overlap(nameof(IouUnreduced), statistics, Squared(squaredPred), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel),
            Array.Empty<KernelArgument>(), Squares(squaredPred) + AbsoluteDifferences(softLabel));

    /// <summary>Tversky per channel (or per image and channel), before the channel weighting and the background's removal.</summary>
    public static KernelCall TverskyUnreduced(LocalValue statistics, double alpha, double beta, double gamma, double smoothNumerator, double smoothDenominator, bool log,
        bool zeroWhenEmpty, bool micro, bool softLabel) =>
        Overlap(nameof(TverskyUnreduced), statistics, TverskyForm(alpha, beta, gamma), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, micro, softLabel),
            Array.Empty<KernelArgument>(), AbsoluteDifferences(softLabel));

    /// <summary>1 − MCC per channel (or per image and channel), as <see cref="Mcc"/> sums it, before the channel reduction.</summary>
    public static KernelCall MccUnreduced(LocalValue statistics, double smooth) =>
        Mcc(statistics, smooth, null, includeBackground: true) with
        {
            Method = new KernelMethod(Type, nameof(MccUnreduced)),
            Arguments = ImmutableArray.Create(Local(nameof(statistics), statistics), Constant(nameof(smooth), smooth)),
        };

    /// <summary>Sensitivity-specificity per channel, as <see cref="SensitivitySpecificity"/> sums it.</summary>
    public static KernelCall SensitivitySpecificityUnreduced(LocalValue statistics, double lambda, double smooth) =>
        SensitivitySpecificity(statistics, lambda, smooth) with { Method = new KernelMethod(Type, nameof(SensitivitySpecificityUnreduced)) };

    /// <summary>
    /// An overlap kernel's call (dice, iou, tversky, reduced or not): the statistics, its primitive's own constants, the
    /// form of the ratio, then for the reduced form the channel weights and the background; the passes its forms add.
    /// </summary>
    private static KernelCall Overlap(string method, LocalValue statistics, KernelArgument[] own, KernelArgument[] form, KernelArgument[] reduction, Passes passes) =>
        new(new KernelMethod(Type, method), ImmutableArray.Create(Local(nameof(statistics), statistics)).AddRange(own).AddRange(form).AddRange(reduction),
            signature => passes.For(signature));

    // Each group named as the kernels' parameters are.
    private static KernelArgument[] TverskyForm(double alpha, double beta, double gamma) =>
        new[] { Constant(nameof(alpha), alpha), Constant(nameof(beta), beta), Constant(nameof(gamma), gamma) };

    private static KernelArgument[] Form(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, bool micro, bool softLabel) =>
        new[]
        {
            Constant(nameof(smoothNumerator), smoothNumerator), Constant(nameof(smoothDenominator), smoothDenominator), Constant(nameof(log), log),
            Constant(nameof(zeroWhenEmpty), zeroWhenEmpty), Constant(nameof(micro), micro), Constant(nameof(softLabel), softLabel),
        };

    private static KernelArgument[] Squared(bool squaredPred) => new[] { Constant(nameof(squaredPred), squaredPred) };

    private static KernelArgument[] Reduction(LocalValue? weight, bool includeBackground) =>
        new[] { Optional(nameof(weight), weight), Constant(nameof(includeBackground), includeBackground) };

    /// <summary>
    /// squared_pred: Σp² over the data (square 2, sum 1; kept or weighted first, 2 more and 1 per pixel); for a mask Σt²
    /// the same way (for labels t² is t, so T). Without it, a function of the statistics alone.
    /// </summary>
    private static Passes Squares(bool squaredPred) => new(signature =>
        !squaredPred ? new PassCount(0, 0)
        : new PassCount(signature.Target == Semantics.TargetKind.Mask ? 6 : 3, 0)
            + (signature.Valid is null && signature.PixelWeight is null && signature.IgnoreIndex is null ? new PassCount(0, 0)
                : new PassCount(signature.Target == Semantics.TargetKind.Mask ? 4 : 2, 2)));

    /// <summary>
    /// soft_label on a mask: Σ|p − t| over the data (subtract 3, abs 2, sum 1; kept or weighted first, 3 more); from labels
    /// it is P + T − 2·TP, a function of the statistics.
    /// </summary>
    private static Passes AbsoluteDifferences(bool softLabel) => new(signature =>
        !softLabel || signature.Target != Semantics.TargetKind.Mask ? new PassCount(0, 0)
        : new PassCount(6 + (signature.Valid is null && signature.PixelWeight is null ? 0 : 3), 0));

    /// <summary>An estimate that depends on the signature; estimates of the same call add up.</summary>
    private sealed record Passes(Func<Semantics.LossSignature, PassCount> For)
    {
        public static Passes operator +(Passes a, Passes b) => new(signature => a.For(signature) + b.For(signature));
    }
}
