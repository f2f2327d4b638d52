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

    // Issue 18: at most 2x the memory floor once fused.
    private static readonly string[] FloorTargets = { "bce + dice + iou", "focal + dice", "ce + dice (multiclass)" };

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
        md.AppendLine("Forward + backward (`autograd.grad` of the loss with respect to pred), float32, CPU; binary 8 x 1 x 256 x 256, multiclass 4 x 5 x 128 x 128. *Wall*: BenchmarkDotNet median with torch threads = cores. *CPU*: median CPU time of a step on one torch thread (the work, unaffected by other processes; see \"Two clocks\"). Ratios (x) are to the hand-written TorchSharp baseline (hw), to PyTorch eager (pt) of the same loss and to the memory floor (fl: one read of pred and the target, one write of a gradient, the same way on the same inputs), lower is better. Peak native memory: the resident-set peak of one step above the resident set before it (see \"How memory is measured\").");
        md.AppendLine();
        md.AppendLine("| Loss | Implementation | Wall (ms) | x hw | x pt | x fl | CPU (ms) | x hw | x pt | x fl | Peak native (MiB) | x hw | Managed/op (KiB) |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var lossCase in r.Timings.Select(t => t.Case).Distinct())
        {
            var hand = Time(r, lossCase, HandWritten);
            var handCpu = Cpu(r, lossCase, HandWritten);
            var floor = Time(r, lossCase, MemoryFloor.Label);
            var floorCpu = Cpu(r, lossCase, MemoryFloor.Label);
            var torch = r.PyTorch.Results.FirstOrDefault(p => p.Case == lossCase);
            var handPeak = Peak(r, lossCase, HandWritten);
            foreach (var timing in r.Timings.Where(t => t.Case == lossCase))
            {
                var peak = Peak(r, lossCase, timing.Label);
                var cpu = Cpu(r, lossCase, timing.Label);
                md.AppendLine(Inv($"| {lossCase} | {timing.Label} | {timing.MedianMs:0.00} | {Ratio(timing.MedianMs, hand)} | {Ratio(timing.MedianMs, torch?.MedianMs)} | {Ratio(timing.MedianMs, floor)} | {Number(cpu)} | {Ratio(cpu, handCpu)} | {Ratio(cpu, torch?.CpuMs)} | {Ratio(cpu, floorCpu)} | {MiB(peak)} | {Ratio(peak, handPeak)} | {(timing.AllocatedBytes is { } a ? (a / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) : "-")} |"));
            }

            if (torch is not null)
            {
                md.AppendLine(Inv($"| {lossCase} | {PyTorchLabel} | {torch.MedianMs:0.00} | {Ratio(torch.MedianMs, hand)} | 1.00 | {Ratio(torch.MedianMs, floor)} | {torch.CpuMs:0.00} | {Ratio(torch.CpuMs, handCpu)} | 1.00 | {Ratio(torch.CpuMs, floorCpu)} | {MiB(torch.PeakBytes)} | {Ratio(torch.PeakBytes, handPeak)} | - |"));
            }
        }

        md.AppendLine();
        md.AppendLine("![Forward + backward wall-clock time relative to the hand-written TorchSharp baseline](images/performance.png)");
        md.AppendLine();
        md.AppendLine("![Forward + backward CPU time on one thread relative to the hand-written TorchSharp baseline](images/performance-cpu.png)");
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
        md.AppendLine("| Target | Wall | Met (wall) | CPU | Met (CPU) |");
        md.AppendLine("| --- | ---: | --- | ---: | --- |");
        void Row(string target, double? wall, double? cpu, double limit) =>
            md.AppendLine($"| {target} | {Times(wall)} | {Verdict(wall, limit)} | {Times(cpu)} | {Verdict(cpu, limit)} |");

        foreach (var (lossCase, hand, torch) in new[] { (FastTwo[0], 0.2, 0.5), (FastTwo[1], 0.15, 0.15) })
        {
            Row(Inv($"`{lossCase}` generated <= {hand}x hand-written"), Against(r, lossCase, Generated, HandWritten), AgainstCpu(r, lossCase, Generated, HandWritten), hand);
            Row(Inv($"`{lossCase}` generated <= {torch}x PyTorch"), AgainstPyTorch(r, lossCase, Generated), AgainstPyTorchCpu(r, lossCase, Generated), torch);
        }

        foreach (var lossCase in Cases(r).Except(FastTwo))
        {
            Row($"`{lossCase}` generated <= 1.0x hand-written", Against(r, lossCase, Generated, HandWritten), AgainstCpu(r, lossCase, Generated, HandWritten), 1.0);
            Row($"`{lossCase}` generated <= 0.7x PyTorch", AgainstPyTorch(r, lossCase, Generated), AgainstPyTorchCpu(r, lossCase, Generated), 0.7);
        }

        foreach (var lossCase in FastTwo)
        {
            md.AppendLine($"| `{lossCase}` generated peak native memory <= 0.6x hand-written | {Times((double?)Peak(r, lossCase, Generated) / Peak(r, lossCase, HandWritten))} | {Verdict((double?)Peak(r, lossCase, Generated) / Peak(r, lossCase, HandWritten), 0.6)} | | |");
        }

        foreach (var lossCase in Cases(r))
        {
            Row($"`{lossCase}` run-time compiled <= 1.15x generated", Against(r, lossCase, Compiled, Generated), AgainstCpu(r, lossCase, Compiled, Generated), 1.15);
        }

        // Issue 18's: the fused kernels' targets, against the memory floor.
        foreach (var lossCase in Cases(r).Where(c => FloorTargets.Contains(c)))
        {
            Row($"`{lossCase}` generated <= 2x the memory floor (issue 18)", Against(r, lossCase, Generated, MemoryFloor.Label), AgainstCpu(r, lossCase, Generated, MemoryFloor.Label), 2.0);
        }

        md.AppendLine();
        md.AppendLine("Proposals (benchmark variants, not in src/), against the same baselines:");
        md.AppendLine();
        md.AppendLine("| Loss | Proposal | Wall x hw | Wall x pt | Wall x generated | CPU x hw | CPU x pt | CPU x generated |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var variant in r.Timings.Where(t => t.Label is not (Generated or Compiled or HandWritten or MemoryFloor.Label)))
        {
            var (c, l) = (variant.Case, variant.Label);
            md.AppendLine($"| {c} | {l} | {Times(Against(r, c, l, HandWritten))} | {Times(AgainstPyTorch(r, c, l))} | {Times(Against(r, c, l, Generated))} | {Times(AgainstCpu(r, c, l, HandWritten))} | {Times(AgainstPyTorchCpu(r, c, l))} | {Times(AgainstCpu(r, c, l, Generated))} |");
        }

        md.AppendLine();
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
        md.AppendLine(Inv($"| unrelated edit, the 250 attributes, a generator that only finds them (Roslyn's floor) | {g.EditAttributeFloorMs:0.00} | - | - |"));
        md.AppendLine();
        md.AppendLine($"Tracked steps after the unrelated edit (Unchanged: the step ran again and its output was equal; Cached: it did not run): {g.EditOutputs}.");
        md.AppendLine();
    }

    private static double? Time(BenchmarkResults r, string lossCase, string label) =>
        r.Timings.FirstOrDefault(t => t.Case == lossCase && t.Label == label)?.MedianMs;

    private static IEnumerable<string> Cases(BenchmarkResults r) => r.Timings.Select(t => t.Case).Distinct();

    private static double? Cpu(BenchmarkResults r, string lossCase, string label) =>
        r.CpuTimes.FirstOrDefault(t => t.Case == lossCase && t.Implementation == label)?.CpuMs;

    private static double? AgainstCpu(BenchmarkResults r, string lossCase, string label, string baseline) =>
        Cpu(r, lossCase, label) / Cpu(r, lossCase, baseline);

    private static double? AgainstPyTorchCpu(BenchmarkResults r, string lossCase, string label) =>
        Cpu(r, lossCase, label) / r.PyTorch.Results.FirstOrDefault(p => p.Case == lossCase)?.CpuMs;

    private static string Times(double? ratio) => ratio is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";

    private static string Verdict(double? ratio, double limit) =>
        ratio is not { } x ? "not measured" : x <= limit ? "yes" : Inv($"no ({x / limit:0.0}x the target)");

    private static string Number(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static long? Peak(BenchmarkResults r, string lossCase, string label) =>
        r.Memory.FirstOrDefault(p => p.Case == lossCase && p.Implementation == label)?.PeakBytes;

    private static double? Against(BenchmarkResults r, string lossCase, string label, string baseline) =>
        Time(r, lossCase, label) / Time(r, lossCase, baseline);

    private static double? AgainstPyTorch(BenchmarkResults r, string lossCase, string label) =>
        Time(r, lossCase, label) / r.PyTorch.Results.FirstOrDefault(p => p.Case == lossCase)?.MedianMs;

    private static string Ratio(double? value, double? baseline) =>
        value is { } v && baseline is { } b && b > 0 ? (v / b).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string MiB(long? bytes) => bytes is { } b ? (b / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
