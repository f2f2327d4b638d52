using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// What the plan fuses, decided once before any step is made (the model is the Regex generator's analysis pass): from
/// what each term's lowering asks of the shared inputs, not from a list of primitives kept beside the catalog.
/// </summary>
/// <param name="StatisticsFromLogits">
/// A mask on logits computes its region statistics in the closed-form node on the logits (its own sigmoid, no autograd
/// record), rather than from the shared probabilities: only when no other term reads p. When one does (ssim, boundary,
/// active_contour), one sigmoid shared by all is faster: bce + ssim(11) + iou on 8×1×256×256 took 0.78–0.87x the CPU
/// time of the node plus a second sigmoid (docs/performance.md). The node then also makes the value checks of pred and
/// the mask (finite, in [0, 1]) from the values its pass reads, instead of the checked target's two passes over them.
/// </param>
/// <param name="CrossEntropyHost">
/// The statistics step that also sums bce, with bce's positive weight (the first bce's; a bce with another weight runs
/// its own kernel): the whole-batch statistics when any region term reads them, else the per-image ones. Null when the
/// statistics are not computed from logits or no bce asks.
/// </param>
/// <param name="FocalHost">
/// The statistics step that sums mask focal instead, with its α, γ and channel weights (the first focal's; one with
/// other constants runs its own kernel), chosen as for bce, when no bce is summed there: one node holds one pixel term.
/// </param>
/// <param name="LabelsHost">
/// For class indices on logits, the statistics step (whole-batch when any region term reads it, else per image) as one
/// node on the logits that also sums a pixel term: focal when every focal has one γ and one set of class weights, else
/// ce (the first ce's class weights and label smoothing; a ce with other ones runs its own kernel); only when no other
/// term reads p (which a separate softmax would then compute anyway); a weight map scales the sums and the term's
/// per-pixel values there, as a valid mask does. Null when nothing is summed there. The node then also checks that pred
/// is finite, from the logits its pass reads, instead of the checked labels' pass over them.
/// </param>
internal sealed record FusionAnalysis(
    bool StatisticsFromLogits, (bool PerImage, double? PosWeight)? CrossEntropyHost, (bool PerImage, MaskFocalTerm Term)? FocalHost,
    (bool PerImage, LabelsPixelTerm Term)? LabelsHost)
{
    public static FusionAnalysis Analyze(IEnumerable<BoundTerm> terms, LossSignature signature)
    {
        var requests = new InputRequests(signature);
        foreach (var term in terms)
        {
            term.Primitive.Lower(requests, term);
        }

        // The closed-form node scales its sums by a valid mask or a weight map, the pixel term's with them (LOSSES.md: bce
        // and focal are Σ valid·w·ℓ / Nv), so it hosts bce or focal with maps too.
        var fromLogits = signature.Target == TargetKind.Mask && signature.Input == InputKind.Logits
            && requests.Statistics.Count > 0 && !requests.ReadsProbabilities;
        var perImage = requests.Statistics.All(statisticsPerImage => statisticsPerImage);
        var crossEntropyHost = fromLogits && requests.CrossEntropyWeights.Count > 0 ? (perImage, requests.CrossEntropyWeights[0]) : ((bool, double?)?)null;
        var focalHost = fromLogits && crossEntropyHost is null && requests.FocalConstants.Count > 0
            ? (perImage, requests.FocalConstants[0])
            : ((bool, MaskFocalTerm)?)null;
        var labelsHosts = signature.Target == TargetKind.Labels && signature.Input == InputKind.Logits
            && requests.Statistics.Count > 0 && !requests.ReadsProbabilities;
        // A focal the node does not sum reads p and log p through its own kernels, a ce only log p: so focal is summed when
        // every focal has one γ and one set of class weights (a ce beside it takes a log-softmax), else the first ce.
        var focals = requests.LabelsFocals;
        var labelsHost = !labelsHosts ? ((bool, LabelsPixelTerm)?)null
            : focals.Count > 0 && focals.All(focals[0].Sums) ? (perImage, focals[0])
            : requests.LabelsCrossEntropies.Count > 0 ? (perImage, requests.LabelsCrossEntropies[0])
            : null;
        return new FusionAnalysis(fromLogits, crossEntropyHost, focalHost, labelsHost);
    }

    /// <summary>
    /// Each statistics node of <paramref name="steps"/> that can (<see cref="RegionStatisticsCalls.EvaluatesRegionTerms"/>),
    /// made to evaluate the closed forms of the region terms that read its statistics (<see cref="KernelCall.RegionTerm"/>:
    /// dice, iou and tversky without squared_pred, micro averaging or soft labels), directly or summed across the group.
    /// Each such term is otherwise an autograd node of its own: on an AVX-512 Xeon, one thread, bce + dice + iou took
    /// 0.611 ms a step with two such nodes and 0.581 ms without (focal + dice and ce + dice, one term: 1-2 %). The terms'
    /// calls stay as they are: each takes the value the node evaluated, or computes itself where the node could not
    /// (statistics summed across a data-parallel group, tensors the node's CPU pass does not take).
    /// </summary>
    public static ImmutableArray<PlanStep> EvaluateRegionTermsInStatistics(ImmutableArray<PlanStep> steps, IReadOnlyList<PlanTerm> terms) =>
        steps.Select(step =>
        {
            if (!RegionStatisticsCalls.EvaluatesRegionTerms(step.Call))
            {
                return step;
            }

            var statistics = new LocalValue(step.Outputs[0]);
            var acrossGroup = RegionStatisticsCalls.AcrossGroup(statistics, PlanInputs.Group);
            var read = steps.Where(s => s.Call.Equals(acrossGroup)).Select(s => new LocalValue(s.Outputs[0])).Append(statistics).ToList();
            var closedForms = terms.Where(t => t.Call.RegionTerm is not null && t.Call.Arguments.Any(a => a.Value is LocalValue local && read.Contains(local)))
                .Select(t => t.Call.RegionTerm!).ToImmutableArray();
            return closedForms.IsEmpty ? step : step with { Call = RegionStatisticsCalls.WithRegionTerms(step.Call, closedForms) };
        }).ToImmutableArray();

    /// <summary>
    /// The whole loss as one call of the statistics node on logits (<see cref="RegionStatisticsCalls.Total"/>), which
    /// <c>forward</c> makes instead of the steps and the terms: when the total adds up, with constant factors none of which
    /// is 0, only terms that node computes (its pixel term's mean over every element or pixel, and the region terms it
    /// evaluates), for one prediction without a valid mask, an ignore index or a weight map: a mask's node, or the node of
    /// class indices (ce without class weights, or focal). The node then returns the loss itself, and nothing runs
    /// after it, forward or backward: on an AVX-512 Xeon, one thread, 14 % off a <c>focal + dice</c> step (a split, views,
    /// a division, a product and a sum, each libtorch's dispatch and an autograd node). Null otherwise. <c>Terms</c> and
    /// the unreduced values always take the steps and the terms, and so does <c>forward</c> where the node cannot (a
    /// data-parallel group, tensors its one-pass kernel does not take).
    /// </summary>
    public static KernelCall? TotalInStatistics(LossSignature signature, ImmutableArray<PlanStep> steps, IReadOnlyList<PlanTerm> terms, ScalarNode total)
    {
        var hosts = steps.Where(step => RegionStatisticsCalls.EvaluatesRegionTerms(step.Call)).ToList();
        if (signature.Levels is not null || hosts.Count != 1 || LinearForm.Of(total, terms.Count) is not { } form || form.Factors.Contains(0))
        {
            return null;
        }

        var host = hosts[0];
        var evaluated = RegionStatisticsCalls.RegionTermsOf(host.Call);
        var pixelTermFactor = 0.0;
        var regionTermFactors = new double[evaluated.Length];
        for (var i = 0; i < terms.Count; i++)
        {
            var closedForm = terms[i].Call.RegionTerm is { } regionTerm ? evaluated.IndexOf(regionTerm) : -1;
            if (host.Outputs.Length > 1 && PixelLossesCalls.IsMeanOverEveryPixel(terms[i].Call, new LocalValue(host.Outputs[1]), RegionStatisticsCalls.LabelsOf(host.Call)))
            {
                pixelTermFactor += form.Factors[i];
            }
            else if (closedForm >= 0)
            {
                regionTermFactors[closedForm] += form.Factors[i];
            }
            else
            {
                return null;
            }
        }

        return RegionStatisticsCalls.Total(host.Call, pixelTermFactor, regionTermFactors.ToImmutableArray(), form.Constant);
    }

    /// <summary>
    /// The labels' range check of each <see cref="InputsCalls.Labels"/> step handed to the statistics node of class indices
    /// (<see cref="RegionStatisticsCalls.ReadsEveryLabel"/>) when that node is the first step to read the labels (terms run
    /// after every step): its pass loads every label anyway, and a label that is not a class index matches no class there,
    /// so nothing reads by it before the check. Otherwise the labels' step checks them, before any gather or scatter does.
    /// On an AVX-512 Xeon, one thread, the check's own pass was 5 % of a ce + dice step.
    /// </summary>
    public static ImmutableArray<PlanStep> CheckLabelsInStatistics(ImmutableArray<PlanStep> steps)
    {
        var handed = steps.ToBuilder();
        for (var i = 0; i < steps.Length; i++)
        {
            if (!InputsCalls.IsLabels(steps[i].Call))
            {
                continue;
            }

            var labels = new LocalValue(steps[i].Outputs[0]);
            var reader = Enumerable.Range(i + 1, steps.Length - i - 1).FirstOrDefault(k => steps[k].Call.Arguments.Any(a => Equals(a.Value, labels)));
            if (reader > i && RegionStatisticsCalls.ReadsEveryLabel(steps[reader].Call))
            {
                handed[i] = steps[i] with { Call = InputsCalls.LeavingRangeToNode(steps[i].Call) };
                handed[reader] = steps[reader] with { Call = RegionStatisticsCalls.CheckingLabels(steps[reader].Call) };
            }
        }

        return handed.ToImmutable();
    }

    /// <summary>Records what a lowering reads; every value it hands out is a placeholder, and nothing is planned.</summary>
    private sealed class InputRequests(LossSignature signature) : IPlanInputs
    {
        private static readonly LocalValue Placeholder = new("analysis");

        public HashSet<bool> Statistics { get; } = new();

        public List<double?> CrossEntropyWeights { get; } = new();

        public List<MaskFocalTerm> FocalConstants { get; } = new();

        public List<LabelsPixelTerm> LabelsCrossEntropies { get; } = new();

        public List<LabelsPixelTerm> LabelsFocals { get; } = new();

        public bool ReadsProbabilities { get; private set; }

        public LossSignature Signature => signature;

        public string LossName => string.Empty;

        public LocalValue Pred => Placeholder;

        public LocalValue TargetMap() => Placeholder;

        public LocalValue LabelIndices() => Placeholder;

        public LocalValue? ValidPixels() => Placeholder;

        public LocalValue? PixelWeights() => Placeholder;

        public LocalValue Probabilities()
        {
            ReadsProbabilities = true;
            return Placeholder;
        }

        public LocalValue LogProbabilities() => Placeholder;

        public LocalValue LogComplement() => Placeholder;

        // Statistics of another activation than the signature's are a step of their own, on their own probabilities.
        public LocalValue RegionStatistics(bool perImage, Activation activation)
        {
            if (activation.IsSignatureDefault(signature))
            {
                Statistics.Add(perImage);
            }

            return Placeholder;
        }

        public LocalValue? CrossEntropySum(double? posWeight)
        {
            CrossEntropyWeights.Add(posWeight);
            return null;
        }

        public LocalValue? FocalSum(double alpha, double gamma, ImmutableArray<double>? channelWeights)
        {
            FocalConstants.Add(new MaskFocalTerm(alpha, gamma, channelWeights));
            return null;
        }

        public LocalValue? LabelsCrossEntropySum(ImmutableArray<double>? classWeights, double labelSmoothing)
        {
            LabelsCrossEntropies.Add(new LabelsPixelTerm(null, classWeights, labelSmoothing));
            return null;
        }

        // A placeholder, not null: focal's own kernel reads p, which would count against every host.
        public LocalValue? LabelsFocalSum(double gamma, ImmutableArray<double>? classWeights)
        {
            LabelsFocals.Add(new LabelsPixelTerm(gamma, classWeights, 0));
            return Placeholder;
        }

        public LocalValue Buffer(string local, KernelCall call) => Placeholder;
    }
}
