using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>
/// Every primitive of ../shared/LOSSES.md, each declared once: names, parameters in positional order, defaults, ranges,
/// tasks, and its lowering to a kernel call through the typed call factories of <c>Primitives/Kernels</c>. The binder,
/// the checks, "did you mean", the docs table and the planner read this, and nothing else declares a primitive: adding
/// one is an entry here and its kernel in <c>LossDsl.Kernels</c> (docs/architecture.md).
/// </summary>
internal static partial class Catalog
{
    // Parameters, each object the one its primitives declare and their lowerings read.
    private static readonly ParameterDefinition PosWeight = new("pos_weight", ParameterKind.Number, new NumberValue(1.0), NumberRule.NonNegative, ImmutableArray.Create("auto"));
    private static readonly ParameterDefinition ClassWeight = new("weight", ParameterKind.NumberList, NoValue.Instance);
    private static readonly ParameterDefinition LabelSmoothing = Number("label_smoothing", 0.0, NumberRule.UnitInterval);
    // PyTorch's mean is over the kept pixels (class weights renormalised); mmseg's default and smp's over every pixel.
    private const string AllPixels = "all";
    private static readonly ParameterDefinition MeanOver = Word("mean_over", "kept", AllPixels);
    private static readonly ParameterDefinition FocalAlpha = Number("alpha", 0.25, new NumberRule(Maximum: 1));
    private static readonly ParameterDefinition Gamma = Number("gamma", 2.0, NumberRule.NonNegative);
    private static readonly ParameterDefinition Smooth = Number("smooth", 1.0, NumberRule.NonNegative);
    private static readonly ParameterDefinition PerImage = Boolean("per_image", false);
    private static readonly ParameterDefinition IncludeBackground = Boolean("include_background", true) with { FalseDropsBackground = true };
    // MONAI's separate smoothing of numerator and denominator; either one left out is smooth.
    private static readonly ParameterDefinition SmoothNumerator = Number("smooth_nr", double.NaN, NumberRule.NonNegative) with { Default = NoValue.Instance, DefaultsTo = Smooth };
    private static readonly ParameterDefinition SmoothDenominator = Number("smooth_dr", double.NaN, NumberRule.NonNegative) with { Default = NoValue.Instance, DefaultsTo = Smooth };
    private static readonly ParameterDefinition LogLoss = Boolean("log_loss", false);
    private const string ZeroWhenEmpty = "zero";
    private static readonly ParameterDefinition Empty = Word("empty", "score", ZeroWhenEmpty);
    private const string Micro = "micro";
    private static readonly ParameterDefinition Average = Word("average", "macro", Micro);
    // V-Net's denominator, Σp² + Σt² (MONAI's squared_pred), for dice and iou.
    private static readonly ParameterDefinition SquaredPred = Boolean("squared_pred", false);
    // The overlap of soft labels, (P + T − Σ|p − t|) / 2 (MONAI's soft_label, smp 0.5's only form): TP on {0, 1} targets.
    private static readonly ParameterDefinition SoftLabel = Boolean("soft_label", false);
    // What the statistics read (MONAI's sigmoid, softmax and other_act). Reading raw logits is what MONAI's DiceCELoss does
    // without either flag: allowed, so that it can be ported, and warned about.
    private static readonly (string Word, Activation Value)[] Activations =
        { ("auto", Activation.Auto), ("none", Activation.None), ("sigmoid", Activation.Sigmoid), ("softmax", Activation.Softmax), ("tanh", Activation.Tanh) };

    private static readonly ParameterDefinition ActivationParameter = Word("activation", Activations[0].Word, Activations.Skip(1).Select(a => a.Word).ToArray()) with
    {
        WordRules = ImmutableArray.Create(
            new WordRule("none", s => s.Input != InputKind.Probabilities, LossDiagnostics.RawScoresAsProbabilities, s =>
                $"reads pred's raw {(s.Input == InputKind.Logits ? "logits" : "log-probabilities")} as probabilities, as MONAI's DiceCELoss does without sigmoid or softmax; "
                + "probably a mistake: leave activation out to read the probabilities"),
            new WordRule("softmax", s => s.Classes == 1, LossDiagnostics.UnsupportedTask, _ =>
                "over a single channel is 1 everywhere; use activation: sigmoid, or give pred a channel per class")),
    };

