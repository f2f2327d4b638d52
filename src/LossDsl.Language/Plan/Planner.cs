using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// Lowers a bound expression to a <see cref="LossPlan"/>: runs each term's lowering from the catalog, which picks its
/// kernel; creates the shared steps those read (so the probabilities and the region statistics are computed once however
/// many terms use them), as <see cref="FusionAnalysis"/> decided, and folds constants.
/// </summary>
internal sealed class Planner : IPlanInputs
{
    private static readonly LocalValue PredValue = PlanInputs.Pred;
    private static readonly LocalValue Target = PlanInputs.Target;

    // The one module setting kernels read: LossModule.CheckValues, read at every call so value checks can be switched off.
    private static readonly SettingValue CheckValues = new("CheckValues");

    private readonly string name;
    private readonly LossSignature signature;
    private readonly DiagnosticBag diagnostics;
    private readonly List<PlanTerm> terms = new();
    private readonly List<PlanBuffer> buffers = new();
    private readonly List<PlanStep> steps = new();

    private readonly FusionAnalysis fusion;

    // A statistics node is planned evaluating no region term; which ones it evaluates is decided once every term is
    // lowered (FusionAnalysis.EvaluateRegionTermsInStatistics), from the terms' own calls.
    private static readonly ImmutableArray<KernelCall> NoRegionTerms = ImmutableArray<KernelCall>.Empty;

    private Planner(string name, LossSignature signature, DiagnosticBag diagnostics, BoundExpression bound)
    {
        this.name = name;
        this.signature = signature;
        this.diagnostics = diagnostics;
        fusion = FusionAnalysis.Analyze(Terms(bound), signature);
    }

    public static LossPlan? Plan(string name, string text, string source, BoundExpression bound, LossSignature signature, DiagnosticBag diagnostics)
    {
        var planner = new Planner(name, signature, diagnostics, bound);
        var total = planner.Lower(bound);
        planner.LowerUnreduced();
        if (planner.terms.Count == 0 && !diagnostics.HasErrors)
        {
            diagnostics.Add(LossDiagnostics.NoTerms, bound.Span);
        }

        if (total is null || diagnostics.HasErrors)
        {
            return null;
        }

        var steps = FusionAnalysis.CheckLabelsInStatistics(FusionAnalysis.EvaluateRegionTermsInStatistics(planner.steps.ToImmutableArray(), planner.terms));
        return new LossPlan(name, text, source, signature, planner.buffers.ToImmutableArray(), steps, planner.terms.ToImmutableArray(), total)
        {
            TotalCall = FusionAnalysis.TotalInStatistics(signature, steps, planner.terms, total),
        };
    }

    /// <summary>
    /// Each term's call for its values before the reduction. They read only what the terms' own calls planned: a new
    /// shared step here would run in every forward pass, for a value asked for only now and then.
    /// </summary>
    private void LowerUnreduced()
    {
        var planned = steps.Count;
        for (var i = 0; i < terms.Count; i++)
        {
            if (terms[i].Primitive.LowerUnreduced is { } lower)
            {
                terms[i] = terms[i] with { Unreduced = lower(this, terms[i].Bound) };
            }
        }

        if (steps.Count != planned)
        {
            throw new System.InvalidOperationException($"An unreduced lowering of '{name}' planned a shared step of its own: {steps[planned].Call.Kernel}.");
        }
    }

    private static IEnumerable<BoundTerm> Terms(BoundExpression bound) => bound switch
    {
        BoundTerm term => new[] { term },
        BoundNegation negation => Terms(negation.Operand),
        BoundBinary binary => Terms(binary.Left).Concat(Terms(binary.Right)),
        BoundFunction function => function.Arguments.SelectMany(Terms),
        _ => Enumerable.Empty<BoundTerm>(),
    };

