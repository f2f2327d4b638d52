using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LossDsl.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LossDsl.Tests.DataParallel;

/// <summary>
/// The MPI transport end to end: <c>mpiexec -n 2</c> runs tests/LossDsl.Mpi.Check, two processes on this machine
/// (loopback), each holding half of fixed float64 batches, with <c>MpiLossGroup</c>; rank 0 checks the value and the
/// joined gradients against the whole batch's to 1e-12, for bce + dice + iou (generated), ce + dice with an ignore
/// index and generalized_dice (run-time compiled). Without the group the same run must fail. MPICH must be installed
/// (.ci/run installs it): if MPI cannot start, these tests fail, they do not skip.
/// </summary>
public sealed partial class MpiTests(ITestOutputHelper output)
{
    [Fact]
    public void Two_ranks_with_the_group_compute_the_whole_batchs_loss_and_gradients()
    {
        var (exitCode, lines) = RunCheck();

        Assert.True(exitCode == 0, string.Join("\n", lines));
        var results = Results(lines);
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.True(r.Ok && r.WithGroup && r.ValueError <= 1e-12 && r.GradientError <= 1e-12 * Math.Max(r.Largest, 1e-3), r.Line));
    }

    [Fact]
    public void Two_ranks_without_the_group_compute_their_shards_and_the_check_fails()
    {
        var (exitCode, lines) = RunCheck("--no-group");

        Assert.Equal(1, exitCode);
        var results = Results(lines);
        Assert.Equal(3, results.Count);
        // Every loss differs from the whole batch's by far more than rounding: the shard's own statistics and means.
        Assert.All(results, r => Assert.True(!r.Ok && !r.WithGroup && r.ValueError > 1e-6 && r.GradientError > 1e-6, r.Line));
    }

    [Fact]
    public void The_DataParallel_example_trains_on_two_ranks_along_the_one_process_curve()
    {
        var folder = Directory.CreateTempSubdirectory("lossdsl-data-parallel-");
        try
        {
            CheckExample(folder.FullName);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private void CheckExample(string folder)
    {
        var (exitCode, lines) = RunOnTwoRanks(Built("examples", "DataParallel", "DataParallel.dll"), folder);

        Assert.True(exitCode == 0, string.Join("\n", lines));
        var gaps = ExampleGaps().Match(string.Join("\n", lines));
        Assert.True(gaps.Success, string.Join("\n", lines));
        // 60 steps of Adam in float64: the exact run stays on the one-process curve; the shards' own losses leave it.
        Assert.True(Number(gaps.Groups["exact"].Value) <= 1e-10, gaps.Value);
        Assert.True(Number(gaps.Groups["alone"].Value) >= 1e-2, gaps.Value);
        Assert.True(new FileInfo(Path.Combine(folder, "artifacts", "data-parallel", "loss-curves.png")).Length > 10_000);
    }

    [GeneratedRegex(@"largest difference from the one-process curve: exact (?<exact>\S+), shards alone (?<alone>\S+)")]
    private static partial Regex ExampleGaps();

    private sealed record Result(string Line, bool Ok, bool WithGroup, double ValueError, double GradientError, double Largest);

    private static List<Result> Results(IEnumerable<string> lines) => lines
        .Select(line => (Line: line, Match: ResultLine().Match(line)))
        .Where(l => l.Match.Success)
        .Select(l => new Result(l.Line, l.Match.Groups["status"].Value == "ok", l.Match.Groups["with"].Value == "with",
            Number(l.Match.Groups["value"].Value), Number(l.Match.Groups["gradient"].Value), Number(l.Match.Groups["largest"].Value)))
        .ToList();

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<status>ok|FAIL) +.*: 2 ranks (?<with>with|without) the group; whole batch \S+; value error (?<value>\S+); gradient error (?<gradient>\S+) \(largest element (?<largest>[^)]+)\)$")]
    private static partial Regex ResultLine();

    private (int ExitCode, List<string> Lines) RunCheck(params string[] arguments) =>
        RunOnTwoRanks(Built("tests", "LossDsl.Mpi.Check", "LossDsl.Mpi.Check.dll"), RepositoryRoot.Path, arguments);

    // A project's output in the configuration these tests were built in.
    private static string Built(string folder, string project, string assembly)
    {
        var path = Path.Combine(RepositoryRoot.Path, folder, project, "bin", Dotnet.Configuration, "net10.0", assembly);
        Assert.True(File.Exists(path), $"{path} is not built: build the solution first.");
        return path;
    }

    private (int ExitCode, List<string> Lines) RunOnTwoRanks(string program, string directory, params string[] arguments)
    {
        // MPICH's launcher by its own name: where Open MPI is installed too, plain mpiexec may be Open MPI's.
        var launcher = File.Exists("/usr/bin/mpiexec.mpich") ? "/usr/bin/mpiexec.mpich" : "mpiexec";
        var start = new ProcessStartInfo(launcher) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in new[] { "-n", "2", "dotnet", program }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start {launcher}: install MPICH (apt-get install mpich), as .ci/run does.", e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{launcher} -n 2 did not finish in 3 minutes");
            }

            output.WriteLine(stdout.Result);
            // libtorch's NNPACK warning, once per convolution on CPUs it does not know, would bury the rest.
            output.WriteLine(string.Join("\n", stderr.Result.Split('\n').Where(line => !line.Contains("NNPACK", StringComparison.Ordinal))));
            return (process.ExitCode, stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList());
        }
    }
}