    private static readonly ParameterDefinition TverskyAlpha = Number("alpha", 0.5, NumberRule.NonNegative);
    private static readonly ParameterDefinition TverskyBeta = Number("beta", 0.5, NumberRule.NonNegative);
    // Abraham and Khan's focal Tversky, (1 − TI_c)^γ per channel; their paper writes the power as 1/γ (γ = 4/3 is 0.75 here).
    private static readonly ParameterDefinition FocalTverskyGamma = Number("gamma", 1.0, NumberRule.Positive);
    private static readonly ParameterDefinition Eps = Number("eps", 1e-6, NumberRule.NonNegative);
    private static readonly ParameterDefinition VolumeSmoothNumerator = Number("smooth_nr", 0.0, NumberRule.NonNegative);
    private static readonly ParameterDefinition VolumeSmoothDenominator = Number("smooth_dr", 0.0, NumberRule.NonNegative);
    // w_c = 1 / (T_c^k + eps) with k = 2, 1; uniform is w_c = 1 (MONAI's w_type).
    private static readonly ImmutableDictionary<string, int> VolumeExponents = new Dictionary<string, int> { ["square"] = 2, ["simple"] = 1, ["uniform"] = 0 }.ToImmutableDictionary();
    private static readonly ParameterDefinition WeightType = Word("weight_type", "square", "simple", "uniform");
    private static readonly ParameterDefinition MccSmooth = Number("smooth", 1e-5, NumberRule.Positive);
    private static readonly ParameterDefinition Lambda = Number("lambda", 0.05, NumberRule.UnitInterval);
    private static readonly ParameterDefinition SensitivitySmooth = Number("smooth", 1e-5, NumberRule.NonNegative);
    private static readonly ParameterDefinition Window = Number("window", 11, NumberRule.OddAtLeast(3));
    private static readonly ParameterDefinition Sigma = Number("sigma", 1.5, NumberRule.Positive);
    // C1 = (k1·L)², C2 = (k2·L)² with L the data range (Wang et al. 2004); kornia adds eps to the denominator.
    private static readonly ParameterDefinition DataRange = Number("data_range", 1.0, NumberRule.Positive);
    private static readonly ParameterDefinition K1 = Number("k1", 0.01, NumberRule.Positive);
    private static readonly ParameterDefinition K2 = Number("k2", 0.03, NumberRule.Positive);
    private const string ReflectBorder = "reflect";
    private const string ValidBorder = "valid";
    private static readonly ParameterDefinition Border = Word("border", "same", ValidBorder, ReflectBorder);
    private static readonly ParameterDefinition SsimEps = Number("eps", 0.0, NumberRule.NonNegative);
    // pytorch_msssim's exponents of the five scales (Wang et al. 2003), finest first.
    private static readonly ParameterDefinition ScaleWeights = new("scale_weights", ParameterKind.NumberList,
        new NumberListValue(ImmutableArray.Create(0.0448, 0.2856, 0.3001, 0.2363, 0.1333))) { OnePerClass = false };
    private static readonly ParameterDefinition HingePerImage = Boolean("per_image", true);
    private const string PresentClasses = "present";
    private static readonly ParameterDefinition LovaszClasses = Word("classes", PresentClasses, "all");
    private static readonly ParameterDefinition Theta0 = Number("theta0", 3, NumberRule.OddAtLeast(1));
    private static readonly ParameterDefinition Theta = Number("theta", 5, NumberRule.OddAtLeast(1));
    private static readonly ParameterDefinition ContourWeight = Number("weight", 10.0, NumberRule.NonNegative);
    private static readonly ParameterDefinition HausdorffAlpha = Number("alpha", 2.0, NumberRule.Positive);
    private static readonly ParameterDefinition SkeletonIterations = Number("iter", 3, new NumberRule(Minimum: 0, Integer: true));
    private static readonly ParameterDefinition ClDiceSmooth = Number("smooth", 1.0, NumberRule.Positive);
    // nnU-Net's TopK10: the percentage of the largest pixel losses kept.
    // mmseg's OHEMPixelSampler: thresh (none selects by count alone) and min_kept pixels per image.
    private static readonly ParameterDefinition OhemThreshold = new("thresh", ParameterKind.Number, new WordValue("none"),
        new NumberRule(Minimum: 0, MinimumExclusive: true, Maximum: 1), ImmutableArray.Create("none"));
    private static readonly ParameterDefinition MinKept = Number("min_kept", 100000, new NumberRule(Minimum: 1, Maximum: 1e9, Integer: true));
    private static readonly ParameterDefinition TopPercent = Number("k", 10.0, new NumberRule(Minimum: 0, MinimumExclusive: true, Maximum: 100));

    // dice, iou and tversky: LOSSES.md's four, then the forms of MONAI, smp and kornia (docs/porting.md), appended so
    // that positional arguments keep their meaning.
    private static readonly ParameterDefinition[] OverlapParameters =
        { Smooth, PerImage, ClassWeight, IncludeBackground, SmoothNumerator, SmoothDenominator, LogLoss, Empty, Average, SoftLabel };

    private static readonly ParameterDefinition[] SquaredOverlapParameters = OverlapParameters.Append(SquaredPred).Append(ActivationParameter).ToArray();

    private static readonly ImmutableArray<ParameterConflict> OverlapConflicts = ImmutableArray.Create(
        new ParameterConflict(Average, new WordValue(Micro), ClassWeight, "micro pools the classes before the ratio, so there is no class loss to weigh; leave out weight or use average: macro"),
        new ParameterConflict(Average, new WordValue(Micro), IncludeBackground, "micro pools every class into one; leave out include_background or use average: macro"));

