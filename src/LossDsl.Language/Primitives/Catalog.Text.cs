using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>
/// Loss text for terms made outside the compiler (<c>lossdsl port</c>), typed: each method takes the arguments its
/// primitive has and spells names through the catalog's own declarations, so a translation cannot name a parameter
/// that does not exist. Arguments left null are left out; the rest follow the parameter order.
/// </summary>
internal static partial class Catalog
{
    /// <summary>dice, iou and tversky share these; <see cref="ZeroWhenEmpty"/> and <see cref="Micro"/> are the non-default words.</summary>
    public sealed record OverlapText(
        double? Smooth = null,
        double? SmoothNumerator = null,
        double? SmoothDenominator = null,
        bool? PerImage = null,
        IReadOnlyList<double>? Weight = null,
        bool? IncludeBackground = null,
        bool? LogLoss = null,
        bool ZeroWhenEmpty = false,
        bool Micro = false,
        bool SquaredPred = false,
        bool SoftLabel = false,
        Activation? Activation = null);

    public static string DiceText(OverlapText o) =>
        Write(Dice, Overlap(o).Append((SquaredPred, o.SquaredPred ? true : null)).Append(ActivationArgument(o.Activation)).ToArray());

    public static string IouText(OverlapText o) =>
        Write(Iou, Overlap(o).Append((SquaredPred, o.SquaredPred ? true : null)).Append(ActivationArgument(o.Activation)).ToArray());

    public static string TverskyText(double? alpha, double? beta, OverlapText o) => o.SquaredPred
        ? throw new System.ArgumentException("tversky has no squared_pred", nameof(o))
        : Write(Tversky, Overlap(o).Prepend((TverskyBeta, beta)).Prepend((TverskyAlpha, alpha)).Append(ActivationArgument(o.Activation)).ToArray());

    /// <param name="weightType">One of the catalog's words for it (square, simple, uniform), or null for the default.</param>
    public static string GeneralizedDiceText(double? eps, double? smoothNumerator, double? smoothDenominator, bool? perImage, string? weightType, bool? includeBackground,
        Activation? activation = null, bool? softLabel = null) =>
        Write(GeneralizedDice, (Eps, eps), (VolumeSmoothNumerator, smoothNumerator), (VolumeSmoothDenominator, smoothDenominator), (PerImage, perImage),
            (WeightType, weightType is null ? null : WeightType.AllowedWords.Contains(weightType) ? new WordValue(weightType) : throw new System.ArgumentException(weightType)),
            (IncludeBackground, includeBackground), ActivationArgument(activation), (SoftLabel, softLabel));

    /// <summary>Mask focal (alpha, gamma); alpha null is the default 0.25, a negative alpha none.</summary>
    public static string MaskFocalText(double? alpha, double? gamma, IReadOnlyList<double>? weight = null) =>
        Write(Focal, (FocalAlpha, alpha), (Gamma, gamma), (ClassWeight, weight));

    public static string LabelsFocalText(double? gamma, IReadOnlyList<double>? weight) => Write(Focal, (Gamma, gamma), (ClassWeight, weight));

    /// <param name="overAllPixels">The mean over every pixel, left-out ones included (mmseg, smp), rather than PyTorch's.</param>
    public static string CrossEntropyText(IReadOnlyList<double>? weight, double? labelSmoothing, bool overAllPixels = false) =>
        Write(Ce, (ClassWeight, weight), (LabelSmoothing, labelSmoothing), (MeanOver, overAllPixels ? new WordValue(AllPixels) : null));

    /// <param name="overAllElements">The mean over every element, left-out ones included (smp), rather than over the kept ones.</param>
    public static string BinaryCrossEntropyText(double? posWeight, double? labelSmoothing = null, bool overAllElements = false) =>
        Write(Bce, (PosWeight, posWeight), (LabelSmoothing, labelSmoothing), (MeanOver, overAllElements ? new WordValue(AllPixels) : null));

    public static string MccText(double? smooth) => Write(Mcc, (MccSmooth, smooth));

    /// <param name="border">One of the catalog's words for it (same, valid, reflect), or null for the default.</param>
    public static string SsimText(int? window, double? sigma, double? dataRange, double? k1, double? k2, string? border, double? eps) =>
        Write(Ssim, (Window, window is { } w ? (double)w : null), (Sigma, sigma), (DataRange, dataRange), (K1, k1), (K2, k2),
            (Border, border is null ? null : Border.AllowedWords.Contains(border) ? new WordValue(border) : throw new System.ArgumentException(border)), (SsimEps, eps));

    public static string LovaszHingeText(bool? perImage) => Write(LovaszHinge, (HingePerImage, perImage));

    public static string LovaszSoftmaxText(bool? perImage) => Write(LovaszSoftmax, (PerImage, perImage));

    public static string ClDiceText(double? iterations, double? smooth, bool? includeBackground) =>
        Write(ClDice, (SkeletonIterations, iterations), (ClDiceSmooth, smooth), (IncludeBackground, includeBackground));

    public static string HausdorffDtText(double? alpha, bool? includeBackground) => Write(HausdorffDt, (HausdorffAlpha, alpha), (IncludeBackground, includeBackground));

    private static (ParameterDefinition, object?) ActivationArgument(Activation? activation) =>
        (ActivationParameter, activation is { } a ? new WordValue(Activations.First(w => w.Value == a).Word) : null);

    private static (ParameterDefinition, object?)[] Overlap(OverlapText o) =>
    [
        (Smooth, o.Smooth), (PerImage, o.PerImage), (ClassWeight, o.Weight), (IncludeBackground, o.IncludeBackground),
        (SmoothNumerator, o.SmoothNumerator), (SmoothDenominator, o.SmoothDenominator), (LogLoss, o.LogLoss),
        (Empty, o.ZeroWhenEmpty ? new WordValue(ZeroWhenEmpty) : null), (Average, o.Micro ? new WordValue(Micro) : null),
        (SoftLabel, o.SoftLabel ? true : null),
    ];

    // The primitive's name and the given arguments, named by their declarations, in the order they are declared here.
    private static string Write(PrimitiveDefinition primitive, params (ParameterDefinition Parameter, object? Value)[] arguments)
    {
        var given = arguments.Where(a => a.Value is not null).Select(a => a.Parameter.Name + ": " + Display(a.Value!)).ToList();
        return given.Count == 0 ? primitive.Name : $"{primitive.Name}({string.Join(", ", given)})";
    }

    private static string Display(object value) => value switch
    {
        bool flag => new BooleanValue(flag).Display,
        double number => NumberText.Format(number),
        IReadOnlyList<double> list => new NumberListValue(list.ToImmutableArray()).Display,
        ArgumentValue argument => argument.Display,
        _ => throw new System.ArgumentException($"no loss text for {value.GetType()}", nameof(value)),
    };
}
