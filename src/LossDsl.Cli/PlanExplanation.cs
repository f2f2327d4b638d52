using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli;

/// <summary>A constant buffer: built once, when the module is constructed, and read by <see cref="Users"/>.</summary>
internal sealed record ExplainedBuffer(string Local, KernelCall Call, ImmutableArray<string> Users);

/// <summary>
/// A shared step: the values it reads (<c>pred</c>, <c>target</c>, earlier steps), the terms that depend on it directly
/// or through other steps, and its passes over the data (and on its fused CPU path, when it has one).
/// </summary>
internal sealed record ExplainedStep(string Local, KernelCall Call, ImmutableArray<string> Reads, ImmutableArray<string> Users, PassCount Passes, PassCount? FusedCpuPasses);

/// <summary>A term: what it computes in loss syntax (every argument spelled out), its kernel, what that reads, its passes.</summary>
internal sealed record ExplainedTerm(string Name, string Canonical, KernelCall Call, ImmutableArray<string> Reads, PassCount Passes, PassCount? FusedCpuPasses);

/// <summary>
/// What one value of the plan sends across a data-parallel group per forward pass (<c>LossModule.Group</c>): the
/// statistics a step sums, or a term's sum and count; <see cref="Numbers"/> is "3·C", "2", or "-" for a term that cannot
/// be computed across a group (<see cref="How"/> then says why).
/// </summary>
internal sealed record ExplainedGroupPart(string What, string How, string Numbers);

/// <summary>
/// A <see cref="LossPlan"/> for a reader: what is computed once, what each term reads, and how much data each pass moves.
/// <see cref="Passes"/> is the plan's total per forward pass; <see cref="UnsharedPasses"/> what it would be if every
/// term computed the steps it depends on for itself, so the difference is what sharing the steps saves.
/// </summary>
internal sealed record ExplainedPlan(
    string Text,
    string Signature,
    ImmutableArray<ExplainedBuffer> Buffers,
    ImmutableArray<ExplainedStep> Steps,
    ImmutableArray<ExplainedTerm> Terms,
    string Total,
    PassCount Passes,
    PassCount UnsharedPasses)
{
    /// <summary>The side outputs pred declares (deep supervision): the plan then runs once per level.</summary>
    public SignatureLevels? Levels { get; init; }

    /// <summary>The number of spatial dims, which a level stride shrinks.</summary>
    public int SpatialRank { get; init; }

    /// <summary>What the plan sends across a data-parallel group, statistics first, then the terms.</summary>
    public ImmutableArray<ExplainedGroupPart> Group { get; init; } = ImmutableArray<ExplainedGroupPart>.Empty;

    /// <summary>The kernel that gives <c>forward</c> the total itself (<see cref="LossPlan.TotalCall"/>), or null.</summary>
    public KernelCall? TotalCall { get; init; }
}

/// <summary>
/// Builds an <see cref="ExplainedPlan"/>: the analysis behind <c>lossdsl explain</c>, with no printing. It lives with the
/// command line, the only thing that reads it, so the analyzer the package ships does not carry it.
/// </summary>
internal static class PlanExplanation
{
    public static ExplainedPlan Explain(LossPlan plan)
    {
        // Each output names its step: a term reading bceSum depends on the statistics step as one reading stats does.
        var steps = plan.Steps.SelectMany(s => s.Outputs.Select(output => (output, s))).ToDictionary(x => x.output, x => x.s);

        // Every value a term reads, directly or through the steps it reads: what the term would compute alone.
        var needs = plan.Terms.Select(t => Dependencies(t.Call, steps)).ToList();
        ImmutableArray<string> UsersOf(params string[] locals) =>
            plan.Terms.Where((_, i) => locals.Any(needs[i].Contains)).Select(t => t.Name).ToImmutableArray();

        var explainedSteps = plan.Steps
            .Select(s => new ExplainedStep(string.Join(", ", s.Outputs), s.Call, Reads(s.Call),
                UsersOf(s.Outputs.ToArray()), s.Call.Passes(plan.Signature), s.Call.FusedCpuPath?.Passes(plan.Signature)))
            .ToImmutableArray();
        var explainedTerms = plan.Terms
            .Select(t => new ExplainedTerm(t.Name, t.Bound.Canonical, t.Call, Reads(t.Call), t.Call.Passes(plan.Signature), t.Call.FusedCpuPath?.Passes(plan.Signature)))
            .ToImmutableArray();

        var passes = Sum(explainedSteps.Select(s => s.Passes).Concat(explainedTerms.Select(t => t.Passes)));
        var unshared = Sum(plan.Terms.Select(t => Alone(t, plan)));
        return new ExplainedPlan(
            OneLine(plan.Text),
            plan.Signature.Display(),
            plan.Buffers.Select(b => new ExplainedBuffer(b.Local, b.Call, UsersOf(b.Local))).ToImmutableArray(),
            explainedSteps,
            explainedTerms,
            ScalarWalk.Walk(plan.Total, new TotalText(plan)),
            passes,
            unshared)
        {
            Levels = plan.Signature.Levels,
            SpatialRank = plan.Signature.Spatial.Length,
            Group = GroupParts(plan),
            TotalCall = plan.TotalCall,
        };
    }