    // bce may be summed inside the region statistics node (IPlanInputs.CrossEntropySum).
    // bce's label_smoothing is Keras's binary form, t(1 − ε) + ε/2: ce's ε/C with C = 2 (smp's smooth_factor s is ε = 2s).
    private static PrimitiveDefinition Bce { get; } = new("bce", Mask(PosWeight, LabelSmoothing, MeanOver), "Binary cross-entropy, log-sigmoid form for logits.",
        (inputs, term) =>
        {
            var posWeight = PositiveWeight(term);
            var smoothing = term.Number(LabelSmoothing);
            var overAll = term.Word(MeanOver) == AllPixels;
            // The statistics node sums bce against the target as given, each element times its pixel weight (0 where not kept).
            if (smoothing == 0 && inputs.CrossEntropySum(posWeight) is { } sum)
            {
                return PixelMean(inputs, sum, overAll);
            }

            // libtorch's fused kernel beats computing two log-sigmoid maps and combining them, even when mask focal needs
            // the same cross-entropy: it runs the fused kernel too (measured, docs/performance.md).
            return inputs.Signature.Input == InputKind.Logits
                ? (overAll ? (BinaryCrossEntropyOnLogitsCall)PixelLossesCalls.BinaryCrossEntropyWithLogitsOverAllElements : PixelLossesCalls.BinaryCrossEntropyWithLogits)(
                    inputs.Pred, inputs.TargetMap(), posWeight, smoothing, inputs.ValidPixels(), inputs.PixelWeights())
                : (overAll ? (BinaryCrossEntropyCall)PixelLossesCalls.BinaryCrossEntropyOverAllElements : PixelLossesCalls.BinaryCrossEntropy)(
                    inputs.LogProbabilities(), inputs.LogComplement(), inputs.TargetMap(), posWeight, smoothing, inputs.ValidPixels(), inputs.PixelWeights());
        })
        {
            Range = (term, _) => SmoothedCrossEntropyRange(term),
            AcrossGroup = (inputs, term, value) => PositiveWeight(term) is null
                ? GroupReductionCalls.Unavailable(value, term.Name, "pos_weight: auto counts this process's positives, not the batch's; give pos_weight a number", PlanInputs.Group)
                : ElementMean(inputs, value, term.Word(MeanOver) == AllPixels),
            // Also on the fused path, whose node sums the elements: they come from libtorch's fused kernel.
            LowerUnreduced = (inputs, term) => inputs.Signature.Input == InputKind.Logits
                ? PixelLossesCalls.BinaryCrossEntropyWithLogitsUnreduced(inputs.Pred, inputs.TargetMap(), PositiveWeight(term), term.Number(LabelSmoothing),
                    inputs.ValidPixels(), inputs.PixelWeights())
                : PixelLossesCalls.BinaryCrossEntropyUnreduced(inputs.LogProbabilities(), inputs.LogComplement(), inputs.TargetMap(), PositiveWeight(term),
                    term.Number(LabelSmoothing), inputs.ValidPixels(), inputs.PixelWeights()),
        };

    // A mask pixel term's mean from the sum the statistics node computed: over the kept elements, or over every element
    // (mean_over: all, or nothing left out).
    private static KernelCall PixelMean(IPlanInputs inputs, LocalValue sum, bool overAll) =>
        !overAll && inputs.ValidPixels() is { } valid ? PixelLossesCalls.MeanOverKeptElements(sum, inputs.Pred, valid) : PixelLossesCalls.MeanOverAllElements(sum, inputs.Pred);

    private delegate KernelCall BinaryCrossEntropyOnLogitsCall(LocalValue logits, LocalValue target, double? posWeight, double labelSmoothing, LocalValue? valid, LocalValue? pixelWeight);

    private delegate KernelCall BinaryCrossEntropyCall(LocalValue logP, LocalValue logNotP, LocalValue target, double? posWeight, double labelSmoothing, LocalValue? valid, LocalValue? pixelWeight);

