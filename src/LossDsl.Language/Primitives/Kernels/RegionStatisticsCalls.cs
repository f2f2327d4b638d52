using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>The calls a plan makes to <c>LossDsl.Kernels.RegionStatistics</c>, with their pass estimates (see <see cref="InputsCalls"/>).</summary>
internal static class RegionStatisticsCalls
{
    private const string Type = "RegionStatistics";

    // LossDsl.Kernels.Cpu.CpuRows.Of: what the statistics node's one-pass kernel takes. Its forward pass reads the logits
    // and the target once, and the element scale (a valid mask or weight map) once when there is one.
    private const string SigmoidStatisticsTensors =
        "One fused pass each way for contiguous float32/float64 CPU tensors (Kernels/Cpu); torch operations otherwise.";

    // LossDsl.Kernels.Cpu.CpuRows.OfLabels: what the statistics node of class indices takes.
    private const string LabelsStatisticsTensors =
        "One fused pass each way for contiguous float32/float64 CPU logits, int64 class indices and up to 64 classes (Kernels/Cpu); separate kernels otherwise.";

    private const string OneFusedPass = "one fused pass";

    private static FusedCpuPath SigmoidStatisticsPath(LocalValue? scale) =>
        new(SigmoidStatisticsTensors, OneFusedPass, signature => new PassCount(2, 0) + (scale is null ? new PassCount(0, 0) : ScalePasses(signature)));

    /// <summary>A pass's read of an element scale: a per-pixel map holds 1/C of pred's elements, a per-channel one all of them.</summary>
    internal static PassCount ScalePasses(Semantics.LossSignature signature) =>
        signature.Valid == Semantics.PixelMap.PerChannel || signature.PixelWeight == Semantics.PixelMap.PerChannel ? new PassCount(1, 0) : new PassCount(0, 1);

    /// <summary>
    /// Three sums over the data: p·t (multiply 3, sum 1; a dot product reading both, 2, for one channel over the whole
    /// batch), p (1), t (1). With an ignore index p is multiplied by the valid pixels first (2 full + 1 per pixel); t is
    /// already 0 at ignored pixels. The valid count is computed only for the terms that read it, from the per-pixel mask
    /// (not counted).
    /// </summary>
    /// <remarks>A pixel weight map (already times the kept pixels) replaces the valid pixels as p's multiplier, and multiplies t too (3 more).</remarks>
    public static KernelCall Compute(LocalValue probabilities, LocalValue target, LocalValue? valid, LocalValue? pixelWeight, bool perImage) =>
        KernelCall.Create(Type, nameof(Compute),
            signature =>
            {
                var truePositive = signature.Classes == 1 && !perImage ? 2 : 4;
                var scaled = valid is null && pixelWeight is null ? new PassCount(truePositive + 2, 0) : new PassCount(truePositive + 4, 1);
                return pixelWeight is null ? scaled : scaled + new PassCount(3, 0);
            },
            Local(nameof(probabilities), probabilities), Local(nameof(target), target), Optional(nameof(valid), valid),
            Optional(nameof(pixelWeight), pixelWeight), Constant(nameof(perImage), perImage));