    private ScalarNode? Lower(BoundExpression bound)
    {
        switch (bound)
        {
            case BoundConstant constant:
                return new ScalarConstant(constant.Value);

            case BoundTerm term:
                // The term's own call first (its initializer runs after the constructor's arguments): the group's call reads its value.
                terms.Add(new PlanTerm(term, Call(term)) { AcrossGroup = term.Primitive.AcrossGroup(this, term, new LocalValue(term.Name)) });
                return new ScalarTerm(terms.Count - 1);

            case BoundScalarInput input:
                return new ScalarInput(input.Index);

            case BoundNegation negation:
                return Lower(negation.Operand) is { } operand ? ScalarFolding.Negate(operand) : null;

            case BoundBinary binary:
                var left = Lower(binary.Left);
                var right = Lower(binary.Right);
                return left is null || right is null ? null : ScalarFolding.Binary(left, binary.Operator, right);

            case BoundFunction function:
                var arguments = function.Arguments.Select(Lower).ToList();
                return arguments.Any(a => a is null) ? null : ScalarFolding.Call(function.Function, arguments.Select(a => a!).ToImmutableArray());

            default:
                return null;
        }
    }

    private KernelCall Call(BoundTerm term)
    {
        // The input steps come first: the target step checks pred and target before any kernel reads them, and with an
        // ignore index, a valid mask or a weight map every term reads the kept pixels and the weights.
        CheckedTarget();
        ValidPixels();
        PixelWeights();
        return term.Primitive.Lower(this, term);
    }

    public LossSignature Signature => signature;

    public string LossName => name;

    public LocalValue Pred => PredValue;

    public LocalValue? CrossEntropySum(double? posWeight) =>
        fusion.CrossEntropyHost is { } host && Equals(host.PosWeight, posWeight) ? StatisticsWithCrossEntropy(host.PerImage)[1] : null;

    public LocalValue? FocalSum(double alpha, double gamma, ImmutableArray<double>? channelWeights) =>
        fusion.FocalHost is { } host && host.Term.Sums(new(alpha, gamma, channelWeights)) ? StatisticsWithFocal(host.PerImage)[1] : null;

    public LocalValue? LabelsCrossEntropySum(ImmutableArray<double>? classWeights, double labelSmoothing) =>
        fusion.LabelsHost is { Term.FocalGamma: null } host && host.Term.Sums(new(null, classWeights, labelSmoothing)) ? StatisticsFromLabels(host.PerImage)[1] : null;

    public LocalValue? LabelsFocalSum(double gamma, ImmutableArray<double>? classWeights) =>
        fusion.LabelsHost is { } host && host.Term.Sums(new(gamma, classWeights, 0)) ? StatisticsFromLabels(host.PerImage)[1] : null;

    /// <summary>The statistics node of class indices that also sums ce or focal: its two outputs, the statistics and the sum.</summary>
    private ImmutableArray<LocalValue> StatisticsFromLabels(bool perImage)
    {
        var term = fusion.LabelsHost!.Value.Term;
        var weight = term.ClassWeights is { } weights ? ConstantBuffersCalls.ClassWeightBuffer(this, weights) : null;
        return term.FocalGamma is { } gamma
            ? Step(RegionStatisticsCalls.ComputeFromLabelsWithFocal(PredValue, LabelIndices(), ValidPixels(), PixelWeights(), perImage, gamma, weight, NoRegionTerms, name, CheckValues,
                checkLabels: false, signature.IgnoreIndex), perImage ? "statsPerImage" : "stats", "focalSum")
            : Step(RegionStatisticsCalls.ComputeFromLabelsWithCrossEntropy(PredValue, LabelIndices(), ValidPixels(), PixelWeights(), perImage, weight, term.LabelSmoothing, NoRegionTerms,
                    name, CheckValues, checkLabels: false, signature.IgnoreIndex),
                perImage ? "statsPerImage" : "stats", "ceSum");
    }

    /// <summary>The statistics node that also sums focal: its two outputs, the statistics and the sum.</summary>
    private ImmutableArray<LocalValue> StatisticsWithFocal(bool perImage)
    {
        var focal = fusion.FocalHost!.Value.Term;
        var weight = focal.ChannelWeights is { } weights ? ConstantBuffersCalls.ClassWeightBuffer(this, weights) : null;
        return Step(RegionStatisticsCalls.ComputeWithFocal(PredValue, TargetMap(), ValidPixels(), PixelWeights(), perImage, focal.Alpha, focal.Gamma, weight, NoRegionTerms, name,
                CheckValues),
            perImage ? "statsPerImage" : "stats", "focalSum");
    }

