using System.Globalization;
using LossDsl.Cli.Tests.Support;
using LossDsl.Platform;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>
/// <c>lossdsl doctor</c>: the platform facts as this process has them, a self-check that passes with the fix-up and
/// finds the fault without it on the CPU it was measured on, and usage mistakes.
/// </summary>
public sealed class DoctorCommandTests
{
    [Fact]
    public void It_prints_the_versions_the_cpu_the_fixups_and_a_passing_self_check()
    {
        var result = Lossdsl.Run("doctor");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stderr);
        var lines = result.StdoutLines;
        Assert.Equal($"TorchSharp   {typeof(TorchSharp.torch).Assembly.GetName().Version!.ToString(3)} (libtorch {TorchSharp.torch.__version__})", lines[1]);
        var cpu = CpuFeatures.Current;
        Assert.Equal($"ISA          AVX2 {(cpu.Avx2 ? "yes" : "no")}, AVX-512 (F, BW, DQ, VL) {(cpu.Avx512Core ? "yes" : "no")}", lines[4]);
        Assert.Equal($"Threads      {TorchSharp.torch.get_num_threads()} (inter-op {TorchSharp.torch.get_num_interop_threads()})", lines[5]);

        var state = OneDnnIsaFixup.Apply();
        var oneDnn = Assert.Single(lines, l => l.StartsWith("  oneDNN     ", StringComparison.Ordinal));
        Assert.EndsWith(state.Reason, oneDnn, StringComparison.Ordinal);
        if (state.Outcome == OneDnnIsaFixupOutcome.Applied)
        {
            Assert.StartsWith("  oneDNN     applied: ONEDNN_MAX_CPU_ISA=AVX2; ", oneDnn, StringComparison.Ordinal);
        }

        var check = Assert.Single(lines, l => l.StartsWith("Self-check", StringComparison.Ordinal));
        Assert.StartsWith("Self-check   convolution gradients, float32 on 2 threads vs float64, 8 training steps: worst relative difference ", check, StringComparison.Ordinal);
        Assert.EndsWith(": right", check, StringComparison.Ordinal);
        Assert.InRange(WorstDifference(check), 1e-9, ConvolutionGradientCheck.Tolerance);
    }

    [Fact]
    public void The_facts_alone_skip_the_self_check()
    {
        var result = Lossdsl.Run("doctor", "--no-self-check");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(result.StdoutLines, l => l.StartsWith("Self-check", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.StartsWith("  libstdc++  ", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_the_fix_the_self_check_says_what_it_found()
    {
        // DEFAULT is a user's value, which the fix-up leaves as it is: oneDNN runs every kernel this CPU has.
        var result = Lossdsl.RunProcess(new Dictionary<string, string> { [OneDnnIsaFixup.Variable] = "DEFAULT" }, "doctor");

        var lines = result.StdoutLines;
        Assert.Contains("  oneDNN     yours: ONEDNN_MAX_CPU_ISA=DEFAULT; ONEDNN_MAX_CPU_ISA was set before LossDsl started; left as it is", lines);
        var check = Assert.Single(lines, l => l.StartsWith("Self-check", StringComparison.Ordinal));
        if (result.ExitCode == 0)
        {
            Assert.EndsWith(": right", check, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(3, result.ExitCode);
            Assert.EndsWith(": WRONG", check, StringComparison.Ordinal);
            Assert.Equal("This platform computes wrong convolution gradients: set ONEDNN_MAX_CPU_ISA=AVX2 before the program starts (docs/packaging.md).", lines[^1]);
        }

        // Where the fault was measured (AMD family 26, AVX-512), the check must find it: one that cannot fail proves nothing.
        var cpu = CpuFeatures.Current;
        if (cpu.Vendor == "AuthenticAMD" && cpu.Family == 26 && cpu.Avx512Core)
        {
            Assert.True(result.ExitCode == 3, $"the self-check passed without the fix on AMD family 26:\n{result.Stdout}");
        }
    }

    [Fact]
    public void Zero_threads_is_a_usage_error()
    {
        var result = Lossdsl.Run("doctor", "--threads", "0");

        Assert.Equal(new CliResult(2, "", "lossdsl: --threads must be at least 1, not 0.\n"), result);
    }

    private static double WorstDifference(string line)
    {
        const string Marker = "worst relative difference ";
        var start = line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        return double.Parse(line[start..line.IndexOf(' ', start)], CultureInfo.InvariantCulture);
    }
}