    private static PrimitiveDefinition Ce { get; } = new("ce", Labels(ClassWeight, LabelSmoothing, MeanOver), "Cross-entropy over classes, PyTorch cross_entropy semantics.",
        // The statistics node of class indices sums ce's per-pixel numerators over the kept pixels; PyTorch's mean divides
        // by the kept pixels' class weights, or their count; mean_over: all by every pixel.
        (inputs, term) => SummedInStatistics(inputs, term) is { } sum
            ? term.Word(MeanOver) == AllPixels ? PixelLossesCalls.MeanOverAllPixels(sum, inputs.LabelIndices())
            : ClassWeights(inputs, term) is { } weight ? PixelLossesCalls.MeanOverClassWeights(sum, inputs.Pred, inputs.LabelIndices(), inputs.ValidPixels(), weight)
            : PixelLossesCalls.MeanOverKeptPixels(sum, inputs.LabelIndices(), inputs.ValidPixels())
            : (term.Word(MeanOver) == AllPixels ? (CrossEntropyCall)PixelLossesCalls.CrossEntropyOverAllPixels : PixelLossesCalls.CrossEntropy)(
                inputs.LogProbabilities(), inputs.LabelIndices(), inputs.ValidPixels(), ClassWeights(inputs, term), term.Number(LabelSmoothing), inputs.PixelWeights()))
    {
        Range = (term, _) => SmoothedCrossEntropyRange(term),
        // Summed in the node without class weights, ce is a mean over the kept pixels, counted as any element mean is;
        // with them, over Σ valid·w_y, which reads no log p (pred gives the count's dtype and device).
        AcrossGroup = (inputs, term, value) => term.Word(MeanOver) == AllPixels || (SummedInStatistics(inputs, term) is not null && term[ClassWeight] is not NumberListValue)
            ? ElementMean(inputs, value, overAll: term.Word(MeanOver) == AllPixels)
            : GroupReductionCalls.MeanOfCrossEntropy(value, SummedInStatistics(inputs, term) is null ? inputs.LogProbabilities() : inputs.Pred, inputs.LabelIndices(),
                inputs.ValidPixels(), ClassWeights(inputs, term), PlanInputs.Group),
        LowerUnreduced = (inputs, term) => SummedInStatistics(inputs, term) is not null
            ? PixelLossesCalls.CrossEntropyWithLogitsUnreduced(inputs.Pred, inputs.LabelIndices(), inputs.ValidPixels(), ClassWeights(inputs, term), term.Number(LabelSmoothing),
                inputs.PixelWeights())
            : PixelLossesCalls.CrossEntropyUnreduced(inputs.LogProbabilities(), inputs.LabelIndices(), inputs.ValidPixels(),
                ClassWeights(inputs, term), term.Number(LabelSmoothing), inputs.PixelWeights()),
    };

    // ce's sum from the statistics node of class indices, when the plan fuses it there and this ce is the one the node
    // sums (its class weights and label smoothing; either mean divides the same sum); null otherwise.
    private static LocalValue? SummedInStatistics(IPlanInputs inputs, BoundTerm ce) => inputs.LabelsCrossEntropySum(ClassWeightNumbers(ce), ce.Number(LabelSmoothing));

    // A term's class weights as numbers, or null without them.
    private static ImmutableArray<double>? ClassWeightNumbers(BoundTerm term) => term[ClassWeight] is NumberListValue list ? list.Items : null;

    private delegate KernelCall CrossEntropyCall(LocalValue logProbabilities, LocalValue labels, LocalValue? valid, LocalValue? weight, double labelSmoothing, LocalValue? pixelWeight);

    private static PrimitiveDefinition Focal { get; } = new("focal",
        ImmutableArray.Create(
            new PrimitiveVariant(TargetKind.Mask, ImmutableArray.Create(FocalAlpha, Gamma, ClassWeight)),
            new PrimitiveVariant(TargetKind.Labels, ImmutableArray.Create(Gamma, ClassWeight))),
        "Focal loss (Lin et al. 2017): cross-entropy scaled by (1 - p_t)^gamma.",
        (inputs, term) => (inputs.Signature.Target, inputs.Signature.Input) switch
        {
            // The statistics node sums focal, each element times its channel weight and its pixel weight (0 where not kept).
            (TargetKind.Mask, InputKind.Logits) when inputs.FocalSum(term.Number(FocalAlpha), term.Number(Gamma), ClassWeightNumbers(term)) is { } sum =>
                PixelMean(inputs, sum, overAll: false),
            (TargetKind.Mask, InputKind.Logits) => PixelLossesCalls.BinaryFocalWithLogits(inputs.Pred, inputs.TargetMap(), term.Number(FocalAlpha), term.Number(Gamma),
                ClassWeights(inputs, term), inputs.ValidPixels(), inputs.PixelWeights()),
            (TargetKind.Mask, _) => PixelLossesCalls.BinaryFocal(inputs.Probabilities(), inputs.LogProbabilities(), inputs.LogComplement(), inputs.TargetMap(),
                term.Number(FocalAlpha), term.Number(Gamma), ClassWeights(inputs, term), inputs.ValidPixels(), inputs.PixelWeights()),
            // The statistics node of class indices sums focal over the kept pixels (its plain mean, weights not renormalised).
            _ when LabelsFocalInStatistics(inputs, term) is { } sum => PixelLossesCalls.MeanOverKeptPixels(sum, inputs.LabelIndices(), inputs.ValidPixels()),
            _ => PixelLossesCalls.Focal(inputs.Probabilities(), inputs.LogProbabilities(), inputs.LabelIndices(), inputs.ValidPixels(),
                term.Number(Gamma), ClassWeights(inputs, term), inputs.PixelWeights()),
        })
    {
        Range = Always(ValueRange.NonNegative),
        AcrossGroup = (inputs, _, value) => ElementMean(inputs, value, overAll: false),
        LowerUnreduced = (inputs, term) => (inputs.Signature.Target, inputs.Signature.Input) switch
        {
            (TargetKind.Mask, InputKind.Logits) => PixelLossesCalls.BinaryFocalWithLogitsUnreduced(inputs.Pred, inputs.TargetMap(), term.Number(FocalAlpha), term.Number(Gamma),
                ClassWeights(inputs, term), inputs.ValidPixels(), inputs.PixelWeights()),
            (TargetKind.Mask, _) => PixelLossesCalls.BinaryFocalUnreduced(inputs.Probabilities(), inputs.LogProbabilities(), inputs.LogComplement(), inputs.TargetMap(),
                term.Number(FocalAlpha), term.Number(Gamma), ClassWeights(inputs, term), inputs.ValidPixels(), inputs.PixelWeights()),
            _ when LabelsFocalInStatistics(inputs, term) is not null =>
                PixelLossesCalls.FocalWithLogitsUnreduced(inputs.Pred, inputs.LabelIndices(), inputs.ValidPixels(), term.Number(Gamma), ClassWeights(inputs, term), inputs.PixelWeights()),
            _ => PixelLossesCalls.FocalUnreduced(inputs.Probabilities(), inputs.LogProbabilities(), inputs.LabelIndices(), inputs.ValidPixels(),
                term.Number(Gamma), ClassWeights(inputs, term), inputs.PixelWeights()),
        },
    };

