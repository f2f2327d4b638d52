using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// Lowers a bound expression to a <see cref="LossPlan"/>: picks each term's kernel, creates the shared steps it reads
/// (so the probabilities and the region statistics are computed once however many terms use them), and folds constants.
/// </summary>
internal sealed class Planner
{
    private static readonly LocalValue Pred = new("pred");
    private static readonly LocalValue Target = new("target");

    private readonly string name;
    private readonly LossSignature signature;
    private readonly DiagnosticBag diagnostics;
    private readonly List<PlanTerm> terms = new();
    private readonly List<PlanBuffer> buffers = new();
    private readonly List<PlanStep> steps = new();

    // On logits with a mask, the region statistics node also sums bce (one sigmoid, one backward for both): which
    // statistics step does (per image or not) and with which positive weight; null when there is no such pair.
    private readonly (bool PerImage, double? PosWeight)? crossEntropyHost;

    private Planner(string name, LossSignature signature, DiagnosticBag diagnostics, BoundExpression bound)
    {
        this.name = name;
        this.signature = signature;
        this.diagnostics = diagnostics;
        crossEntropyHost = CrossEntropyHost(Terms(bound).ToList(), signature);
    }

    public static LossPlan? Plan(string name, string text, string source, BoundExpression bound, LossSignature signature, DiagnosticBag diagnostics)
    {
        var planner = new Planner(name, signature, diagnostics, bound);
        var total = planner.Lower(bound);
        if (planner.terms.Count == 0 && !diagnostics.HasErrors)
        {
            diagnostics.Add(LossDiagnostics.NoTerms, bound.Span);
        }

        if (total is null || diagnostics.HasErrors)
        {
            return null;
        }

        return new LossPlan(name, text, source, signature, planner.buffers.ToImmutableArray(), planner.steps.ToImmutableArray(), planner.terms.ToImmutableArray(), total);
    }

    private static IEnumerable<BoundTerm> Terms(BoundExpression bound) => bound switch
    {
        BoundTerm term => new[] { term },
        BoundNegation negation => Terms(negation.Operand),
        BoundBinary binary => Terms(binary.Left).Concat(Terms(binary.Right)),
        BoundFunction function => function.Arguments.SelectMany(Terms),
        _ => Enumerable.Empty<BoundTerm>(),
    };

    /// <summary>
    /// The statistics step that sums bce too, for a mask on logits with both a bce and a region term: the whole-batch
    /// statistics when any region term uses them, else the per-image ones; the first bce's positive weight (a bce with
    /// another weight runs its own kernel).
    /// </summary>
    private static (bool PerImage, double? PosWeight)? CrossEntropyHost(IReadOnlyList<BoundTerm> terms, LossSignature signature)
    {
        var bce = terms.FirstOrDefault(t => t.Primitive.Kind == PrimitiveKind.Bce);
        var statistics = terms.Select(StatisticsPerImage).Where(perImage => perImage is not null).Select(perImage => perImage!.Value).ToList();
        if (signature.Target != TargetKind.Mask || signature.Input != InputKind.Logits || bce is null || statistics.Count == 0)
        {
            return null;
        }

        return (statistics.All(perImage => perImage), PosWeight(bce));
    }

    /// <summary>Whether a region term reads per-image statistics; null for a term that reads none.</summary>
    private static bool? StatisticsPerImage(BoundTerm term) => term.Primitive.Kind switch
    {
        PrimitiveKind.GeneralizedDice or PrimitiveKind.SensitivitySpecificity => false,
        _ when term.Primitive.Family == PrimitiveFamily.Region => term.Boolean("per_image"),
        _ => null,
    };

    /// <summary>bce's positive weight, null for <c>auto</c>.</summary>
    private static double? PosWeight(BoundTerm bce) => bce["pos_weight"] is NumberValue weight ? weight.Value : null;

