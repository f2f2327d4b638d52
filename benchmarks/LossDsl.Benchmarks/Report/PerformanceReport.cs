using System.Globalization;
using System.Text;
using LossDsl.Benchmarks.Cases;

namespace LossDsl.Benchmarks.Report;

/// <summary>
/// Writes the measured part of docs/performance.md: the text between <c>&lt;!-- results:begin --&gt;</c> and
/// <c>&lt;!-- results:end --&gt;</c> is replaced; the analysis around it is written by people.
/// </summary>
public static class PerformanceReport
{
    /// <summary>Label of PyTorch's rows.</summary>
    public const string PyTorchLabel = "PyTorch eager";

    private const string Begin = "<!-- results:begin -->";
    private const string End = "<!-- results:end -->";
    private const string HandWritten = nameof(Implementation.HandWritten);
    private const string Generated = nameof(Implementation.Generated);
    private const string Compiled = nameof(Implementation.Compiled);

    private static readonly string[] FastTwo = { "bce + dice + iou", "bce + ssim(11) + iou" };

    /// <summary>Replaces the results section of <paramref name="markdownPath"/> with <paramref name="results"/>.</summary>
    public static void Write(string markdownPath, BenchmarkResults results)
    {
        var text = File.ReadAllText(markdownPath);
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException($"{markdownPath} needs the markers {Begin} and {End}.");
        }