    // Focal's sum on class indices from the statistics node, when the plan fuses it there and this focal is the one the
    // node sums (logits, its γ and class weights); null otherwise.
    private static LocalValue? LabelsFocalInStatistics(IPlanInputs inputs, BoundTerm focal) =>
        inputs.Signature.Input == InputKind.Logits ? inputs.LabelsFocalSum(focal.Number(Gamma), ClassWeightNumbers(focal)) : null;

    private static PrimitiveDefinition Dice { get; } = new("dice", Both(SquaredOverlapParameters), "Soft Dice loss over per-channel statistics.",
        (inputs, term) => Overlap(term, (nr, dr, log, empty, micro, soft) => RegionLossesCalls.Dice(Statistics(inputs, term), term.Boolean(SquaredPred),
            nr, dr, log, empty, micro, soft, ClassWeights(inputs, term), term.Boolean(IncludeBackground))))
    {
        Range = (term, _) => OverlapRange(term),
        AcrossGroup = FromStatistics,
        LowerUnreduced = (inputs, term) => Overlap(term, (nr, dr, log, empty, micro, soft) =>
            RegionLossesCalls.DiceUnreduced(Statistics(inputs, term), term.Boolean(SquaredPred), nr, dr, log, empty, micro, soft)),
        Conflicts = OverlapConflicts,
    };

    private static PrimitiveDefinition Iou { get; } = new("iou", Both(SquaredOverlapParameters), "Soft IoU (Jaccard) loss over per-channel statistics.",
        (inputs, term) => Overlap(term, (nr, dr, log, empty, micro, soft) => RegionLossesCalls.Iou(Statistics(inputs, term), term.Boolean(SquaredPred),
            nr, dr, log, empty, micro, soft, ClassWeights(inputs, term), term.Boolean(IncludeBackground))))
    {
        Range = (term, _) => OverlapRange(term),
        AcrossGroup = FromStatistics,
        Aliases = ImmutableArray.Create("jaccard"),
        LowerUnreduced = (inputs, term) => Overlap(term, (nr, dr, log, empty, micro, soft) =>
            RegionLossesCalls.IouUnreduced(Statistics(inputs, term), term.Boolean(SquaredPred), nr, dr, log, empty, micro, soft)),
        Conflicts = OverlapConflicts,
    };

    private static PrimitiveDefinition Tversky { get; } = new("tversky",
        Both(new[] { TverskyAlpha, TverskyBeta }.Concat(OverlapParameters).Append(ActivationParameter).Append(FocalTverskyGamma).ToArray()),
        "Tversky loss: Dice with separate weights on false positives and false negatives; focal Tversky with gamma.",
        (inputs, term) => Overlap(term, (nr, dr, log, empty, micro, soft) => RegionLossesCalls.Tversky(Statistics(inputs, term),
            term.Number(TverskyAlpha), term.Number(TverskyBeta), term.Number(FocalTverskyGamma), nr, dr, log, empty, micro, soft, ClassWeights(inputs, term),
            term.Boolean(IncludeBackground))))
    {
        Range = (term, _) => FocalTverskyRange(term),
        AcrossGroup = FromStatistics,
        LowerUnreduced = (inputs, term) => Overlap(term, (nr, dr, log, empty, micro, soft) => RegionLossesCalls.TverskyUnreduced(Statistics(inputs, term),
            term.Number(TverskyAlpha), term.Number(TverskyBeta), term.Number(FocalTverskyGamma), nr, dr, log, empty, micro, soft)),
        Conflicts = OverlapConflicts.Add(new ParameterConflict(LogLoss, new BooleanValue(true), FocalTverskyGamma,
            "gamma raises 1 − TI to a power and log_loss replaces 1 − TI by −log TI; choose one")),
    };

