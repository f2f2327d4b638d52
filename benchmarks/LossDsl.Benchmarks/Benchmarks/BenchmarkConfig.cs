using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace LossDsl.Benchmarks.Benchmarks;

/// <summary>
/// A short job for a shared 2-core machine: in process (no generated project to build per benchmark), one launch,
/// 2 warm-up and <c>iterations</c> measured iterations of at least 250 ms each; medians are reported.
/// </summary>
public static class BenchmarkConfig
{
    /// <summary>The configuration; artifacts go to <paramref name="artifacts"/>.</summary>
    public static IConfig Create(string artifacts, int iterations) => ManualConfig.CreateEmpty()
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(iterations)
            .WithIterationTime(TimeInterval.FromMilliseconds(250)))
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddColumnProvider(DefaultColumnProviders.Instance)
        .AddColumn(StatisticColumn.Median)
        .AddLogger(ConsoleLogger.Default)
        .AddExporter(MarkdownExporter.GitHub)
        .WithArtifactsPath(artifacts);
}
