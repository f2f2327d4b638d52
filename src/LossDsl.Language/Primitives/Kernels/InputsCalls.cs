using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>
/// The calls a plan makes to <c>LossDsl.Kernels.Inputs</c>: each factory's parameters are the kernel's (a test compares
/// them by reflection), and each carries its pass estimate, read off the kernel (docs/cli.md, "Counting passes").
/// </summary>
internal static class InputsCalls
{
    private const string Type = "Inputs";

    /// <summary>
    /// Shape, dtype and device checks, then with CheckValues (the default) one min-max reduction over pred (1) and one
    /// over the mask (1). Without value checks 0 (a mask already in pred's dtype is returned as it is; converting an
    /// integer or bool mask would add 2).
    /// </summary>
    /// <param name="checkValues">The module's setting, or null when the statistics node makes the value checks in its pass.</param>
    public static KernelCall Mask(string loss, LocalValue pred, LocalValue target, int? classes, int? spatialRank, SettingValue? checkValues) =>
        KernelCall.Create(Type, nameof(Mask), KernelCall.Fixed(checkValues is null ? 0 : 2),
            Constant(nameof(loss), loss), Local(nameof(pred), pred), Local(nameof(target), target), Constant(nameof(classes), classes),
            Constant(nameof(spatialRank), spatialRank), checkValues is null ? Constant(nameof(checkValues), false) : Setting(nameof(checkValues), checkValues));

    /// <summary>
    /// Per pixel: one min-max reduction over the labels (1); with an ignore index first the kept pixels (ne, 2), their
    /// negation (2) and the masked fill of the ignored ones (3). int64 labels are not copied by the conversion to int64.
    /// With CheckValues (the default) also one min-max reduction over pred (1 full). The range check's reduction is left
    /// out where the statistics node of class indices checks the labels instead (<see cref="LeavingRangeToNode"/>).
    /// </summary>
    /// <param name="checkValues">The module's setting, or null when the statistics node checks pred in its pass.</param>
    /// <param name="checkRange">Whether the labels' range is checked here: planned true, and left to a node by <see cref="LeavingRangeToNode"/>.</param>
    public static KernelCall Labels(string loss, LocalValue pred, LocalValue target, int? classes, int? ignoreIndex, int? spatialRank, SettingValue? checkValues, bool checkRange) =>
        KernelCall.Create(Type, nameof(Labels), KernelCall.Fixed(checkValues is null ? 0 : 1, (ignoreIndex is null ? 0 : 7) + (checkRange ? RangeCheck.PerPixel : 0)),
            Constant(nameof(loss), loss), Local(nameof(pred), pred), Local(nameof(target), target), Constant(nameof(classes), classes),
            Constant(nameof(ignoreIndex), ignoreIndex), Constant(nameof(spatialRank), spatialRank),
            checkValues is null ? Constant(nameof(checkValues), false) : Setting(nameof(checkValues), checkValues), Constant(CheckRange, checkRange));

    /// <summary>Whether <paramref name="call"/> is a <see cref="Labels"/> call.</summary>
    internal static bool IsLabels(KernelCall call) => call.Method == new KernelMethod(Type, nameof(Labels));

    /// <summary>The <see cref="Labels"/> call <paramref name="labels"/> without its range check, which the node reading the labels first makes.</summary>
    internal static KernelCall LeavingRangeToNode(KernelCall labels) => labels with
    {
        Arguments = labels.Arguments.Select(a => a.Name == CheckRange ? Constant(CheckRange, false) : a).ToImmutableArray(),
        Passes = signature => labels.Passes(signature) - RangeCheck,
    };

    // The labels' range check: one min-max reduction over them.
    private static readonly PassCount RangeCheck = new(0, 1);

    // Labels' checkRange parameter, which LeavingRangeToNode sets.
    private const string CheckRange = "checkRange";

    /// <summary>
    /// The zeros (1 full write), then one scatter reading the indices and the values to write (2 per pixel) and writing
    /// one value per pixel (1).
    /// </summary>
    public static KernelCall OneHot(LocalValue pred, LocalValue labels, LocalValue? valid) =>
        KernelCall.Create(Type, nameof(OneHot), KernelCall.Fixed(1, 3),
            Local(nameof(pred), pred), Local(nameof(labels), labels), Optional(nameof(valid), valid));

    /// <summary>
    /// A declared valid mask, checked: with CheckValues one min-max reduction (1 per map element), the conversion to
    /// pred's dtype when it is bool or integer (2), times the pixels an ignore index keeps (3) when there is one.
    /// </summary>
    public static KernelCall ValidMask(string loss, LocalValue pred, LocalValue validMask, bool labels, bool perChannel, LocalValue? ignoreValid, SettingValue checkValues) =>
        KernelCall.Create(Type, nameof(ValidMask), MapPasses(perChannel, 3 + (ignoreValid is null ? 0 : 3)),
            Constant(nameof(loss), loss), Local(nameof(pred), pred), Local(nameof(validMask), validMask), Constant(nameof(labels), labels),
            Constant(nameof(perChannel), perChannel), Optional(nameof(ignoreValid), ignoreValid), Setting(nameof(checkValues), checkValues));

    /// <summary>
    /// A declared pixel weight map, checked: with CheckValues one min-max reduction (1 per map element), the conversion
    /// to pred's dtype (2), times the kept pixels (3) when some can be left out.
    /// </summary>
    public static KernelCall PixelWeight(string loss, LocalValue pred, LocalValue pixelWeight, bool labels, bool perChannel, LocalValue? valid, SettingValue checkValues) =>
        KernelCall.Create(Type, nameof(PixelWeight), MapPasses(perChannel, 3 + (valid is null ? 0 : 3)),
            Constant(nameof(loss), loss), Local(nameof(pred), pred), Local(nameof(pixelWeight), pixelWeight), Constant(nameof(labels), labels),
            Constant(nameof(perChannel), perChannel), Optional(nameof(valid), valid), Setting(nameof(checkValues), checkValues));

    /// <summary>Per pixel: the comparison with the ignore index (2) and the conversion to pred's dtype (2).</summary>
    public static KernelCall Valid(LocalValue pred, LocalValue target, int ignoreIndex) =>
        KernelCall.Create(Type, nameof(Valid), KernelCall.Fixed(0, 4),
            Local(nameof(pred), pred), Local(nameof(target), target), Constant(nameof(ignoreIndex), ignoreIndex));

    /// <summary>A map's passes: per pixel, or over the full data when it holds one value per element.</summary>
    private static System.Func<Semantics.LossSignature, PassCount> MapPasses(bool perChannel, int passes) =>
        perChannel ? KernelCall.Fixed(passes) : KernelCall.Fixed(0, passes);
}