    private static PrimitiveDefinition Mcc { get; } = new("mcc", Both(MccSmooth, PerImage, ClassWeight, IncludeBackground), "1 - Matthews correlation per channel (smp MCCLoss): TP shared, FP, FN and TN summed directly.",
        (inputs, term) => RegionLossesCalls.Mcc(inputs.RegionStatistics(term.Boolean(PerImage), Activation.Auto), term.Number(MccSmooth),
            ClassWeights(inputs, term), term.Boolean(IncludeBackground)))
    { Range = Always(new ValueRange(0, 2)), AcrossGroup = FromStatistics, LowerUnreduced = (inputs, term) => RegionLossesCalls.MccUnreduced(inputs.RegionStatistics(term.Boolean(PerImage), Activation.Auto), term.Number(MccSmooth)) };

    private static PrimitiveDefinition GeneralizedDice { get; } = new("generalized_dice",
        Both(Eps, VolumeSmoothNumerator, VolumeSmoothDenominator, PerImage, WeightType, IncludeBackground, ActivationParameter, SoftLabel),
        "Generalized Dice (Sudre et al. 2017), classes weighted by inverse (squared) volume.",
        (inputs, term) => RegionLossesCalls.GeneralizedDice(Statistics(inputs, term), term.Number(Eps),
            term.Number(VolumeSmoothNumerator), term.Number(VolumeSmoothDenominator), VolumeExponents[term.Word(WeightType)], term.Boolean(IncludeBackground),
            term.Boolean(SoftLabel)))
    { Range = (term, _) => GeneralizedDiceRange(term), AcrossGroup = FromStatistics, AddsBackgroundToSingleChannel = true };

    private static PrimitiveDefinition SensitivitySpecificity { get; } = new("sensitivity_specificity", Both(Lambda, SensitivitySmooth), "Sensitivity-specificity loss (Brosch et al. 2015).",
        (inputs, term) => RegionLossesCalls.SensitivitySpecificity(inputs.RegionStatistics(perImage: false, Activation.Auto), term.Number(Lambda), term.Number(SensitivitySmooth)))
    {
        Range = Always(ValueRange.Unit),
        AcrossGroup = (_, _, _) => null,
        LowerUnreduced = (inputs, term) => RegionLossesCalls.SensitivitySpecificityUnreduced(inputs.RegionStatistics(perImage: false, Activation.Auto), term.Number(Lambda),
            term.Number(SensitivitySmooth)),
    };

    private static PrimitiveDefinition Ssim { get; } = new("ssim", Mask(Window, Sigma, DataRange, K1, K2, Border, SsimEps), "1 - mean SSIM between probabilities and mask, Gaussian window.",
        (inputs, term) => StructureLossesCalls.Ssim(inputs.LossName, inputs.Probabilities(), inputs.TargetMap(),
            // A constant of the loss text: built once, when the module is constructed.
            inputs.Buffer("ssimWindow", ConstantBuffersCalls.GaussianWindow(term.Integer(Window), term.Number(Sigma))),
            Square(term.Number(K1) * term.Number(DataRange)), Square(term.Number(K2) * term.Number(DataRange)), term.Number(SsimEps),
            reflect: term.Word(Border) == ReflectBorder, validOnly: term.Word(Border) == ValidBorder))
    { Range = (term, _) => SsimRange(term, new ValueRange(0, 2, UpperReached: false)), AcrossGroup = OverImages, SpatialRanks = ImmutableArray.Create(2, 3), SpatialFilters = true, WindowParameters = ImmutableArray.Create(Window) };

    private static PrimitiveDefinition MsSsim { get; } = new("ms_ssim", Mask(Window, Sigma, DataRange, K1, K2, ScaleWeights),
        "1 - multi-scale SSIM (Wang et al. 2003; pytorch_msssim): contrast-structure at every scale, SSIM at the coarsest.",
        (inputs, term) => StructureLossesCalls.MsSsim(inputs.LossName, inputs.Probabilities(), inputs.TargetMap(),
            inputs.Buffer("ssimWindow", ConstantBuffersCalls.GaussianWindow(term.Integer(Window), term.Number(Sigma))),
            Square(term.Number(K1) * term.Number(DataRange)), Square(term.Number(K2) * term.Number(DataRange)), term.NumberList(ScaleWeights)))
    { Range = (term, _) => SsimRange(term, ValueRange.Unit), AcrossGroup = OverImages, SpatialRanks = ImmutableArray.Create(2, 3), SpatialFilters = true, WindowParameters = ImmutableArray.Create(Window), ScaleParameter = ScaleWeights };

