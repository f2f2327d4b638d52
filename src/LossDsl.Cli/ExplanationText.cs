using System;
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
        var perLevel = plan.Levels is not null;
        if (plan.Levels is { } levels)
        {
            Levels(text, levels, plan.SpatialRank);
        }

        if (!plan.Buffers.IsEmpty)
        {
            text.Append("\nconstant buffers, built once when the module is constructed:\n");
            Table(text, new[] { "buffer", "kernel", "used by" }, numbers: null, plan.Buffers.Select(b => new[]
            {
                b.Local, KernelCallText.WithArguments(b.Call), Names(b.Users),
            }));
        }

        text.Append(perLevel ? "\nshared steps, each computed once per level, in this order:\n" : "\nshared steps, each computed once per forward pass, in this order:\n");
        Table(text, new[] { "step", "kernel", "passes", "used by" }, numbers: 2,
            plan.Steps.Select(s => new[] { s.Local, Call(s.Call, s.Reads), Passes(s.Passes), Names(s.Users) }));

        text.Append("\nterms:\n");
        Table(text, new[] { "term", "kernel", "passes", "computes" }, numbers: 2,
            plan.Terms.Select(t => new[] { t.Name, Call(t.Call, t.Reads), Passes(t.Passes), t.Canonical }));

        text.Append(perLevel
            ? "\nacross a data-parallel group (LossModule.Group), each process sends per level and forward pass:\n"
            : "\nacross a data-parallel group (LossModule.Group), each process sends per forward pass:\n");
        Table(text, new[] { "value", "sums across the group", "numbers" }, numbers: 2, plan.Group.Select(g => new[] { g.What, g.How, g.Numbers }));
        if (plan.Group.Any(g => g.Numbers == "-"))
        {
            text.Append("(with a group, such a term throws: it has no exact form from per-process sums)\n");
        }

        var steps = plan.Steps.Aggregate(default(PassCount), (sum, s) => sum + s.Passes);
        var terms = plan.Terms.Aggregate(default(PassCount), (sum, t) => sum + t.Passes);
        text.Append(perLevel ? "\ntotal_k = " : "\ntotal = ").Append(plan.Total).Append('\n');
        if (perLevel)
        {
            text.Append("total = Σ_k w_k · total_k\n");
        }

        if (plan.TotalCall is { } totalCall)
        {
            text.Append($"forward: the total itself from {totalCall.Kernel}, one autograd node, without a group and on the tensors its pass takes; Terms evaluates each term\n");
        }

        text.Append('\n');
        text.Append(perLevel
            ? $"passes per level, at the level's size: {Passes(plan.Passes)} ({Passes(steps)} in shared steps, {Passes(terms)} in terms)\n"
            : $"passes per forward pass: {Passes(plan.Passes)} ({Passes(steps)} in shared steps, {Passes(terms)} in terms)\n");
        text.Append($"with each term computing its own steps: {Passes(plan.UnsharedPasses)}; sharing saves {Passes(plan.UnsharedPasses - plan.Passes)}\n");
        var fused = plan.Steps.Where(s => s.FusedCpuPasses is not null).Select(s => (s.Local, s.Call, s.Passes, Fused: s.FusedCpuPasses!.Value))
            .Concat(plan.Terms.Where(t => t.FusedCpuPasses is not null).Select(t => (Local: t.Name, t.Call, t.Passes, Fused: t.FusedCpuPasses!.Value)))
            .ToList();
        if (fused.Count > 0)
        {
            var saved = fused.Aggregate(default(PassCount), (sum, s) => sum + s.Passes - s.Fused);
            var each = string.Join("; ", fused.Select(s => $"{s.Local}: {s.Call.FusedCpuPath!.Kind}, {Passes(s.Fused)} instead of {Passes(s.Passes)}"));
            text.Append($"on contiguous float32/float64 CPU tensors: {Passes(plan.Passes - saved)} ({each})\n");
        }

        text.Append("(a pass reads or writes one tensor of pred's size, [N, C, *spatial]; k/C counts k of [N, *spatial]; see docs/cli.md)\n");
        return text.ToString();
    }

    /// <summary>The per-level plan of deep supervision: how many levels, their weights, how sizes are matched, the term names.</summary>
    private static void Levels(StringBuilder text, SignatureLevels levels, int spatialRank)
    {
        var count = levels.Count ?? (levels.Weighting == LevelWeighting.List ? levels.List.Length : null);
        text.Append("\ndeep supervision, the plan below once per level:\n");
        text.Append(count is { } k
            ? $"  levels   {k}: the main output (level 0), then {k - 1} side output{(k == 2 ? string.Empty : "s")}\n"
            : "  levels   as many as each call gives: the main output (level 0), then its side outputs\n");
        var shown = count ?? 5;
        var weights = string.Join(", ", Enumerable.Range(0, shown).Select(level => NumberText.Format(levels.Weight(level))));
        text.Append($"  weights  w_k = {weights}{(count is null ? ", ..." : string.Empty)}\n");
        text.Append(levels.Resize == ResizePolicy.Target
            ? "  resize   the target (and any weight map and valid mask) to each level's size, nearest-exact\n"
            : "  resize   each level's pred to the target's size, multilinear (align_corners=False)\n");
        text.Append(Work(levels, count, spatialRank));
        text.Append("  terms    named level{k}/{term}: level0/bce is the main output's bce\n");
    }

    /// <summary>How much data the levels move together, as a multiple of level 0's passes below, where it is known.</summary>
    private static string Work(SignatureLevels levels, int? count, int spatialRank)
    {
        if (levels.Resize == ResizePolicy.Pred)
        {
            return count is { } k
                ? $"  work     every level at the target's size: {k} times the passes below\n"
                : "  work     every level at the target's size: the passes below once per level\n";
        }

        if (levels.Stride is not { } stride || count is not { } levelCount)
        {
            return "  work     each level at its own size, which the call gives\n";
        }

        // Level k holds 1/stride^(k·rank) of level 0's pixels.
        var factor = Enumerable.Range(0, levelCount).Sum(k => Math.Pow(stride, -k * spatialRank));
        return $"  work     level k has 1/{stride}^k of each of the {spatialRank} spatial dims: {factor.ToString("0.###", CultureInfo.InvariantCulture)} times the passes below in all\n";
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