    private ScalarNode? Lower(BoundExpression bound)
    {
        switch (bound)
        {
            case BoundConstant constant:
                return new ScalarConstant(constant.Value);

            case BoundTerm term:
                terms.Add(new PlanTerm(term, Call(term)));
                return new ScalarTerm(terms.Count - 1);

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
        // ignore index every term reads the valid pixels.
        CheckedTarget();
        ValidPixels();
        return term.Primitive.Family switch
        {
            PrimitiveFamily.Pixel => PixelCall(term),
            PrimitiveFamily.Region => RegionCall(term),
            _ => StructureCall(term),
        };
    }

    /// <summary>bce, ce, focal: means of per-element log losses, read from the shared log-probability steps.</summary>
    private KernelCall PixelCall(BoundTerm term)
    {
        switch (term.Primitive.Kind)
        {
            case PrimitiveKind.Bce when crossEntropyHost is { } host && Equals(host.PosWeight, PosWeight(term)):
                return KernelCall.Create("PixelLosses.BinaryCrossEntropyFromStatistics",
                    Arg("statistics", RegionStatistics(host.PerImage)), Arg("logits", Pred));

            case PrimitiveKind.Bce when signature.Input == InputKind.Logits:
                // libtorch's fused kernel beats computing two log-sigmoid maps and combining them, even when mask focal
                // needs the same cross-entropy: it runs the fused kernel too (measured, docs/performance.md).
                return KernelCall.Create("PixelLosses.BinaryCrossEntropyWithLogits",
                    Arg("logits", Pred), Arg("target", TargetMap()), Constant("posWeight", PosWeight(term)));

            case PrimitiveKind.Bce:
                return KernelCall.Create("PixelLosses.BinaryCrossEntropy",
                    Arg("logP", LogProbabilities()), Arg("logNotP", LogComplement()), Arg("target", TargetMap()),
                    Constant("posWeight", PosWeight(term)));

            case PrimitiveKind.Ce:
                return KernelCall.Create("PixelLosses.CrossEntropy",
                    Arg("logProbabilities", LogProbabilities()), Arg("labels", LabelIndices()), Arg("valid", ValidPixels()),
                    Arg("weight", ClassWeights(term)), Constant("labelSmoothing", term.Number("label_smoothing")));

            case PrimitiveKind.Focal when signature.Target == TargetKind.Mask && signature.Input == InputKind.Logits:
                return KernelCall.Create("PixelLosses.BinaryFocalWithLogits",
                    Arg("logits", Pred), Arg("target", TargetMap()), Constant("alpha", term.Number("alpha")), Constant("gamma", term.Number("gamma")));

            case PrimitiveKind.Focal when signature.Target == TargetKind.Mask:
                return KernelCall.Create("PixelLosses.BinaryFocal",
                    Arg("probabilities", Probabilities()), Arg("logP", LogProbabilities()), Arg("logNotP", LogComplement()),
                    Arg("target", TargetMap()), Constant("alpha", term.Number("alpha")), Constant("gamma", term.Number("gamma")));

            default: // focal on labels
                return KernelCall.Create("PixelLosses.Focal",
                    Arg("probabilities", Probabilities()), Arg("logProbabilities", LogProbabilities()), Arg("labels", LabelIndices()),
                    Arg("valid", ValidPixels()), Constant("gamma", term.Number("gamma")), Arg("weight", ClassWeights(term)));
        }
    }

    /// <summary>dice, iou, tversky, generalized_dice, sensitivity_specificity: functions of the shared region statistics.</summary>
    private KernelCall RegionCall(BoundTerm term)
    {
        switch (term.Primitive.Kind)
        {
            case PrimitiveKind.GeneralizedDice:
                return KernelCall.Create("RegionLosses.GeneralizedDice", Arg("statistics", RegionStatistics(term)), Constant("eps", term.Number("eps")));

            case PrimitiveKind.SensitivitySpecificity:
                return KernelCall.Create("RegionLosses.SensitivitySpecificity",
                    Arg("statistics", RegionStatistics(term)), Constant("lambda", term.Number("lambda")), Constant("smooth", term.Number("smooth")));

            case PrimitiveKind.Tversky:
                return KernelCall.Create("RegionLosses.Tversky",
                    Arg("statistics", RegionStatistics(term)), Constant("alpha", term.Number("alpha")), Constant("beta", term.Number("beta")),
                    Constant("smooth", term.Number("smooth")), Arg("weight", ClassWeights(term)), Constant("includeBackground", term.Boolean("include_background")));

            default: // dice, iou
                return KernelCall.Create("RegionLosses." + term.Primitive.Kind,
                    Arg("statistics", RegionStatistics(term)), Constant("smooth", term.Number("smooth")),
                    Arg("weight", ClassWeights(term)), Constant("includeBackground", term.Boolean("include_background")));
        }
    }

    /// <summary>ssim, lovasz_hinge, lovasz_softmax, boundary, active_contour: kernels over the spatial layout.</summary>
    private KernelCall StructureCall(BoundTerm term) => term.Primitive.Kind switch
    {
        PrimitiveKind.Ssim => KernelCall.Create("StructureLosses.Ssim", LossName(),
            Arg("probabilities", Probabilities()), Arg("target", TargetMap()), Arg("window", GaussianWindow(term))),

        // Hinge errors are defined on the raw scores, so no probabilities.
        PrimitiveKind.LovaszHinge => KernelCall.Create("StructureLosses.LovaszHinge", LossName(),
            Arg("logits", Pred), Arg("target", TargetMap()), Constant("perImage", term.Boolean("per_image"))),

        PrimitiveKind.LovaszSoftmax => KernelCall.Create("StructureLosses.LovaszSoftmax",
            Arg("probabilities", Probabilities()), Arg("target", TargetMap()), Arg("valid", ValidPixels()),
            Constant("presentOnly", ((WordValue)term["classes"]).Word == "present"), Constant("perImage", term.Boolean("per_image"))),

        PrimitiveKind.Boundary => KernelCall.Create("StructureLosses.Boundary", LossName(),
            Arg("probabilities", Probabilities()), Arg("target", TargetMap()),
            Constant("theta0", Integer(term, "theta0")), Constant("theta", Integer(term, "theta")),
            Constant("includeComplement", signature.Target == TargetKind.Mask)),

        PrimitiveKind.ActiveContour => KernelCall.Create("StructureLosses.ActiveContour", LossName(),
            Arg("probabilities", Probabilities()), Arg("target", TargetMap()), Constant("weight", term.Number("weight"))),

        _ => throw new System.InvalidOperationException($"{term.Primitive.Name} is not a structure primitive."),
    };

    /// <summary>ssim's window, a constant of the loss text: built once, when the module is constructed.</summary>
    private LocalValue GaussianWindow(BoundTerm term) => Buffer("ssimWindow", KernelCall.Create("ConstantBuffers.GaussianWindow",
        Constant("size", Integer(term, "window")), Constant("sigma", term.Number("sigma"))));

    /// <summary>A term's class weights as a constant buffer built once (equal lists share one), or null when it has none.</summary>
    private KernelValue ClassWeights(BoundTerm term) => term["weight"] is NumberListValue list
        ? Buffer("classWeights", KernelCall.Create("ConstantBuffers.ClassWeights", Constant("values", list.Items.ToArray())))
        : new ConstantValue(null);


    /// <summary>The checked target, planned before any term: the mask in pred's dtype, or the class indices.</summary>
    private LocalValue CheckedTarget() => signature.Target == TargetKind.Mask ? MaskTarget() : LabelIndices();

    /// <summary>The target as the region and structure kernels read it, [N, C, *spatial] in pred's dtype: the mask, or one-hot labels.</summary>
    private LocalValue TargetMap() => signature.Target == TargetKind.Mask
        ? MaskTarget()
        : Step("t", KernelCall.Create("Inputs.OneHot", Arg("pred", Pred), Arg("labels", LabelIndices()), Arg("valid", ValidPixels())));

    /// <summary>Checked class indices [N, 1, *spatial]; ce and focal gather with them, the one-hot map is built from them.</summary>
    private LocalValue LabelIndices() => Step("labels", KernelCall.Create("Inputs.Labels",
        LossName(), Arg("pred", Pred), Arg("target", Target),
        Constant("classes", signature.Classes), Constant("ignoreIndex", signature.IgnoreIndex), SpatialRank(), CheckValues()));

    private LocalValue MaskTarget() => Step("t", KernelCall.Create("Inputs.Mask",
        LossName(), Arg("pred", Pred), Arg("target", Target), Constant("classes", signature.Classes), SpatialRank(), CheckValues()));

    private KernelArgument SpatialRank() => Constant("spatialRank", signature.AnySpatialRank ? null : signature.Spatial.Length);

    /// <summary>The module's <c>CheckValues</c> setting, read at every call: value checks can be switched off for speed.</summary>
    private static KernelArgument CheckValues() => Arg("checkValues", new SettingValue("CheckValues"));

    /// <summary>The kept pixels ([N, 1, *spatial], 0 or 1) with an ignore index; without one, null: every pixel is kept.</summary>
    private KernelValue ValidPixels()
    {
        if (signature.IgnoreIndex is not { } ignoreIndex)
        {
            return new ConstantValue(null);
        }

        return Step("valid", KernelCall.Create("Inputs.Valid", Arg("pred", Pred), Arg("target", Target), Constant("ignoreIndex", ignoreIndex)));
    }

    /// <summary>p: sigmoid for masks, softmax over classes for labels, pred itself when it holds probabilities.</summary>
    private LocalValue Probabilities()
    {
        if (signature.Input == InputKind.Probabilities)
        {
            return Pred;
        }

        return signature.Target == TargetKind.Mask
            ? Step("p", KernelCall.Create("Probabilities.Sigmoid", Arg("logits", Pred)))
            : Step("p", KernelCall.Create("Probabilities.Softmax", Arg("logits", Pred)));
    }

    /// <summary>
    /// log p: log-softmax of logits (no clamping needed), or the clamped log of probabilities. Mask terms on logits never
    /// ask: they read libtorch's fused BCE-with-logits instead.
    /// </summary>
    private LocalValue LogProbabilities() => signature.Input == InputKind.Probabilities
        ? Step("logp", KernelCall.Create("Probabilities.ClampedLog", Arg("probabilities", Pred)))
        : Step("logp", KernelCall.Create("Probabilities.LogSoftmax", Arg("logits", Pred)));

    /// <summary>log(1 − p) of probabilities, for mask terms on probabilities: the clamped log of 1 − p.</summary>
    private LocalValue LogComplement() => Step("log1mp", KernelCall.Create("Probabilities.ClampedLogOneMinus", Arg("probabilities", Pred)));

    /// <summary>The statistics a region term reads: per image or over the batch.</summary>
    private LocalValue RegionStatistics(BoundTerm term) => RegionStatistics(StatisticsPerImage(term)!.Value);

    /// <summary>
    /// TP, P, T and Nv per channel over the valid pixels: one step for every region term, one more per image. From the
    /// mask (on logits without a sigmoid step), or for labels from the class indices (no one-hot map needed).
    /// </summary>
    private LocalValue RegionStatistics(bool perImage) => Step(perImage ? "statsPerImage" : "stats", (signature.Target, signature.Input) switch
    {
        // On logits, TP and P come from one node with a closed-form gradient: no sigmoid step is needed for them.
        (TargetKind.Mask, InputKind.Logits) => KernelCall.Create("RegionStatistics.ComputeFromLogits",
            Arg("logits", Pred), Arg("target", TargetMap()), Constant("perImage", perImage),
            Constant("crossEntropy", crossEntropyHost?.PerImage == perImage), Constant("posWeight", crossEntropyHost?.PerImage == perImage ? crossEntropyHost.Value.PosWeight : null)),
        (TargetKind.Mask, _) => KernelCall.Create("RegionStatistics.Compute",
            Arg("probabilities", Probabilities()), Arg("target", TargetMap()), Arg("valid", ValidPixels()), Constant("perImage", perImage)),
        _ => KernelCall.Create("RegionStatistics.ComputeFromLabels",
            Arg("probabilities", Probabilities()), Arg("labels", LabelIndices()), Arg("valid", ValidPixels()), Constant("perImage", perImage)),
    });

    /// <summary>
    /// Adds a constant buffer, or shares an equal one already planned (two <c>ssim(11)</c> terms read one window);
    /// different buffers of one kind are numbered: <c>ssimWindow</c>, <c>ssimWindow2</c>.
    /// </summary>
    private LocalValue Buffer(string local, KernelCall call)
    {
        if (buffers.FirstOrDefault(b => b.Call.Equals(call)) is { } existing)
        {
            return new LocalValue(existing.Local);
        }

        var sameKind = buffers.Count(b => b.Call.Kernel == call.Kernel);
        var buffer = new PlanBuffer(sameKind == 0 ? local : local + (sameKind + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), call);
        buffers.Add(buffer);
        return new LocalValue(buffer.Local);
    }

    /// <summary>Adds the step the first time it is asked for; later requests share it.</summary>
    private LocalValue Step(string local, KernelCall call)
    {
        if (!steps.Any(s => s.Local == local))
        {
            steps.Add(new PlanStep(local, call));
        }

        return new LocalValue(local);
    }

    private static KernelArgument Arg(string name, KernelValue value) => new(name, value);

    private static KernelArgument Constant(string name, object? value) => new(name, new ConstantValue(value));

    /// <summary>The loss's name, for kernels whose input checks name it in messages.</summary>
    private KernelArgument LossName() => Constant("loss", name);

    /// <summary>Sizes are declared as numbers the binder has checked to be integers; kernels take them as <c>int</c>.</summary>
    private static int Integer(BoundTerm term, string parameter) => (int)term.Number(parameter);
}
