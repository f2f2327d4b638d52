using System.Collections.Generic;
using System.Linq;
using System.Text;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli;

/// <summary>
/// How <c>diff</c> prints a <see cref="LossDiff"/> for a reader: what changed in the plan (<c>+</c> added, <c>-</c>
/// removed, <c>~</c> changed), then the unified diff of the generated C#. '\n' line ends on every host.
/// </summary>
internal static class DiffText
{
    public static string Format(IEnumerable<LossDiff> diffs) => string.Join("\n", diffs.Select(Format));

    private static string Format(LossDiff diff)
    {
        var text = new StringBuilder();
        text.Append("loss ").Append(diff.Name).Append(": ");
        if (diff.Change == Change.Unchanged)
        {
            return text.Append(diff.CodeDiff.Length == 0
                ? "unchanged\n"
                : "unchanged plan (only the loss text's spelling differs, and the generated code's comments with it)\n").ToString();
        }

        text.Append(Word(diff.Change)).Append('\n');

        if (diff.Signature is { Changed: true } signature)
        {
            text.Append("  signature: ").Append(signature.Old).Append(" → ").Append(signature.New).Append('\n');
        }

        if (!diff.Terms.IsEmpty)
        {
            text.Append("  terms:\n");
            ExplanationText.Table(text, new[] { "", "term", "change" }, numbers: null, diff.Terms.Select(t => new[] { Mark(t.Change), t.Name, Describe(t) }), indent: "  ");
        }

        if (diff.Total is { Changed: true } total)
        {
            text.Append("  total: ").Append(total.Old).Append(" → ").Append(total.New).Append('\n');
        }

        if (!diff.Steps.IsEmpty)
        {
            text.Append("  shared steps:\n");
            ExplanationText.Table(text, new[] { "", "step", "kernel", "used by" }, numbers: null,
                diff.Steps.Select(s => new[] { Mark(s.Change), s.Step, s.Kernel, Users(s) }), indent: "  ");
        }

        if (diff.Passes is { Changed: true } passes)
        {
            text.Append("  passes per forward pass: ").Append(passes.Old).Append(" → ").Append(passes.New).Append('\n');
        }

        if (diff.CodeDiff.Length > 0)
        {
            text.Append('\n').Append(diff.CodeDiff);
        }

        return text.ToString();
    }

    private static string Word(Change change) => change switch
    {
        Change.Added => "added",
        Change.Removed => "removed",
        _ => "changed",
    };

    private static string Mark(Change change) => change switch
    {
        Change.Added => "+",
        Change.Removed => "-",
        _ => "~",
    };

    /// <summary>An added or removed term as it computes; a changed one by what changed: <c>window: 11 → 7, weight 0.5 → 1</c>.</summary>
    private static string Describe(TermDiff term)
    {
        if (term.Change is Change.Added or Change.Removed)
        {
            var weight = term.Change == Change.Added ? term.NewWeight : term.OldWeight;
            return (term.New ?? term.Old)! + (weight is { } w && w != 1 ? ", weight " + NumberText.Format(w) : "");
        }

        var parts = term.Arguments.Select(a => $"{a.Parameter}: {a.Old} → {a.New}").ToList();
        if (term.OldWeight != term.NewWeight && term.OldWeight is { } oldWeight && term.NewWeight is { } newWeight)
        {
            parts.Add($"weight {NumberText.Format(oldWeight)} → {NumberText.Format(newWeight)}");
        }

        return string.Join(", ", parts);
    }

    private static string Users(StepDiff step) => step.Change switch
    {
        Change.Added => Names(step.NewUsers),
        Change.Removed => Names(step.OldUsers),
        _ => Names(step.OldUsers) + " → " + Names(step.NewUsers),
    };

    private static string Names(IReadOnlyCollection<string> names) => names.Count == 0 ? "-" : string.Join(", ", names);
}