    private static PrimitiveDefinition LovaszHinge { get; } = new("lovasz_hinge", Mask(HingePerImage), "Lovász hinge (Berman et al. 2018): convex surrogate of the IoU loss on logits.",
        // Hinge errors are defined on the raw scores, so no probabilities.
        (inputs, term) => StructureLossesCalls.LovaszHinge(inputs.LossName, inputs.Pred, inputs.TargetMap(), inputs.ValidPixels(), term.Boolean(HingePerImage)))
    { Range = Always(ValueRange.NonNegative), AcrossGroup = Lovasz(HingePerImage), RequiresLogits = true, RequiresSingleChannel = true, AllowsPixelWeight = false };

    private static PrimitiveDefinition LovaszSoftmax { get; } = new("lovasz_softmax", Labels(LovaszClasses, PerImage, ClassWeight), "Lovász-Softmax (Berman et al. 2018) on per-class errors |t - p|.",
        (inputs, term) => StructureLossesCalls.LovaszSoftmax(inputs.Probabilities(), inputs.TargetMap(), inputs.ValidPixels(), ClassWeights(inputs, term),
            presentOnly: term.Word(LovaszClasses) == PresentClasses, term.Boolean(PerImage)))
    { Range = Always(ValueRange.Unit), AcrossGroup = Lovasz(PerImage), AllowsPixelWeight = false };

    private static PrimitiveDefinition TopK { get; } = new("topk", Both(TopPercent),
        "Top-k cross-entropy (nnU-Net's TopKLoss): the mean of the k % largest pixel losses, bce on a mask, ce on labels.",
        (inputs, term) => (inputs.Signature.Target, inputs.Signature.Input) switch
        {
            (TargetKind.Labels, _) => PixelLossesCalls.TopKCrossEntropy(inputs.LogProbabilities(), inputs.LabelIndices(), inputs.ValidPixels(), term.Number(TopPercent)),
            (_, InputKind.Logits) => PixelLossesCalls.TopKBinaryCrossEntropyWithLogits(inputs.Pred, inputs.TargetMap(), inputs.ValidPixels(), term.Number(TopPercent)),
            _ => PixelLossesCalls.TopKBinaryCrossEntropy(inputs.LogProbabilities(), inputs.LogComplement(), inputs.TargetMap(), inputs.ValidPixels(), term.Number(TopPercent)),
        })
    {
        Range = Always(ValueRange.NonNegative),
        AcrossGroup = NotAcrossGroup("the k % largest pixel losses of the batch are not the k % largest of each process's shard"),
        AllowsPixelWeight = false,
    };

    private static PrimitiveDefinition Ohem { get; } = new("ohem", Labels(OhemThreshold, MinKept, MeanOver),
        "Online hard example mining (mmseg's OHEMPixelSampler): cross-entropy of the pixels below a probability threshold or of largest loss.",
        (inputs, term) => PixelLossesCalls.OhemCrossEntropy(inputs.Probabilities(), inputs.LogProbabilities(), inputs.LabelIndices(), inputs.ValidPixels(),
            term[OhemThreshold] is NumberValue threshold ? threshold.Value : null, term.Integer(MinKept), term.Word(MeanOver) == AllPixels))
    {
        Range = Always(ValueRange.NonNegative),
        AcrossGroup = NotAcrossGroup("the hardest pixels of the batch are not the hardest of each process's shard"),
        AllowsPixelWeight = false,
    };

    // The distance fields are spatial: no ignored or left-out pixel may stand in for the other side of a boundary.
    private static PrimitiveDefinition HausdorffDt { get; } = new("hausdorff_dt", Both(HausdorffAlpha, IncludeBackground),
        "Hausdorff distance-transform loss (Karimi and Salcudean 2019; MONAI HausdorffDTLoss), 2-D and 3-D.",
        (inputs, term) => StructureLossesCalls.HausdorffDistanceTransform(inputs.Probabilities(), inputs.TargetMap(), term.Number(HausdorffAlpha),
            term.Boolean(IncludeBackground)))
    { Range = (term, signature) => DistanceWeightedRange(term, signature), AcrossGroup = OverImages, SpatialFilters = true, AllowsPixelWeight = false };

    // The mean of p times a signed distance, negative inside the target: a value of any sign.
    private static PrimitiveDefinition BoundaryDist { get; } = new("boundary_dist", Both(IncludeBackground),
        "Boundary loss (Kervadec et al. 2019): mean of p times the target's signed distance map, any spatial rank.",
        (inputs, term) => StructureLossesCalls.BoundaryDistance(inputs.Probabilities(), inputs.TargetMap(), term.Boolean(IncludeBackground)))
    { Range = (_, signature) => SignedDistanceRange(signature), AcrossGroup = OverImages, SpatialFilters = true, AllowsPixelWeight = false };