    /// <summary>The statistics node that also sums bce: its two outputs, the statistics and the sum.</summary>
    private ImmutableArray<LocalValue> StatisticsWithCrossEntropy(bool perImage) =>
        Step(RegionStatisticsCalls.ComputeWithCrossEntropy(PredValue, TargetMap(), ValidPixels(), PixelWeights(), perImage, fusion.CrossEntropyHost!.Value.PosWeight,
                NoRegionTerms, name, CheckValues),
            perImage ? "statsPerImage" : "stats", "bceSum");

    /// <summary>The checked target, planned before any term: the mask in pred's dtype, or the class indices.</summary>
    private LocalValue CheckedTarget() => signature.Target == TargetKind.Mask ? MaskTarget() : LabelIndices();

    public LocalValue TargetMap() => signature.Target == TargetKind.Mask
        ? MaskTarget()
        : Step("t", InputsCalls.OneHot(PredValue, LabelIndices(), ValidPixels()));

    // With the statistics node of class indices on the logits, which reads pred anyway, the node checks pred's values.
    public LocalValue LabelIndices() => Step("labels",
        InputsCalls.Labels(name, PredValue, Target, signature.Classes, signature.IgnoreIndex, SpatialRank(), fusion.LabelsHost is null ? CheckValues : null, checkRange: true));

    // With the statistics node on the logits, which reads pred and the mask anyway, the node makes their value checks.
    private LocalValue MaskTarget() =>
        Step("t", InputsCalls.Mask(name, PredValue, Target, signature.Classes, SpatialRank(), fusion.StatisticsFromLogits ? null : CheckValues));

    private int? SpatialRank() => signature.AnySpatialRank ? null : signature.Spatial.Length;

    public LocalValue? ValidPixels()
    {
        var ignoreValid = signature.IgnoreIndex is { } ignoreIndex ? Step("valid", InputsCalls.Valid(PredValue, Target, ignoreIndex)) : null;
        return signature.Valid is { } map
            ? Step("valid", InputsCalls.ValidMask(name, PredValue, PlanInputs.ValidMask, signature.Target == TargetKind.Labels, map == PixelMap.PerChannel, ignoreValid, CheckValues))
            : ignoreValid;
    }

    public LocalValue? PixelWeights() => signature.PixelWeight is { } map
        ? Step("w", InputsCalls.PixelWeight(name, PredValue, PlanInputs.PixelWeight, signature.Target == TargetKind.Labels, map == PixelMap.PerChannel, ValidPixels(), CheckValues))
        : null;

    public LocalValue Probabilities() => (signature.Input, signature.Target) switch
    {
        (InputKind.Probabilities, _) => PredValue,
        (InputKind.LogProbabilities, _) => Step("p", ProbabilitiesCalls.Exp(PredValue)),
        (_, TargetKind.Mask) => Step("p", ProbabilitiesCalls.Sigmoid(PredValue)),
        _ => Step("p", ProbabilitiesCalls.Softmax(PredValue)),
    };

    // Mask terms on logits never ask: they read libtorch's fused BCE-with-logits instead. Log-probabilities are read as
    // given, unclamped, as nll_loss reads them.
    public LocalValue LogProbabilities() => signature.Input switch
    {
        InputKind.Probabilities => Step("logp", ProbabilitiesCalls.ClampedLog(PredValue)),
        InputKind.LogProbabilities => PredValue,
        _ => Step("logp", ProbabilitiesCalls.LogSoftmax(PredValue)),
    };

    public LocalValue LogComplement() => Step("log1mp", ProbabilitiesCalls.ClampedLogOneMinus(Probabilities()));

    /// <summary>
    /// One step for every region term, one more per image. From the mask (on logits without a sigmoid step), or for
    /// labels from the class indices (no one-hot map needed).
    /// </summary>
    public LocalValue RegionStatistics(bool perImage, Activation activation)
    {
        var statistics = ShardStatistics(perImage, activation);
        // The batch's sums, summed across a data-parallel group when the module has one; an image's sums are its own.
        return perImage ? statistics : Step("group" + char.ToUpperInvariant(statistics.Name[0]) + statistics.Name.Substring(1), RegionStatisticsCalls.AcrossGroup(statistics, PlanInputs.Group));
    }

