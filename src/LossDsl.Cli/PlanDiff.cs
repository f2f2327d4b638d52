using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using DiffPlex.Renderer;
using LossDsl.Language.Emit;
using LossDsl.Language.Plan;
using LossDsl.Language.Primitives;

namespace LossDsl.Cli;

/// <summary>What happened to a loss, a term or a shared step between the old and the new text.</summary>
internal enum Change
{
    Unchanged,
    Added,
    Removed,
    Changed,
}

/// <summary>An argument of a term whose value changed (defaults included: <c>ssim(11)</c> to <c>ssim(7)</c> is window 11 → 7).</summary>
internal sealed record ArgumentDiff(string Parameter, string Old, string New);

/// <summary>
/// A term by its name in <c>Terms()</c>: added, removed, or changed in its arguments or its weight in the total. A
/// weight is null where the total is not linear in the terms (then <see cref="LossDiff.Total"/> shows the change).
/// </summary>
internal sealed record TermDiff(string Name, Change Change, string? Old, string? New, ImmutableArray<ArgumentDiff> Arguments, double? OldWeight, double? NewWeight);

/// <summary>
/// A shared step, identified by its kernel and arguments: computed in only one of the plans, or shared by other
/// terms (sharing gained or lost).
/// </summary>
internal sealed record StepDiff(string Step, string Kernel, Change Change, ImmutableArray<string> OldUsers, ImmutableArray<string> NewUsers);

/// <summary>An old and a new value, equal when nothing changed.</summary>
internal sealed record Versions<T>(T Old, T New)
{
    public bool Changed => !EqualityComparer<T>.Default.Equals(Old, New);
}

/// <summary>
/// One loss compared: for a loss in both texts, what changed in its plan (signature, terms, total, sharing, passes) and
/// the unified diff of its generated C# (not empty for a respelled loss whose plan is unchanged); for a loss in only one, its plan's terms as added or removed.
/// </summary>
internal sealed record LossDiff(
    string Name,
    Change Change,
    Versions<string>? Signature,
    ImmutableArray<TermDiff> Terms,
    Versions<string>? Total,
    ImmutableArray<StepDiff> Steps,
    Versions<string>? Passes,
    string CodeDiff);

/// <summary>
/// Compares two sets of planned losses, as <c>lossdsl diff</c> reports them: definitions matched by name (or the only
/// loss on each side with each other), terms by their names in <c>Terms()</c>, shared steps by kernel and arguments.
/// </summary>
internal static class PlanDiff
{
    public static ImmutableArray<LossDiff> Compare(IReadOnlyList<PlannedLoss> old, IReadOnlyList<PlannedLoss> @new)
    {
        if (old.Count == 1 && @new.Count == 1)
        {
            return ImmutableArray.Create(Compare(old[0], @new[0]));
        }

        var oldByName = old.ToDictionary(p => p.Plan.Name);
        var newByName = @new.ToDictionary(p => p.Plan.Name);
        return old.Select(p => newByName.TryGetValue(p.Plan.Name, out var n) ? Compare(p, n) : OneSide(p, Change.Removed))
            .Concat(@new.Where(p => !oldByName.ContainsKey(p.Plan.Name)).Select(p => OneSide(p, Change.Added)))
            .ToImmutableArray();
    }

    private static LossDiff Compare(PlannedLoss oldLoss, PlannedLoss newLoss)
    {
        var (old, @new) = (oldLoss.Plan, newLoss.Plan);
        var oldExplained = PlanExplanation.Explain(old);
        var newExplained = PlanExplanation.Explain(@new);

        var terms = CompareTerms(old, @new);
        var steps = CompareSteps(oldExplained, newExplained);
        var signature = new Versions<string>(oldExplained.Signature, newExplained.Signature);
        var total = new Versions<string>(oldExplained.Total, newExplained.Total);
        var passes = new Versions<string>(ExplanationText.Passes(oldExplained.Passes), ExplanationText.Passes(newExplained.Passes));
        var code = Code(oldLoss, newLoss);

        // The plan is all the generated code depends on but the loss text itself (comments, spans, the Source
        // constant): a respelled loss is unchanged, though its code diff is not empty.
        var changed = signature.Changed || total.Changed || passes.Changed
            || terms.Any(t => t.Change != Change.Unchanged) || steps.Any(s => s.Change != Change.Unchanged);
        return new LossDiff(
            @new.Name,
            changed ? Change.Changed : Change.Unchanged,
            signature,
            terms.Where(t => t.Change != Change.Unchanged).ToImmutableArray(),
            total,
            steps.Where(s => s.Change != Change.Unchanged).ToImmutableArray(),
            passes,
            code);
    }

    private static LossDiff OneSide(PlannedLoss loss, Change change)
    {
        var weights = TermWeights.Of(loss.Plan);
        var terms = loss.Plan.Terms.Select((t, i) => new TermDiff(
            t.Name,
            change,
            change == Change.Removed ? t.Bound.Canonical : null,
            change == Change.Added ? t.Bound.Canonical : null,
            ImmutableArray<ArgumentDiff>.Empty,
            change == Change.Removed ? Weight(weights, i) : null,
            change == Change.Added ? Weight(weights, i) : null));
        return new LossDiff(loss.Plan.Name, change, null, terms.ToImmutableArray(), null, ImmutableArray<StepDiff>.Empty, null, "");
    }