        var updated = text[..(start + Begin.Length)] + "\n" + Section(results) + text[end..];
        File.WriteAllText(markdownPath, updated);
    }

    /// <summary>The generated markdown.</summary>
    public static string Section(BenchmarkResults r)
    {
        var md = new StringBuilder();
        var m = r.Machine;
        md.AppendLine(Inv($"Measured on {m.Cores} cores (`nproc`), CPU \"{m.Cpu}\", {m.MemoryGiB} GiB memory, {m.OperatingSystem}; {m.Runtime}, {m.TorchSharp}; PyTorch {r.PyTorch.TorchVersion} (Debian python3-torch) with {r.PyTorch.Threads} threads. Load average when the run started: {m.LoadAverageAtStart} (the machine is shared). The whole run took {r.DurationMinutes:0.0} minutes."));
        md.AppendLine();
        md.AppendLine("Forward + backward (`autograd.grad` of the loss with respect to pred), float32, CPU, torch threads = cores; binary 8 x 1 x 256 x 256, multiclass 4 x 5 x 128 x 128. Ratios are to the hand-written TorchSharp baseline and to PyTorch eager of the same loss, lower is better. Peak native memory: the resident-set peak of one step above the resident set before it (see \"How memory is measured\").");
        md.AppendLine();
        md.AppendLine("| Loss | Implementation | Median (ms) | x hand-written | x PyTorch | Peak native (MiB) | x hand-written peak | Managed alloc/op (KiB) |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var lossCase in r.Timings.Select(t => t.Case).Distinct())
        {
            var hand = Time(r, lossCase, HandWritten);
            var torch = r.PyTorch.Results.FirstOrDefault(p => p.Case == lossCase);
            var handPeak = Peak(r, lossCase, HandWritten);
            foreach (var timing in r.Timings.Where(t => t.Case == lossCase))
            {
                var peak = Peak(r, lossCase, timing.Label);
                md.AppendLine(Inv($"| {lossCase} | {timing.Label} | {timing.MedianMs:0.00} | {Ratio(timing.MedianMs, hand)} | {Ratio(timing.MedianMs, torch?.MedianMs)} | {MiB(peak)} | {Ratio(peak, handPeak)} | {(timing.AllocatedBytes is { } a ? (a / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : "-")} |"));
            }

            if (torch is not null)
            {
                md.AppendLine(Inv($"| {lossCase} | {PyTorchLabel} | {torch.MedianMs:0.00} | {Ratio(torch.MedianMs, hand)} | 1.00 | {MiB(torch.PeakBytes)} | {Ratio(torch.PeakBytes, handPeak)} | - |"));
            }
        }

        md.AppendLine();
        md.AppendLine("![Forward + backward time relative to the hand-written TorchSharp baseline](images/performance.png)");
        md.AppendLine();
        AppendTargets(md, r);
        AppendFilters(md, r);
        AppendGenerator(md, r);
        md.AppendLine("Checks run before timing (every measured module against the generated one, values and gradients):");
        md.AppendLine();
        foreach (var check in r.Checks)
        {
            md.AppendLine("- " + check);
        }

        md.AppendLine();
        return md.ToString();
    }

    private static void AppendTargets(StringBuilder md, BenchmarkResults r)
    {
        md.AppendLine("### Targets (issue 8), this run");
        md.AppendLine();
        md.AppendLine("| Target | Measured | Met |");
        md.AppendLine("| --- | ---: | --- |");
        void Row(string target, double? measured, double limit) =>
            md.AppendLine(Inv($"| {target} | {(measured is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-")} | {(measured is { } x ? (x <= limit ? "yes" : Inv($"no, {x / limit:0.0}x over")) : "not measured")} |"));

        foreach (var (lossCase, hand, torch) in new[] { (FastTwo[0], 0.2, 0.5), (FastTwo[1], 0.15, 0.15) })
        {
            Row(Inv($"`{lossCase}` generated <= {hand}x hand-written"), Against(r, lossCase, Generated, HandWritten), hand);
            Row(Inv($"`{lossCase}` generated <= {torch}x PyTorch"), AgainstPyTorch(r, lossCase), torch);
        }

        foreach (var lossCase in r.Timings.Select(t => t.Case).Distinct().Except(FastTwo))
        {
            Row($"`{lossCase}` generated <= 1.0x hand-written", Against(r, lossCase, Generated, HandWritten), 1.0);
            Row($"`{lossCase}` generated <= 0.7x PyTorch", AgainstPyTorch(r, lossCase), 0.7);
        }

        foreach (var lossCase in FastTwo)
        {
            Row($"`{lossCase}` generated peak native memory <= 0.6x hand-written", (double?)Peak(r, lossCase, Generated) / Peak(r, lossCase, HandWritten), 0.6);
        }

        foreach (var lossCase in r.Timings.Select(t => t.Case).Distinct())
        {
            Row($"`{lossCase}` run-time compiled <= 1.15x generated", Against(r, lossCase, Compiled, Generated), 1.15);
        }

        md.AppendLine();
        foreach (var variant in r.Timings.Where(t => t.Label is not (Generated or Compiled or HandWritten)))
        {
            md.AppendLine(Inv($"Proposal `{variant.Label}` on `{variant.Case}`: {Against(r, variant.Case, variant.Label, HandWritten):0.00}x hand-written, {variant.MedianMs / r.PyTorch.Results.FirstOrDefault(p => p.Case == variant.Case)?.MedianMs:0.00}x PyTorch, {Against(r, variant.Case, variant.Label, Generated):0.00}x the generated module."));
            md.AppendLine();
        }
    }

    private static void AppendFilters(StringBuilder md, BenchmarkResults r)
    {
        md.AppendLine("### Gaussian filter formulations");
        md.AppendLine();
        md.AppendLine("SSIM's five maps of the binary shape stacked as [8, 5, 256, 256], 11 taps, sigma 1.5, forward + backward, float32.");
        md.AppendLine();
        md.AppendLine("| Formulation | Median (ms) | x 2-D convolution |");
        md.AppendLine("| --- | ---: | ---: |");
        var conv = r.Filters.FirstOrDefault(f => f.Formulation == "Conv2d")?.MedianMs;
        foreach (var filter in r.Filters.OrderBy(f => f.MedianMs))
        {
            md.AppendLine(Inv($"| {filter.Formulation} | {filter.MedianMs:0.00} | {Ratio(filter.MedianMs, conv)} |"));
        }

        md.AppendLine();
    }

    private static void AppendGenerator(StringBuilder md, BenchmarkResults r)
    {
        var g = r.Generator;
        md.AppendLine("### Generator cost (issue 7)");
        md.AppendLine();
        md.AppendLine(Inv($"{g.GeneratedFiles} declarations (250 `[Loss]` attributes in one C# file, 250 definitions in one `.loss` file) through `CSharpGeneratorDriver`."));
        md.AppendLine();
        md.AppendLine("| Run | Time (ms) | Target | Met |");
        md.AppendLine("| --- | ---: | ---: | --- |");
        md.AppendLine(Inv($"| first run in the process (JIT included) | {g.FirstRunMs:0.0} | - | - |"));
        md.AppendLine(Inv($"| cold: new driver, median | {g.ColdMs:0.0} | < 200 | {(g.ColdMs < 200 ? "yes" : "no")} |"));
        md.AppendLine(Inv($"| unrelated edit: incremental rerun, median | {g.UnrelatedEditMs:0.00} | < 5 | {(g.UnrelatedEditMs < 5 ? "yes" : "no")} |"));
        md.AppendLine(Inv($"| unrelated edit, the 250 attributes only | {g.EditAttributesOnlyMs:0.00} | - | - |"));
        md.AppendLine(Inv($"| unrelated edit, the .loss file only | {g.EditLossFileOnlyMs:0.00} | - | - |"));
        md.AppendLine(Inv($"| unrelated edit, no declaration (the driver's own cost) | {g.EditNoDeclarationsMs:0.00} | - | - |"));
        md.AppendLine();
        md.AppendLine($"After the unrelated edit the generator's source outputs were: {g.EditOutputs}.");
        md.AppendLine();
    }

    private static double? Time(BenchmarkResults r, string lossCase, string label) =>
        r.Timings.FirstOrDefault(t => t.Case == lossCase && t.Label == label)?.MedianMs;

    private static long? Peak(BenchmarkResults r, string lossCase, string label) =>
        r.Memory.FirstOrDefault(p => p.Case == lossCase && p.Implementation == label)?.PeakBytes;

    private static double? Against(BenchmarkResults r, string lossCase, string label, string baseline) =>
        Time(r, lossCase, label) / Time(r, lossCase, baseline);

    private static double? AgainstPyTorch(BenchmarkResults r, string lossCase) =>
        Time(r, lossCase, Generated) / r.PyTorch.Results.FirstOrDefault(p => p.Case == lossCase)?.MedianMs;

    private static string Ratio(double? value, double? baseline) =>
        value is { } v && baseline is { } b && b > 0 ? (v / b).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string MiB(long? bytes) => bytes is { } b ? (b / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
