using System.Diagnostics;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using LossDsl.Benchmarks.Benchmarks;
using LossDsl.Benchmarks.Cases;
using LossDsl.Benchmarks.Checks;
using LossDsl.Benchmarks.Filters;
using LossDsl.Benchmarks.GeneratorCost;
using LossDsl.Benchmarks.Measurements;
using LossDsl.Benchmarks.Optimisations;
using LossDsl.Benchmarks.Report;

namespace LossDsl.Benchmarks;

/// <summary>
/// Modes:
/// <list type="bullet">
/// <item><c>--check</c>: equivalence of every measured module and of the Gaussian filter formulations;</item>
/// <item><c>--all --pytorch FILE --repo DIR [--iterations N] [--cases A;B] [--started UNIX-SECONDS]</c>: checks, every
/// benchmark, peak memory (in a child process), CPU time on one thread, generator cost; writes DIR/docs/performance.md's results, DIR/docs/images/performance.png and
/// the raw results as JSON under BenchmarkDotNet.Artifacts;</item>
/// <item><c>--report FILE --repo DIR</c>: rewrites the docs from saved results;</item>
/// <item><c>--memory FILE [--cases A;B]</c>: peak native memory only, as JSON (the child process of --all);</item>
/// <item><c>--cpu [--cases A;B]</c>: CPU time per step on one thread only;</item>
/// <item><c>--maps [--cases A;B]</c>: the same, for each case's compiled loss without and with a pixel weight map and
/// a valid mask (<see cref="WithPixelMaps"/>; the cases whose loss takes them): what the per-pixel inputs cost;</item>
/// <item><c>--levels [--cases A;B]</c>: the same, for each case's compiled loss on pred alone and with two side outputs
/// under each resize policy (<see cref="WithSideOutputs"/>): what deep supervision costs;</item>
/// <item><c>--generator</c>: generator cost only;</item>
/// <item><c>--onednn-isa [--steps N] [--rounds R] [--channels C]</c>: what the oneDNN fix-up costs the main example's
/// training step, with its U-Net or a wider one (child processes with <c>ONEDNN_MAX_CPU_ISA=AVX2</c> and
/// <c>DEFAULT</c>, one and two threads);</item>
/// <item><c>--isa-steps STEPS THREADS CHANNELS</c>: one of those children;</item>
/// <item><c>--loop NAME LABEL SECONDS [THREADS]</c>: runs one variant's step for a while and prints its mean wall time
/// and the median and least CPU time of a step over 0.1 s chunks (the least compares two builds on a shared machine);
/// under <c>perf record</c> it gives profiles (one thread: the work itself, without OpenMP's waiting).</item>
/// <item><c>--pass ce|focal SECONDS [SIDE]</c>: the fused pass of class indices alone, forward and backward, on
/// [4, C, SIDE, SIDE] (<see cref="PassLoop"/>): the least and median CPU time of each call on one thread.</item>
/// </list>
/// </summary>
public static class Program
{
    /// <summary>
    /// Every measured module: the standard three per case, the proposal (a closed-form gradient), and each case's memory
    /// floor (one read of pred and target, one write of a gradient: <see cref="MemoryFloor"/>).
    /// </summary>
    public static IReadOnlyList<LossVariant> AllVariants { get; } = LossVariant.Standard(LossCases.All)
        .Append(new LossVariant(LossCases.Named("focal + dice"), "Closed-form gradient (proposal)",
            () => new MaskNodeModule("focal + dice (closed form)", (pred, t) => FocalDiceFunction.apply(pred, t, 0.25, 2.0, 1.0))))
        .Append(new LossVariant(LossCases.Named("focal + dice"), "Loss from the node (proposal)",
            () => new MaskNodeModule("focal + dice (loss from the node)", (pred, t) => FusedFocalDiceFunction.apply(pred, t))))
        .Concat(LossCases.All.Select(c => new LossVariant(c, MemoryFloor.Label, () => new MemoryFloor()) { ComputesTheLoss = false }))
        .OrderBy(v => LossCases.All.ToList().IndexOf(v.Case))
        .ToList();

    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        TorchSharp.torch.set_num_threads(Environment.ProcessorCount);
        var options = Options.Parse(args);
        var variants = options.Cases is { } names ? AllVariants.Where(v => names.Contains(v.Case.Name)).ToList() : AllVariants;
        switch (options.Mode)
        {
            case "--check":
                Print(Checks(variants));
                return 0;
            case "--memory":
                var memory = PeakMemory.Measure(variants);
                File.WriteAllText(options.Value("--memory"), System.Text.Json.JsonSerializer.Serialize(memory));
                return 0;
            case "--cpu":
                Print(CpuTime.Measure(variants).Select(r => r.ToString()));
                return 0;
            case "--maps":
                // Not equivalent losses, so outside the checks and the report: each case's compiled loss without and with maps.
                var cases = variants.Select(v => v.Case).Distinct().Where(WithPixelMaps.Accepts);
                Print(CpuTime.Measure(cases.SelectMany(c => new[]
                {
                    new LossVariant(c, nameof(Implementation.Compiled), () => c.Create(Implementation.Compiled)),
                    new LossVariant(c, "Compiled, weight map + valid mask", () => new WithPixelMaps(c)),
                })).Select(r => r.ToString()));
                return 0;
            case "--levels":
                // Not equivalent losses either: each 2-D case's compiled loss on pred alone and with two side outputs.
                var deepCases = variants.Select(v => v.Case).Distinct().Where(c => c.Shape.Length == 4);
                Print(CpuTime.Measure(deepCases.SelectMany(c => new[]
                {
                    new LossVariant(c, nameof(Implementation.Compiled), () => c.Create(Implementation.Compiled)),
                    new LossVariant(c, "Compiled, 3 levels, resize target", () => new WithSideOutputs(c, LossResize.Target)),
                    new LossVariant(c, "Compiled, 3 levels, resize pred", () => new WithSideOutputs(c, LossResize.Pred)),
                })).Select(r => r.ToString()));
                return 0;
            case "--generator":
                Console.WriteLine(GeneratorCostMeasurement.Measure());
                return 0;
            case "--pass":
                PassLoop.Run(args[1], double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                    args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : (int)BenchmarkShapes.Multiclass[2]);
                return 0;
            case "--loop":
                if (args.Length > 4)
                {
                    TorchSharp.torch.set_num_threads(int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
                }

                Loop(variants.Single(v => v.Case.Name == args[1] && v.Label == args[2]), double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case "--onednn-isa":
                OneDnnIsaCost.Compare(
                    int.Parse(options.ValueOr("--steps", "20"), System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(options.ValueOr("--rounds", "3"), System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(options.ValueOr("--channels", "8"), System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case "--isa-steps":
                OneDnnIsaCost.MeasureSteps(
                    int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
                return 0;
            case "--report":
                WriteDocs(options.Value("--repo"), BenchmarkResults.Load(options.Value("--report")));
                return 0;
            case "--all":
                All(options, variants);
                return 0;
            default:
                Console.Error.WriteLine("Usage: see Program's documentation (--check, --all, --report, --memory, --cpu, --maps, --levels, --generator, --onednn-isa, --loop, --pass).");
                return 2;
        }
    }

    private static void All(Options options, IReadOnlyList<LossVariant> variants)
    {
        var started = options.Values.TryGetValue("--started", out var epoch)
            ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(epoch, System.Globalization.CultureInfo.InvariantCulture))
            : DateTimeOffset.UtcNow;
        var machine = MachineInfo.Read();
        var pytorch = BenchmarkResults.LoadPyTorch(options.Value("--pytorch"));
        var checks = Checks(variants);
        Print(checks);

        var artifacts = Path.GetFullPath("BenchmarkDotNet.Artifacts");
        var iterations = int.Parse(options.ValueOr("--iterations", "9"), System.Globalization.CultureInfo.InvariantCulture);
        LossBenchmarks.Selected = variants;
        var losses = BenchmarkRunner.Run<LossBenchmarks>(BenchmarkConfig.Create(artifacts, iterations));
        var filters = BenchmarkRunner.Run<GaussianFilterBenchmarks>(BenchmarkConfig.Create(artifacts, iterations));

        var memoryFile = Path.Combine(artifacts, "memory.json");
        RunChild("--memory", memoryFile, options.Cases is { } c ? $"--cases \"{string.Join(';', c)}\"" : string.Empty);
        var memory = System.Text.Json.JsonSerializer.Deserialize<List<PeakMemoryResult>>(File.ReadAllText(memoryFile))!;

        var cpuTimes = CpuTime.Measure(variants);
        var generator = GeneratorCostMeasurement.Measure();
        var results = new BenchmarkResults(
            machine,
            checks.ToList(),
            variants.Select(v => Timing(losses, v)).ToList(),
            memory,
            cpuTimes.ToList(),
            filters.Reports.Select(r => new FilterResult(r.BenchmarkCase.Parameters["Formulation"]!.ToString()!, Median(r))).ToList(),
            generator,
            pytorch,
            (DateTimeOffset.UtcNow - started).TotalMinutes);
        results.Save(Path.Combine(artifacts, "lossdsl-results.json"));
        WriteDocs(options.Value("--repo"), results);
    }

    private static IReadOnlyList<string> Checks(IReadOnlyList<LossVariant> variants) =>
        EquivalenceCheck.Run(variants).Concat(GaussianFilterCheck.Run()).ToList();

    private static void WriteDocs(string repo, BenchmarkResults results)
    {
        PerformanceReport.Write(Path.Combine(repo, "docs", "performance.md"), results);
        PerformanceChart.Save(Path.Combine(repo, "docs", "images", "performance.png"), results, cpu: false);
        PerformanceChart.Save(Path.Combine(repo, "docs", "images", "performance-cpu.png"), results, cpu: true);
        Console.WriteLine(PerformanceReport.Section(results));
    }

    private static TimingResult Timing(Summary summary, LossVariant variant)
    {
        var report = summary.Reports.Single(r => ReferenceEquals(r.BenchmarkCase.Parameters["Variant"], variant));
        return new TimingResult(variant.Case.Name, variant.Label, Median(report), report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase));
    }

    private static double Median(BenchmarkReport report) =>
        (report.ResultStatistics ?? throw new InvalidOperationException($"{report.BenchmarkCase.DisplayInfo} produced no result.")).Median / 1e6;

    private static void RunChild(string mode, string file, string extra)
    {
        var self = Environment.ProcessPath!;
        var dll = typeof(Program).Assembly.Location;
        var start = Path.GetFileNameWithoutExtension(self) == "dotnet" ? $"\"{dll}\" " : string.Empty;
        using var child = Process.Start(new ProcessStartInfo(self, $"{start}{mode} \"{file}\" {extra}") { UseShellExecute = false })!;
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{mode} failed with exit code {child.ExitCode}.");
        }
    }

    // Steps in chunks of about 0.1 s; besides the mean wall time, the median and the least CPU time of a step over the
    // chunks (this thread's clock): on a shared machine a neighbour slows some chunks, and the least is what the code
    // takes when none does, the figure to compare two builds by.
    private static void Loop(LossVariant variant, double seconds)
    {
        using var loss = variant.Create();
        var (pred, target) = variant.Case.CreateInputs(TorchSharp.torch.ScalarType.Float32);
        var clock = Stopwatch.StartNew();
        var (steps, chunks) = (0, new List<double>());
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var (chunkStart, cpuStart, chunkSteps) = (clock.Elapsed.TotalSeconds, ThreadCpuTime.Milliseconds(), 0);
            while (clock.Elapsed.TotalSeconds - chunkStart < 0.1)
            {
                TrainingStep.Run(loss, pred, target);
                chunkSteps++;
            }

            chunks.Add((ThreadCpuTime.Milliseconds() - cpuStart) / chunkSteps);
            steps += chunkSteps;
        }

        Console.WriteLine(FormattableString.Invariant(
            $"{variant}: {steps} steps, {clock.Elapsed.TotalMilliseconds / steps:0.00} ms per step (wall); CPU time of a step over {chunks.Count} chunks: median {Statistics.Median(chunks):0.000} ms, least {chunks.Min():0.000} ms"));
    }

    private static void Print(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }
    }

    private sealed record Options(string Mode, Dictionary<string, string> Values, IReadOnlySet<string>? Cases)
    {
        public static Options Parse(string[] args)
        {
            var values = new Dictionary<string, string>();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    values[args[i]] = args[i + 1];
                }
            }

            var cases = values.TryGetValue("--cases", out var list) ? list.Split(';').ToHashSet() : null;
            return new Options(args.FirstOrDefault() ?? string.Empty, values, cases);
        }

        public string Value(string name) => Values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"{Mode} needs {name} VALUE.");

        public string ValueOr(string name, string fallback) => Values.GetValueOrDefault(name, fallback);
    }
}