    private static PrimitiveDefinition ClDice { get; } = new("cldice", Both(SkeletonIterations, ClDiceSmooth, IncludeBackground),
        "Soft clDice (Shit et al. 2021; MONAI SoftclDiceLoss): topology precision and sensitivity of soft skeletons, 2-D and 3-D.",
        (inputs, term) => StructureLossesCalls.ClDice(inputs.LossName, inputs.Probabilities(), inputs.TargetMap(), term.Integer(SkeletonIterations),
            term.Number(ClDiceSmooth), term.Boolean(IncludeBackground)))
    {
        Range = Always(ValueRange.Unit),
        AcrossGroup = NotAcrossGroup("its skeleton sums run over the whole batch and are not yet summed across a group"),
        SpatialRanks = ImmutableArray.Create(2, 3),
        SpatialFilters = true,
    };

    private static PrimitiveDefinition Boundary { get; } = new("boundary", Both(Theta0, Theta), "Boundary F1 loss (Bokhovkin et al. 2019).",
        (inputs, term) => StructureLossesCalls.Boundary(inputs.LossName, inputs.Probabilities(), inputs.TargetMap(),
            term.Integer(Theta0), term.Integer(Theta), includeComplement: inputs.Signature.Target == TargetKind.Mask))
    { Range = Always(ValueRange.Unit), AcrossGroup = OverImages, SpatialRanks = ImmutableArray.Create(2, 3), SpatialFilters = true, WindowParameters = ImmutableArray.Create(Theta0, Theta) };

    private static PrimitiveDefinition ActiveContour { get; } = new("active_contour", Mask(ContourWeight), "Active contour loss (Chen et al. 2019): contour length plus region terms.",
        (inputs, term) => StructureLossesCalls.ActiveContour(inputs.LossName, inputs.Probabilities(), inputs.TargetMap(), term.Number(ContourWeight)))
    { Range = (term, _) => ContourRange(term), AcrossGroup = OverImages, SpatialRanks = ImmutableArray.Create(2), SpatialFilters = true };

    public static ImmutableArray<PrimitiveDefinition> Primitives { get; } = ImmutableArray.Create(
        Bce, Ce, Focal, TopK, Ohem, Dice, Iou, Tversky, Mcc, GeneralizedDice, SensitivitySpecificity, Ssim, MsSsim, LovaszHinge, LovaszSoftmax, HausdorffDt, BoundaryDist, ClDice, Boundary, ActiveContour);

    private static readonly ImmutableDictionary<string, PrimitiveDefinition> ByName =
        Primitives.SelectMany(p => p.Aliases.Add(p.Name).Select(name => (name, p))).ToImmutableDictionary(x => x.name, x => x.p);

    public static PrimitiveDefinition? Find(string name) => ByName.TryGetValue(name, out var primitive) ? primitive : null;

    /// <summary>Every name a primitive can be written as, for "did you mean".</summary>
    public static IEnumerable<string> AllNames => ByName.Keys.OrderBy(n => n, System.StringComparer.Ordinal);

    /// <summary>The region statistics a term with an <c>activation</c> reads: per image or over the batch, of the probabilities it gives.</summary>
    private static LocalValue Statistics(IPlanInputs inputs, BoundTerm term) =>
        inputs.RegionStatistics(term.Boolean(PerImage), Activations.First(a => a.Word == term.Word(ActivationParameter)).Value);

    /// <summary>A bce term's positive weight, null for <c>auto</c>.</summary>
    private static double? PositiveWeight(BoundTerm bce) => bce[PosWeight] is NumberValue weight ? weight.Value : null;

    /// <summary>A term's class weights as a constant buffer built once (equal lists share one), or null when it has none.</summary>
    private static LocalValue? ClassWeights(IPlanInputs inputs, BoundTerm term) => term[ClassWeight] is NumberListValue list
        ? ConstantBuffersCalls.ClassWeightBuffer(inputs, list.Items)
        : null;

    /// <summary>
    /// A dice, iou or tversky call with the form of its ratio: smooth_nr and smooth_dr, log_loss, whether an empty channel
    /// is zero, and whether the classes are pooled (micro).
    /// </summary>
    private static KernelCall Overlap(BoundTerm term, Func<double, double, bool, bool, bool, bool, KernelCall> call) =>
        call(term.Number(SmoothNumerator), term.Number(SmoothDenominator), term.Boolean(LogLoss), term.Word(Empty) == ZeroWhenEmpty, term.Word(Average) == Micro,
            term.Boolean(SoftLabel));

    private static double Square(double value) => value * value;

    private static ParameterDefinition Word(string name, string value, params string[] others) =>
        new(name, ParameterKind.Word, new WordValue(value), Words: ImmutableArray.Create(others).Insert(0, value));

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