    /// <summary>The statistics of this process's batch: one step per kind, shared.</summary>
    private LocalValue ShardStatistics(bool perImage, Activation activation)
    {
        if (!activation.IsSignatureDefault(signature))
        {
            var activated = Activated(activation);
            // Named for what they sum (statsTanh, statsPerImageRaw), so generated code says which probabilities a term reads.
            var name = (perImage ? "statsPerImage" : "stats") + (activation == Activation.None ? "Raw" : activation.ToString());
            return Step(name, signature.Target == TargetKind.Mask
                ? RegionStatisticsCalls.Compute(activated, TargetMap(), ValidPixels(), PixelWeights(), perImage)
                : RegionStatisticsCalls.ComputeFromLabels(activated, LabelIndices(), ValidPixels(), PixelWeights(), perImage));
        }

        if (fusion.CrossEntropyHost?.PerImage == perImage)
        {
            return StatisticsWithCrossEntropy(perImage)[0];
        }

        if (fusion.FocalHost?.PerImage == perImage)
        {
            return StatisticsWithFocal(perImage)[0];
        }

        if (fusion.LabelsHost is { } labelsHost && labelsHost.PerImage == perImage)
        {
            return StatisticsFromLabels(perImage)[0];
        }

        return Step(perImage ? "statsPerImage" : "stats", signature.Target switch
        {
            // TP and P from one node with a closed-form gradient on the logits, when no other term reads p.
            TargetKind.Mask when fusion.StatisticsFromLogits => RegionStatisticsCalls.ComputeFromLogits(PredValue, TargetMap(), ValidPixels(), PixelWeights(), perImage, NoRegionTerms, name, CheckValues),
            TargetKind.Mask => RegionStatisticsCalls.Compute(Probabilities(), TargetMap(), ValidPixels(), PixelWeights(), perImage),
            _ => RegionStatisticsCalls.ComputeFromLabels(Probabilities(), LabelIndices(), ValidPixels(), PixelWeights(), perImage),
        });
    }

    /// <summary>pred through an activation other than the signature's own, for the region terms that ask (MONAI's other_act).</summary>
    private LocalValue Activated(Activation activation) => activation switch
    {
        Activation.None => PredValue,
        Activation.Sigmoid => Step("pSigmoid", ProbabilitiesCalls.Sigmoid(PredValue)),
        Activation.Softmax => Step("pSoftmax", ProbabilitiesCalls.Softmax(PredValue)),
        Activation.Tanh => Step("pTanh", ProbabilitiesCalls.Tanh(PredValue)),
        _ => Probabilities(),
    };

    /// <summary>
    /// A constant buffer, built once with the module: an equal call already planned is reused (two <c>ssim(11)</c> terms
    /// read one window), a different one gets an unused name (<c>ssimWindow</c>, <c>ssimWindow2</c>).
    /// </summary>
    public LocalValue Buffer(string local, KernelCall call)
    {
        if (buffers.FirstOrDefault(b => b.Call.Equals(call)) is not { } buffer)
        {
            buffer = new PlanBuffer(Unused(local), call);
            buffers.Add(buffer);
        }

        return new LocalValue(buffer.Local);
    }

    /// <summary>A step of one output, computed once per forward pass however many terms read it.</summary>
    private LocalValue Step(string local, KernelCall call) => Step(call, local)[0];

    /// <summary>
    /// A step, shared by what computes it: an equal call already planned is reused, whatever its outputs were named; a
    /// new one names each output <paramref name="outputs"/>, numbered where a name is taken, so no two values share a local.
    /// </summary>
    private ImmutableArray<LocalValue> Step(KernelCall call, params string[] outputs)
    {
        if (steps.FirstOrDefault(s => s.Call.Equals(call)) is not { } step)
        {
            step = new PlanStep(outputs.Select(Unused).ToImmutableArray(), call);
            steps.Add(step);
        }

        return step.Outputs.Select(output => new LocalValue(output)).ToImmutableArray();
    }

    private string Unused(string local)
    {
        var name = local;
        for (var n = 2; buffers.Any(b => b.Local == name) || steps.Any(s => s.Outputs.Contains(name)); n++)
        {
            name = local + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }
}