    /// <summary>
    /// One autograd node: the sigmoid of the logits (2), then p·t and the sums as in <see cref="Compute"/> (TP 4, or 2 as
    /// a dot product for one channel over the whole batch; P and T 1 each). Its backward is written out (not counted).
    /// </summary>
    /// <remarks>A valid mask or a weight map scales p inside the node and the target's sum (3 more, and 1 per pixel).</remarks>
    public static KernelCall ComputeFromLogits(LocalValue logits, LocalValue target, LocalValue? valid, LocalValue? pixelWeight, bool perImage, ImmutableArray<KernelCall> regionTerms,
        string loss, SettingValue checkValues) =>
        KernelCall.Create(Type, nameof(ComputeFromLogits),
            signature => FromLogits(signature, perImage) + ScaledStatistics(valid, pixelWeight) + ValueChecks,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(target), target), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight),
                Constant(nameof(perImage), perImage), RegionTerms(regionTerms),
            }.Concat(Checks(loss, checkValues)).ToArray()) with { FusedCpuPath = SigmoidStatisticsPath(pixelWeight ?? valid) };

    /// <summary>
    /// <see cref="ComputeFromLogits"/>, plus bce's fused kernel and sum in the same node, as in
    /// <see cref="PixelLossesCalls.BinaryCrossEntropyWithLogits"/> (4, auto 5; a valid mask or a weight map multiplies its
    /// elements, 1 more). Two outputs: the statistics and the sum.
    /// </summary>
    public static KernelCall ComputeWithCrossEntropy(LocalValue logits, LocalValue target, LocalValue? valid, LocalValue? pixelWeight, bool perImage, double? posWeight,
        ImmutableArray<KernelCall> regionTerms, string loss, SettingValue checkValues) =>
        KernelCall.Create(Type, nameof(ComputeWithCrossEntropy),
            signature => FromLogits(signature, perImage) + Scaled(valid, pixelWeight) + new PassCount(posWeight is null ? 5 : 4, 0) + ValueChecks,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(target), target), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight),
                Constant(nameof(perImage), perImage), Constant(nameof(posWeight), posWeight), RegionTerms(regionTerms),
            }.Concat(Checks(loss, checkValues)).ToArray())
        with { FusedCpuPath = SigmoidStatisticsPath(pixelWeight ?? valid) };

    /// <summary>
    /// <see cref="ComputeFromLogits"/>, plus mask focal's sum in the same node, as in
    /// <see cref="PixelLossesCalls.BinaryFocalWithLogits"/> (a valid mask or a weight map multiplies its elements, 1 more,
    /// and channel weights 1 more). Two outputs: the statistics and the sum.
    /// </summary>
    public static KernelCall ComputeWithFocal(LocalValue logits, LocalValue target, LocalValue? valid, LocalValue? pixelWeight, bool perImage, double alpha, double gamma,
        LocalValue? weight, ImmutableArray<KernelCall> regionTerms, string loss, SettingValue checkValues) =>
        KernelCall.Create(Type, nameof(ComputeWithFocal),
            signature => FromLogits(signature, perImage) + Scaled(valid, pixelWeight) + new PassCount(PixelLossesCalls.FocalOnLogitsPasses(alpha) + (weight is null ? 0 : 1), 0)
                + ValueChecks,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(target), target), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight),
                Constant(nameof(perImage), perImage), Constant(nameof(alpha), alpha), Constant(nameof(gamma), gamma), Optional(nameof(weight), weight), RegionTerms(regionTerms),
            }.Concat(Checks(loss, checkValues)).ToArray())
        with { FusedCpuPath = SigmoidStatisticsPath(pixelWeight ?? valid) };

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeFromLogits"/> (no valid mask or weight map), for <c>forward</c>
    /// when the total adds up only region terms the node evaluates (<see cref="Total"/>): the node's passes, and no
    /// operation after it.
    /// </summary>
    public static KernelCall TotalFromLogits(LocalValue logits, LocalValue target, bool perImage, ImmutableArray<KernelCall> regionTerms, double[] regionTermFactors, double constant,
        string loss, SettingValue checkValues, SettingValue group) =>
        KernelCall.Create(Type, nameof(TotalFromLogits), ComputeFromLogits(logits, target, null, null, perImage, regionTerms, loss, checkValues).Passes,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(target), target), Constant(nameof(perImage), perImage), RegionTerms(regionTerms),
                Constant(nameof(regionTermFactors), regionTermFactors), Constant(nameof(constant), constant),
            }.Concat(Checks(loss, checkValues)).Append(Setting(nameof(group), group)).ToArray())
        with { FusedCpuPath = SigmoidStatisticsPath(null) };

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeWithCrossEntropy"/> (no valid mask or weight map), for
    /// <c>forward</c> when the total adds up only bce's mean over every element and region terms the node evaluates.
    /// </summary>
    public static KernelCall TotalWithCrossEntropy(LocalValue logits, LocalValue target, bool perImage, double? posWeight, double crossEntropyFactor,
        ImmutableArray<KernelCall> regionTerms, double[] regionTermFactors, double constant, string loss, SettingValue checkValues, SettingValue group) =>
        KernelCall.Create(Type, nameof(TotalWithCrossEntropy), ComputeWithCrossEntropy(logits, target, null, null, perImage, posWeight, regionTerms, loss, checkValues).Passes,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(target), target), Constant(nameof(perImage), perImage), Constant(nameof(posWeight), posWeight),
                Constant(nameof(crossEntropyFactor), crossEntropyFactor), RegionTerms(regionTerms), Constant(nameof(regionTermFactors), regionTermFactors),
                Constant(nameof(constant), constant),
            }.Concat(Checks(loss, checkValues)).Append(Setting(nameof(group), group)).ToArray())
        with { FusedCpuPath = SigmoidStatisticsPath(null) };

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeWithFocal"/> (no valid mask or weight map), for <c>forward</c>
    /// when the total adds up only focal's mean over every element and region terms the node evaluates.
    /// </summary>
    public static KernelCall TotalWithFocal(LocalValue logits, LocalValue target, bool perImage, double alpha, double gamma, LocalValue? weight, double focalFactor,
        ImmutableArray<KernelCall> regionTerms, double[] regionTermFactors, double constant, string loss, SettingValue checkValues, SettingValue group) =>
        KernelCall.Create(Type, nameof(TotalWithFocal), ComputeWithFocal(logits, target, null, null, perImage, alpha, gamma, weight, regionTerms, loss, checkValues).Passes,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(target), target), Constant(nameof(perImage), perImage), Constant(nameof(alpha), alpha), Constant(nameof(gamma), gamma),
                Optional(nameof(weight), weight), Constant(nameof(focalFactor), focalFactor), RegionTerms(regionTerms), Constant(nameof(regionTermFactors), regionTermFactors),
                Constant(nameof(constant), constant),
            }.Concat(Checks(loss, checkValues)).Append(Setting(nameof(group), group)).ToArray())
        with { FusedCpuPath = SigmoidStatisticsPath(null) };

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeFromLabelsWithCrossEntropy"/> (every pixel kept, no weight map,
    /// no class weights), for <c>forward</c> when the total adds up only ce's mean over the pixels and region terms the
    /// node evaluates.
    /// </summary>
    public static KernelCall TotalFromLabelsWithCrossEntropy(LocalValue logits, LocalValue labels, bool perImage, double labelSmoothing, double crossEntropyFactor,
        ImmutableArray<KernelCall> regionTerms, double[] regionTermFactors, double constant, string loss, SettingValue checkValues, SettingValue group) =>
        KernelCall.Create(Type, nameof(TotalFromLabelsWithCrossEntropy),
            ComputeFromLabelsWithCrossEntropy(logits, labels, null, null, perImage, null, labelSmoothing, regionTerms, loss, checkValues, checkLabels: true, ignoreIndex: null).Passes,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(labels), labels), Constant(nameof(perImage), perImage), Constant(nameof(labelSmoothing), labelSmoothing),
                Constant(nameof(crossEntropyFactor), crossEntropyFactor), RegionTerms(regionTerms), Constant(nameof(regionTermFactors), regionTermFactors),
                Constant(nameof(constant), constant),
            }.Concat(Checks(loss, checkValues)).Append(Setting(nameof(group), group)).ToArray())
        with { FusedCpuPath = LabelsStatisticsPath(null) };

    /// <summary>
    /// The loss itself from the node of <see cref="ComputeFromLabelsWithFocal"/> (every pixel kept, no weight map), for
    /// <c>forward</c> when the total adds up only focal's mean over the pixels and region terms the node evaluates.
    /// </summary>
    public static KernelCall TotalFromLabelsWithFocal(LocalValue logits, LocalValue labels, bool perImage, double gamma, LocalValue? weight, double focalFactor,
        ImmutableArray<KernelCall> regionTerms, double[] regionTermFactors, double constant, string loss, SettingValue checkValues, SettingValue group) =>
        KernelCall.Create(Type, nameof(TotalFromLabelsWithFocal),
            ComputeFromLabelsWithFocal(logits, labels, null, null, perImage, gamma, weight, regionTerms, loss, checkValues, checkLabels: true, ignoreIndex: null).Passes,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(labels), labels), Constant(nameof(perImage), perImage), Constant(nameof(gamma), gamma), Optional(nameof(weight), weight),
                Constant(nameof(focalFactor), focalFactor), RegionTerms(regionTerms), Constant(nameof(regionTermFactors), regionTermFactors), Constant(nameof(constant), constant),
            }.Concat(Checks(loss, checkValues)).Append(Setting(nameof(group), group)).ToArray())
        with { FusedCpuPath = LabelsStatisticsPath(null) };

    /// <summary>
    /// The loss itself from the statistics node <paramref name="statistics"/> on logits without a valid mask or weight
    /// map: <paramref name="constant"/>, plus its pixel term's mean over every element (every pixel, for class indices)
    /// times <paramref name="pixelTermFactor"/> (0 for a node without one), plus each region term it evaluates
    /// (<see cref="RegionTermsOf"/>) times its factor. Null for any other call (a scaled node, ce with class weights,
    /// whose mean divides by them).
    /// </summary>
    internal static KernelCall? Total(KernelCall statistics, double pixelTermFactor, ImmutableArray<double> regionTermFactors, double constant)
    {
        KernelValue Argument(string name) => statistics.Arguments.Single(a => a.Name == name).Value;
        T Value<T>(string name) => (T)((ConstantValue)Argument(name)).Value!;
        LocalValue Local(string name) => (LocalValue)Argument(name);
        LocalValue? Optional(string name) => Argument(name) as LocalValue;
        if (!statistics.Arguments.Any(a => a.Name == ValidName) || Optional(ValidName) is not null || Optional(PixelWeightName) is not null)
        {
            return null;
        }

        var (logits, perImage, terms, factors) = (Local(LogitsName), Value<bool>(PerImageName), RegionTermsOf(statistics), regionTermFactors.ToArray());
        LocalValue Target() => Local(TargetName);
        var (loss, checkValues) = (Value<string>(LossName), (SettingValue)Argument(CheckValuesName));
        return statistics.Method.Name switch
        {
            nameof(ComputeFromLogits) => TotalFromLogits(logits, Target(), perImage, terms, factors, constant, loss, checkValues, PlanInputs.Group),
            nameof(ComputeWithCrossEntropy) => TotalWithCrossEntropy(logits, Target(), perImage, Value<double?>(PosWeightName), pixelTermFactor, terms, factors, constant, loss, checkValues,
                PlanInputs.Group),
            nameof(ComputeWithFocal) => TotalWithFocal(logits, Target(), perImage, Value<double>(AlphaName), Value<double>(GammaName), Optional(WeightName), pixelTermFactor, terms, factors,
                constant, loss, checkValues, PlanInputs.Group),
            nameof(ComputeFromLabelsWithCrossEntropy) when Optional(WeightName) is null => TotalFromLabelsWithCrossEntropy(logits, Local(LabelsName), perImage,
                Value<double>(LabelSmoothingName), pixelTermFactor, terms, factors, constant, loss, checkValues, PlanInputs.Group),
            nameof(ComputeFromLabelsWithFocal) => TotalFromLabelsWithFocal(logits, Local(LabelsName), perImage, Value<double>(GammaName), Optional(WeightName), pixelTermFactor, terms,
                factors, constant, loss, checkValues, PlanInputs.Group),
            _ => null,
        };
    }

    /// <summary>The class indices a statistics node of class indices reads; null for any other call.</summary>
    internal static LocalValue? LabelsOf(KernelCall call) => call.Arguments.FirstOrDefault(a => a.Name == LabelsName)?.Value as LocalValue;

    /// <summary>The region terms the statistics node <paramref name="call"/> evaluates (<see cref="WithRegionTerms"/>), in its order; none for another call.</summary>
    internal static ImmutableArray<KernelCall> RegionTermsOf(KernelCall call) =>
        call.Arguments.FirstOrDefault(a => a.Name == RegionTermsName)?.Value is CallsValue calls ? calls.Calls : ImmutableArray<KernelCall>.Empty;

    // The parameters of the nodes on logits that Total reads back from a planned call.
    private const string LogitsName = "logits";
    private const string TargetName = "target";
    private const string LabelsName = "labels";
    private const string LabelSmoothingName = "labelSmoothing";
    private const string ValidName = "valid";
    private const string PixelWeightName = "pixelWeight";
    private const string PerImageName = "perImage";
    private const string PosWeightName = "posWeight";
    private const string AlphaName = "alpha";
    private const string GammaName = "gamma";
    private const string WeightName = "weight";
    private const string LossName = "loss";
    private const string CheckValuesName = "checkValues";

    // A valid mask or a weight map in the node on logits: p and the target's sum scaled (3, and 1 per pixel).
    private static PassCount ScaledStatistics(LocalValue? valid, LocalValue? pixelWeight) =>
        valid is null && pixelWeight is null ? new PassCount(0, 0) : new PassCount(3, 1);

    // The same in a node with a pixel term, whose elements the scale multiplies too (1).
    private static PassCount Scaled(LocalValue? valid, LocalValue? pixelWeight) =>
        valid is null && pixelWeight is null ? new PassCount(0, 0) : ScaledStatistics(valid, pixelWeight) + new PassCount(1, 0);

    /// <summary>
    /// <see cref="ComputeFromLabels"/> on the softmax (2) and ce's sum as <see cref="PixelLossesCalls.CrossEntropy"/>
    /// gathers it from the log-softmax (2, and its per-pixel gather and sum, 4; an ignore index multiplies by the valid
    /// pixels, 3 more per pixel; class weights and label smoothing add theirs), as one step. Two outputs: the statistics
    /// and the sum. Its fused pass reads the logits, the class indices (int64: two per-pixel tensors' worth of float32)
    /// and the valid pixels once.
    /// </summary>
    /// <param name="checkLabels">Whether the node checks the labels' range: planned false, and handed over by <see cref="CheckingLabels"/>.</param>
    /// <param name="ignoreIndex">The target's ignore index, which that check's message names.</param>
    public static KernelCall ComputeFromLabelsWithCrossEntropy(LocalValue logits, LocalValue labels, LocalValue? valid, LocalValue? pixelWeight, bool perImage, LocalValue? weight,
        double labelSmoothing, ImmutableArray<KernelCall> regionTerms, string loss, SettingValue checkValues, bool checkLabels, int? ignoreIndex)
    {
        var passes = (valid is null ? new PassCount(4 + 1, 9 + 4) : new PassCount(4 + 3, 14 + 7)) + PixelWeighted(pixelWeight)
            + PixelLossesCalls.CrossEntropyWeightingAndSmoothing(weight is not null, labelSmoothing, valid is not null) + PredictionCheck + (checkLabels ? LabelsCheck : default);
        return KernelCall.Create(Type, nameof(ComputeFromLabelsWithCrossEntropy), _ => passes,
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(labels), labels), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight),
                Constant(nameof(perImage), perImage), Optional(nameof(weight), weight), Constant(nameof(labelSmoothing), labelSmoothing), RegionTerms(regionTerms),
            }.Concat(Checks(loss, checkValues)).Concat(LabelChecks(checkLabels, ignoreIndex)).ToArray())
        with { FusedCpuPath = LabelsStatisticsPath(pixelWeight ?? valid) };
    }

    /// <summary>
    /// <see cref="ComputeFromLabelsWithCrossEntropy"/> with focal's sum instead of ce's, as <see cref="PixelLossesCalls.Focal"/>
    /// computes it from the softmax and the log-softmax: 14 per-pixel passes more than ce's gather and sum (the gathered
    /// p_y, 1 − p_y, its clamp and power, the product; class weights, w_y by take and its multiply, 5). Two outputs: the
    /// statistics and the sum. The same fused pass.
    /// </summary>
    /// <param name="checkLabels">Whether the node checks the labels' range: planned false, and handed over by <see cref="CheckingLabels"/>.</param>
    /// <param name="ignoreIndex">The target's ignore index, which that check's message names.</param>
    public static KernelCall ComputeFromLabelsWithFocal(LocalValue logits, LocalValue labels, LocalValue? valid, LocalValue? pixelWeight, bool perImage, double gamma,
        LocalValue? weight, ImmutableArray<KernelCall> regionTerms, string loss, SettingValue checkValues, bool checkLabels, int? ignoreIndex) =>
        KernelCall.Create(Type, nameof(ComputeFromLabelsWithFocal),
            signature => new PassCount((valid is null ? 4 + 1 : 4 + 3) + PredictionCheck.Full,
                (valid is null ? 9 + 4 + 14 : 14 + 7 + 14) + (weight is null ? 0 : 5) + (checkLabels ? LabelsCheck.PerPixel : 0)) + PixelWeighted(pixelWeight),
            new[]
            {
                Local(nameof(logits), logits), Local(nameof(labels), labels), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight),
                Constant(nameof(perImage), perImage), Constant(nameof(gamma), gamma), Optional(nameof(weight), weight), RegionTerms(regionTerms),
            }.Concat(Checks(loss, checkValues)).Concat(LabelChecks(checkLabels, ignoreIndex)).ToArray())
        with { FusedCpuPath = LabelsStatisticsPath(pixelWeight ?? valid) };

    // A weight map in the node of class indices (already times the kept pixels): it multiplies TP, P, T and the term's
    // per-pixel values on the torch-operation path, 1 per pixel each.
    private static PassCount PixelWeighted(LocalValue? pixelWeight) => pixelWeight is null ? default : new PassCount(0, 4);

    /// <summary>Whether <paramref name="call"/> is a statistics node of class indices, whose pass reads every label.</summary>
    internal static bool ReadsEveryLabel(KernelCall call) =>
        call.Method == new KernelMethod(Type, nameof(ComputeFromLabelsWithCrossEntropy)) || call.Method == new KernelMethod(Type, nameof(ComputeFromLabelsWithFocal));

    /// <summary>
    /// The statistics node of class indices <paramref name="call"/>, checking the labels' range too (which
    /// <see cref="InputsCalls.LeavingRangeToNode"/> takes from the labels' step): free in its fused pass, one min-max
    /// reduction on the torch-operation path.
    /// </summary>
    internal static KernelCall CheckingLabels(KernelCall call) => call with
    {
        Arguments = call.Arguments.Select(a => a.Name == CheckLabelsName ? Constant(CheckLabelsName, true) : a).ToImmutableArray(),
        Passes = signature => call.Passes(signature) + LabelsCheck,
    };

    private static FusedCpuPath LabelsStatisticsPath(LocalValue? valid) => new(LabelsStatisticsTensors, OneFusedPass, _ => new PassCount(1, valid is null ? 2 : 3));

    /// <summary>
    /// The batch's statistics summed across the data-parallel group, when there is one: a few numbers per channel, no
    /// pass over the data.
    /// </summary>
    public static KernelCall AcrossGroup(LocalValue statistics, SettingValue group) =>
        KernelCall.Create(Type, nameof(AcrossGroup), KernelCall.Fixed(0), Local(nameof(statistics), statistics), Setting(nameof(group), group));

    /// <summary>Whether <paramref name="call"/> is a statistics node that can evaluate region terms beside its sums.</summary>
    internal static bool EvaluatesRegionTerms(KernelCall call) => call.Arguments.Any(a => a.Name == RegionTermsName);

    /// <summary>The statistics node <paramref name="call"/>, evaluating <paramref name="terms"/> (their closed forms) too.</summary>
    internal static KernelCall WithRegionTerms(KernelCall call, ImmutableArray<KernelCall> terms) =>
        call with { Arguments = call.Arguments.Select(a => a.Name == RegionTermsName ? RegionTerms(terms) : a).ToImmutableArray() };

    // The value checks of pred and the mask, which Inputs.Mask leaves to a node on the logits (InputsCalls.Mask without a
    // setting): with CheckValues the torch-operation path's two min-max reductions (the one-pass kernel's are free riders).
    private static readonly PassCount ValueChecks = new(2, 0);

    // The value check of pred, which Inputs.Labels leaves to a node on the logits: with CheckValues the torch-operation
    // path's min-max reduction over pred (the one-pass kernel's is a free rider).
    private static readonly PassCount PredictionCheck = new(1, 0);

    private static KernelArgument[] Checks(string loss, SettingValue checkValues) => new[] { Constant(nameof(loss), loss), Setting(nameof(checkValues), checkValues) };

    // The labels' range check, which Inputs.Labels may leave to a node of class indices: the torch-operation path's
    // min-max reduction over them (the one-pass kernel's is a free rider).
    private static readonly PassCount LabelsCheck = new(0, 1);

    private static KernelArgument[] LabelChecks(bool checkLabels, int? ignoreIndex) => new[] { Constant(CheckLabelsName, checkLabels), Constant(nameof(ignoreIndex), ignoreIndex) };

    // The nodes' checkLabels parameter, which CheckingLabels sets.
    private const string CheckLabelsName = "checkLabels";

    // The region terms a node evaluates: generated code gives none as null.
    private const string RegionTermsName = "regionTerms";

    private static KernelArgument RegionTerms(ImmutableArray<KernelCall> terms) => Calls(RegionTermsName, RegionTermCalls.ElementType, terms);

    private static PassCount FromLogits(Semantics.LossSignature signature, bool perImage) =>
        new(2 + (signature.Classes == 1 && !perImage ? 2 : 4) + 2, 0);

    /// <summary>
    /// The sum of p (1; with an ignore index after multiplying by the valid pixels, 2 more and 1 per pixel). Per pixel:
    /// gather p_y (3) and add it into the classes (a scatter-add reading the indices and the values, 2); the ones added
    /// for T are a broadcast, copied once by the reshape (2), then added the same way (2). An ignore index multiplies
    /// both by the valid pixels instead (3 each).
    /// </summary>
    /// <remarks>A pixel weight map (already times the kept pixels) replaces the valid pixels as the multiplier.</remarks>
    public static KernelCall ComputeFromLabels(LocalValue probabilities, LocalValue labels, LocalValue? valid, LocalValue? pixelWeight, bool perImage) =>
        KernelCall.Create(Type, nameof(ComputeFromLabels), valid is null && pixelWeight is null ? KernelCall.Fixed(1, 9) : KernelCall.Fixed(3, 14),
            Local(nameof(probabilities), probabilities), Local(nameof(labels), labels), Optional(nameof(valid), valid),
            Optional(nameof(pixelWeight), pixelWeight), Constant(nameof(perImage), perImage));
}