    /// <summary>
    /// Each step that sums the batch's statistics across the group (TP, P and T per channel, one message), then each
    /// term: its sum and count (one message of two numbers), nothing (read from summed statistics), or why it cannot.
    /// </summary>
    private static ImmutableArray<ExplainedGroupPart> GroupParts(LossPlan plan)
    {
        var perChannel = plan.Signature.Classes is { } classes ? (3 * classes).ToString(System.Globalization.CultureInfo.InvariantCulture) : "3·C";
        var summedSteps = plan.Steps.Where(s => s.Call.Method.Name == nameof(RegionStatisticsCalls.AcrossGroup)).ToList();
        var summed = summedSteps.Select(s => s.Outputs[0]).ToHashSet();
        var statistics = summedSteps.Select(s => new ExplainedGroupPart(s.Outputs[0], $"TP, P and T of {Reads(s.Call)[0]}, per channel", perChannel));
        var terms = plan.Terms.Select(t => t.AcrossGroup switch
        {
            null => new ExplainedGroupPart(t.Name, "nothing more: computed from " + string.Join(", ", Reads(t.Call).Where(summed.Contains)), "0"),
            { Method.Name: nameof(GroupReductionCalls.Unavailable) } call => new ExplainedGroupPart(t.Name, "cannot: " + (string)((ConstantValue)call.Arguments.Single(a => a.Name == "reason").Value).Value!, "-"),
            { Method.Name: nameof(GroupReductionCalls.MeanOverImages) } => new ExplainedGroupPart(t.Name, "its sum over the images and their count", "2"),
            { Method.Name: nameof(GroupReductionCalls.MeanOfCrossEntropy) } => new ExplainedGroupPart(t.Name, "its sum and its denominator (the kept pixels, or their class weights)", "2"),
            _ => new ExplainedGroupPart(t.Name, "its sum over the kept elements and their count", "2"),
        });
        return statistics.Concat(terms).ToImmutableArray();
    }

    /// <summary>
    /// The passes of <paramref name="term"/> planned on its own: its own steps, in the kernels it would get alone (bce
    /// alone runs libtorch's fused kernel, not the statistics node that sums it next to a region term).
    /// </summary>
    private static PassCount Alone(PlanTerm term, LossPlan plan)
    {
        var alone = Planner.Plan(plan.Name, plan.Text, plan.Source, term.Bound, plan.Signature, new LossDsl.Language.Diagnostics.DiagnosticBag())!;
        return Sum(alone.Steps.Select(s => s.Call.Passes(plan.Signature))
            .Concat(alone.Terms.Select(t => t.Call.Passes(plan.Signature))));
    }

    /// <summary>The computed values a call reads, in argument order: <c>pred</c>, <c>target</c>, steps and buffers.</summary>
    private static ImmutableArray<string> Reads(KernelCall call) =>
        call.Arguments.Select(a => a.Value).OfType<LocalValue>().Select(v => v.Name).ToImmutableArray();

    private static HashSet<string> Dependencies(KernelCall call, IReadOnlyDictionary<string, PlanStep> steps)
    {
        var needed = new HashSet<string>();
        var pending = new Stack<string>(Reads(call));
        while (pending.Count > 0)
        {
            var local = pending.Pop();
            if (needed.Add(local) && steps.TryGetValue(local, out var step))
            {
                foreach (var read in Reads(step.Call))
                {
                    pending.Push(read);
                }
            }
        }

        return needed;
    }

    private static PassCount Sum(IEnumerable<PassCount> counts) => counts.Aggregate(default(PassCount), (a, b) => a + b);

    private static string OneLine(string text) =>
        string.Join(" ", text.Split(new[] { '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));

    /// <summary>The folded total in loss syntax: <c>bce + 0.5 * dice</c>.</summary>
    private sealed class TotalText : ScalarText
    {
        public TotalText(LossPlan plan)
            : base(plan)
        {
        }

        public override string Constant(double value) => NumberText.Format(value);

        protected override string Function(ScalarFunction function) => ScalarFunctions.Name(function);

        protected override string Scalar(string name) => name;
    }
}
