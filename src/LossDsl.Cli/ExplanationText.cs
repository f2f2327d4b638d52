using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli;

/// <summary>How <c>explain</c> prints an <see cref="ExplainedPlan"/>: aligned tables, '\n' line ends on every host.</summary>
internal static class ExplanationText
{
    /// <param name="plan">The explained plan.</param>
    /// <param name="fromFile">The plan is a definition of a .loss file, whose text starts with <c>loss Name</c> itself.</param>
    public static string Format(ExplainedPlan plan, bool fromFile)
    {
        var text = new StringBuilder();
        text.Append(fromFile ? plan.Text : "loss: " + plan.Text).Append('\n');
        text.Append("signature: ").Append(plan.Signature).Append('\n');

        if (!plan.Buffers.IsEmpty)
        {
            text.Append("\nconstant buffers, built once when the module is constructed:\n");
            Table(text, new[] { "buffer", "kernel", "used by" }, numbers: null, plan.Buffers.Select(b => new[]
            {
                b.Local, KernelCallText.WithArguments(b.Call), Names(b.Users),
            }));
        }

        text.Append("\nshared steps, each computed once per forward pass, in this order:\n");
        Table(text, new[] { "step", "kernel", "passes", "used by" }, numbers: 2,
            plan.Steps.Select(s => new[] { s.Local, Call(s.Call, s.Reads), Passes(s.Passes), Names(s.Users) }));

        text.Append("\nterms:\n");
        Table(text, new[] { "term", "kernel", "passes", "computes" }, numbers: 2,
            plan.Terms.Select(t => new[] { t.Name, Call(t.Call, t.Reads), Passes(t.Passes), t.Canonical }));

        var steps = plan.Steps.Aggregate(default(PassCount), (sum, s) => sum + s.Passes);
        var terms = plan.Terms.Aggregate(default(PassCount), (sum, t) => sum + t.Passes);
        text.Append("\ntotal = ").Append(plan.Total).Append('\n');
        text.Append('\n');
        text.Append($"passes per forward pass: {Passes(plan.Passes)} ({Passes(steps)} in shared steps, {Passes(terms)} in terms)\n");
        text.Append($"with each term computing its own steps: {Passes(plan.UnsharedPasses)}; sharing saves {Passes(plan.UnsharedPasses - plan.Passes)}\n");
        text.Append("(a pass reads or writes one tensor of pred's size, [N, C, *spatial]; k/C counts k of [N, *spatial]; see docs/cli.md)\n");
        return text.ToString();
    }

    /// <summary>"5", or "5 + 20/C" with per-pixel passes: a per-pixel tensor holds 1/C of pred's elements.</summary>
    internal static string Passes(PassCount passes) => passes switch
    {
        { PerPixel: 0 } => Number(passes.Full),
        { Full: 0 } => Number(passes.PerPixel) + "/C",
        _ => $"{Number(passes.Full)} + {Number(passes.PerPixel)}/C",
    };

    private static string Call(KernelCall call, IEnumerable<string> reads) => KernelCallText.Reading(call, reads);

    private static string Names(IReadOnlyCollection<string> names) => names.Count == 0 ? "-" : string.Join(", ", names);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Rows under a header, two spaces apart, indented by two more than <paramref name="indent"/>; the <paramref name="numbers"/> column right-aligned, the last unpadded.</summary>
    internal static void Table(StringBuilder text, string[] header, int? numbers, IEnumerable<string[]> rows, string indent = "")
    {
        var all = new[] { header }.Concat(rows).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, c) => c == row.Length - 1 ? cell : c == numbers ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            text.Append(indent).Append("  ").Append(string.Join("  ", cells).TrimEnd()).Append('\n');
        }
    }
}
