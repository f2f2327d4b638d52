using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Semantics;

/// <summary>
/// Every primitive of ../shared/LOSSES.md as data: names, parameters in positional order, defaults, ranges and tasks.
/// The binder, the checks, "did you mean", the docs table and both back ends read this, and nothing else declares a primitive.
/// </summary>
internal static class Catalog
{
    public static ImmutableArray<PrimitiveDefinition> Primitives { get; } = Build();

    private static readonly ImmutableDictionary<string, PrimitiveDefinition> ByName =
        Primitives.SelectMany(p => p.Aliases.Add(p.Name).Select(name => (name, p))).ToImmutableDictionary(x => x.name, x => x.p);

    public static PrimitiveDefinition? Find(string name) => ByName.TryGetValue(name, out var primitive) ? primitive : null;

    /// <summary>Every name a primitive can be written as, for "did you mean".</summary>
    public static IEnumerable<string> AllNames => ByName.Keys.OrderBy(n => n, System.StringComparer.Ordinal);

    private static ImmutableArray<PrimitiveDefinition> Build()
    {
        var smooth = Number("smooth", 1.0, NumberRule.NonNegative);
        var perImage = Boolean("per_image", false);
        var weight = new ParameterDefinition("weight", ParameterKind.NumberList, NoValue.Instance);
        var includeBackground = Boolean("include_background", true);
        var overlap = Both(smooth, perImage, weight, includeBackground);

        return ImmutableArray.Create(
            new PrimitiveDefinition("bce", PrimitiveKind.Bce, PrimitiveFamily.Pixel,
                Mask(new ParameterDefinition("pos_weight", ParameterKind.Number, new NumberValue(1.0), NumberRule.NonNegative, ImmutableArray.Create("auto"))),
                "Binary cross-entropy, log-sigmoid form for logits."),
            new PrimitiveDefinition("ce", PrimitiveKind.Ce, PrimitiveFamily.Pixel,
                Labels(weight, Number("label_smoothing", 0.0, NumberRule.UnitInterval)),
                "Cross-entropy over classes, PyTorch cross_entropy semantics."),
            new PrimitiveDefinition("focal", PrimitiveKind.Focal, PrimitiveFamily.Pixel,
                ImmutableArray.Create(
                    new PrimitiveVariant(TargetKind.Mask, ImmutableArray.Create(Number("alpha", 0.25, new NumberRule(Maximum: 1)), Number("gamma", 2.0, NumberRule.NonNegative))),
                    new PrimitiveVariant(TargetKind.Labels, ImmutableArray.Create(Number("gamma", 2.0, NumberRule.NonNegative), weight))),
                "Focal loss (Lin et al. 2017): cross-entropy scaled by (1 - p_t)^gamma."),
            new PrimitiveDefinition("dice", PrimitiveKind.Dice, PrimitiveFamily.Region, overlap,
                "Soft Dice loss over per-channel statistics."),
            new PrimitiveDefinition("iou", PrimitiveKind.Iou, PrimitiveFamily.Region, overlap,
                "Soft IoU (Jaccard) loss over per-channel statistics.")
            { Aliases = ImmutableArray.Create("jaccard") },
            new PrimitiveDefinition("tversky", PrimitiveKind.Tversky, PrimitiveFamily.Region,
                Both(Number("alpha", 0.5, NumberRule.NonNegative), Number("beta", 0.5, NumberRule.NonNegative), smooth, perImage, weight, includeBackground),
                "Tversky loss: Dice with separate weights on false positives and false negatives."),
            new PrimitiveDefinition("generalized_dice", PrimitiveKind.GeneralizedDice, PrimitiveFamily.Region,
                Both(Number("eps", 1e-6, NumberRule.Positive)),
                "Generalized Dice (Sudre et al. 2017), classes weighted by inverse squared volume."),
            new PrimitiveDefinition("sensitivity_specificity", PrimitiveKind.SensitivitySpecificity, PrimitiveFamily.Region,
                Both(Number("lambda", 0.05, NumberRule.UnitInterval), Number("smooth", 1e-5, NumberRule.NonNegative)),
                "Sensitivity-specificity loss (Brosch et al. 2015)."),
            new PrimitiveDefinition("ssim", PrimitiveKind.Ssim, PrimitiveFamily.Structure,
                Mask(Number("window", 11, NumberRule.OddAtLeast(3)), Number("sigma", 1.5, NumberRule.Positive)),
                "1 - mean SSIM between probabilities and mask, Gaussian window.")
            { SpatialRank = 2, WindowParameters = ImmutableArray.Create("window") },
            new PrimitiveDefinition("lovasz_hinge", PrimitiveKind.LovaszHinge, PrimitiveFamily.Structure,
                Mask(Boolean("per_image", true)),
                "Lovász hinge (Berman et al. 2018): convex surrogate of the IoU loss on logits.")
            { RequiresLogits = true, RequiresSingleChannel = true },
            new PrimitiveDefinition("lovasz_softmax", PrimitiveKind.LovaszSoftmax, PrimitiveFamily.Structure,
                Labels(new ParameterDefinition("classes", ParameterKind.Word, new WordValue("present"), Words: ImmutableArray.Create("present", "all")), Boolean("per_image", false)),
                "Lovász-Softmax (Berman et al. 2018) on per-class errors |t - p|."),
            new PrimitiveDefinition("boundary", PrimitiveKind.Boundary, PrimitiveFamily.Structure,
                Both(Number("theta0", 3, NumberRule.OddAtLeast(1)), Number("theta", 5, NumberRule.OddAtLeast(1))),
                "Boundary F1 loss (Bokhovkin et al. 2019).")
            { SpatialRank = 2, AllowsIgnoreIndex = false, WindowParameters = ImmutableArray.Create("theta0", "theta") },
            new PrimitiveDefinition("active_contour", PrimitiveKind.ActiveContour, PrimitiveFamily.Structure,
                Mask(Number("weight", 10.0, NumberRule.NonNegative)),
                "Active contour loss (Chen et al. 2019): contour length plus region terms.")
            { SpatialRank = 2, AllowsIgnoreIndex = false });
    }

    private static ParameterDefinition Number(string name, double value, NumberRule rule) =>
        new(name, ParameterKind.Number, new NumberValue(value), rule);

    private static ParameterDefinition Boolean(string name, bool value) =>
        new(name, ParameterKind.Boolean, new BooleanValue(value));

    private static ImmutableArray<PrimitiveVariant> Mask(params ParameterDefinition[] parameters) =>
        ImmutableArray.Create(new PrimitiveVariant(TargetKind.Mask, ImmutableArray.Create(parameters)));

    private static ImmutableArray<PrimitiveVariant> Labels(params ParameterDefinition[] parameters) =>
        ImmutableArray.Create(new PrimitiveVariant(TargetKind.Labels, ImmutableArray.Create(parameters)));

    private static ImmutableArray<PrimitiveVariant> Both(params ParameterDefinition[] parameters) =>
        ImmutableArray.Create(
            new PrimitiveVariant(TargetKind.Mask, ImmutableArray.Create(parameters)),
            new PrimitiveVariant(TargetKind.Labels, ImmutableArray.Create(parameters)));
}