    private static ImmutableArray<TermDiff> CompareTerms(LossPlan old, LossPlan @new)
    {
        var oldWeights = TermWeights.Of(old);
        var newWeights = TermWeights.Of(@new);
        var oldIndex = old.Terms.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var newIndex = @new.Terms.Select((t, i) => (t.Name, i)).ToDictionary(x => x.Name, x => x.i);

        var diffs = new List<TermDiff>();
        foreach (var (term, i) in old.Terms.Select((t, i) => (t, i)))
        {
            if (!newIndex.TryGetValue(term.Name, out var j))
            {
                diffs.Add(new TermDiff(term.Name, Change.Removed, term.Bound.Canonical, null, ImmutableArray<ArgumentDiff>.Empty, Weight(oldWeights, i), null));
                continue;
            }

            var other = @new.Terms[j];
            var arguments = term.Bound.Arguments.Zip(other.Bound.Arguments)
                .Where(pair => pair.First.Value.Display != pair.Second.Value.Display && !(term.Bound.Repeats(pair.First) && other.Bound.Repeats(pair.Second)))
                .Select(pair => new ArgumentDiff(pair.First.Parameter.Name, pair.First.Value.Display, pair.Second.Value.Display))
                .ToImmutableArray();
            var (oldWeight, newWeight) = (Weight(oldWeights, i), Weight(newWeights, j));
            var change = arguments.IsEmpty && oldWeight == newWeight ? Change.Unchanged : Change.Changed;
            diffs.Add(new TermDiff(term.Name, change, term.Bound.Canonical, other.Bound.Canonical, arguments, oldWeight, newWeight));
        }

        diffs.AddRange(@new.Terms.Select((t, j) => (t, j)).Where(x => !oldIndex.ContainsKey(x.t.Name)).Select(x =>
            new TermDiff(x.t.Name, Change.Added, null, x.t.Bound.Canonical, ImmutableArray<ArgumentDiff>.Empty, null, Weight(newWeights, x.j))));
        return diffs.ToImmutableArray();
    }

    private static double? Weight(IReadOnlyDictionary<int, double>? weights, int index) =>
        weights is null ? null : weights.GetValueOrDefault(index);

    // Steps in the old plan's order, then those only the new plan has; a step is the same step when it calls the same
    // kernel with the same arguments, whatever it is named. The region terms a statistics node evaluates follow from the
    // terms that read it, so they do not make it another step: a term joining one changes its users and its region terms.
    // Failing that, a step of the same kernel under the same name is that step changed (the checked target, whose value
    // checks a statistics node took over).
    private static ImmutableArray<StepDiff> CompareSteps(ExplainedPlan old, ExplainedPlan @new)
    {
        var newByKernel = @new.Steps.ToDictionary(s => Identity(s.Call));
        var oldKernels = old.Steps.Select(s => Identity(s.Call)).ToHashSet();
        var renamed = old.Steps.Where(s => !newByKernel.ContainsKey(Identity(s.Call)))
            .Select(s => (Old: s, New: @new.Steps.FirstOrDefault(n => n.Local == s.Local && n.Call.Method == s.Call.Method && !oldKernels.Contains(Identity(n.Call)))))
            .Where(pair => pair.New is not null)
            .ToDictionary(pair => pair.Old, pair => pair.New!);
        var diffs = old.Steps.Select(s =>
        {
            if (!newByKernel.TryGetValue(Identity(s.Call), out var other) && !renamed.TryGetValue(s, out other))
            {
                return new StepDiff(s.Local, KernelCallText.WithConstants(s.Call), Change.Removed, s.Users, ImmutableArray<string>.Empty);
            }

            var kernel = KernelCallText.WithConstants(other.Call);
            var change = s.Users.SequenceEqual(other.Users) && kernel == KernelCallText.WithConstants(s.Call) ? Change.Unchanged : Change.Changed;
            return new StepDiff(other.Local, kernel, change, s.Users, other.Users);
        });
        return diffs.Concat(@new.Steps
                .Where(s => !oldKernels.Contains(Identity(s.Call)) && !renamed.ContainsValue(s))
                .Select(s => new StepDiff(s.Local, KernelCallText.WithConstants(s.Call), Change.Added, ImmutableArray<string>.Empty, s.Users)))
            .ToImmutableArray();
    }

    private static string Identity(KernelCall call) =>
        KernelCallText.WithConstants(RegionStatisticsCalls.EvaluatesRegionTerms(call) ? RegionStatisticsCalls.WithRegionTerms(call, ImmutableArray<KernelCall>.Empty) : call);

    /// <summary>The unified diff of the two generated classes, as <c>lossdsl emit</c> prints them; empty when equal.</summary>
    private static string Code(PlannedLoss old, PlannedLoss @new)
    {
        var file = @new.Plan.Name + ".g.cs";
        return UnidiffRenderer.GenerateUnidiff(Emit(old), Emit(@new), "a/" + file, "b/" + file, ignoreWhitespace: false)
            .Replace("\r\n", "\n");
    }

    private static string Emit(PlannedLoss loss) =>
        CSharpEmitter.Emit(loss.Plan, new GeneratedType(null, ImmutableArray<string>.Empty, loss.Plan.Name, "public sealed partial"), loss.FileName);
}
