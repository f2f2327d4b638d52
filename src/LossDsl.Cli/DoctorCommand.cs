using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using LossDsl.Platform;

namespace LossDsl.Cli;

/// <summary>
/// <c>lossdsl doctor</c>: the platform facts that decide whether training computes the right numbers (versions, CPU
/// instruction sets, threads, the native fix-ups in effect and why) and a convolution gradient self-check, so a user
/// with a NaN knows in one command whether the platform is the cause.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(TextWriter stdout)
    {
        var noSelfCheck = new Option<bool>("--no-self-check") { Description = "Only print the facts; skip the convolution gradient check (about a second)." };
        var threads = new Option<int>("--threads")
        {
            Description = "CPU threads for the self-check (default 2: the faulty kernels this checks for were seen with one thread and with two).",
            HelpName = "N",
            DefaultValueFactory = _ => 2,
        };
        var command = new Command("doctor", "Print the platform facts (versions, CPU, threads, native fix-ups) and check convolution gradients.")
        {
            noSelfCheck, threads,
        };

        command.SetAction(parse =>
        {
            var threadCount = parse.GetValue(threads);
            if (threadCount < 1)
            {
                throw new InvalidInputException($"--threads must be at least 1, not {threadCount}.");
            }

            var report = PlatformReport.Read();
            Print(report, stdout);
            if (parse.GetValue(noSelfCheck))
            {
                return ExitCodes.Success;
            }

            var check = ConvolutionGradientCheck.Run(threadCount);
            Print(check, report, stdout);
            return check.Passed ? ExitCodes.Success : ExitCodes.PlatformFault;
        });

        return command;
    }

    private static void Print(PlatformReport report, TextWriter stdout)
    {
        var cpu = report.Cpu;
        stdout.WriteLine($"LossDsl      {report.LossDslVersion}");
        stdout.WriteLine($"TorchSharp   {report.TorchSharpVersion} (libtorch {report.LibTorchVersion})");
        stdout.WriteLine($".NET         {report.Runtime} on {report.OperatingSystem}");
        stdout.WriteLine($"CPU          {(cpu.Model.Length > 0 ? cpu.Model : "unknown model")} ({cpu.Vendor} family {cpu.Family} model {cpu.ModelNumber}), {report.Cores} cores");
        stdout.WriteLine($"ISA          AVX2 {YesNo(cpu.Avx2)}, AVX-512 (F, BW, DQ, VL) {YesNo(cpu.Avx512Core)}");
        stdout.WriteLine($"Threads      {report.Threads} (inter-op {report.InteropThreads})");
        stdout.WriteLine("Fix-ups");
        stdout.WriteLine($"  libstdc++  {report.LibStdCxx}");
        var value = report.OneDnnVariable is null ? "unset (all of this CPU's instruction sets)" : $"{OneDnnIsaFixup.Variable}={report.OneDnnVariable}";
        stdout.WriteLine($"  oneDNN     {Describe(report.OneDnn.Outcome)}: {value}; {report.OneDnn.Reason}");
    }

    private static void Print(ConvolutionGradientCheckResult check, PlatformReport report, TextWriter stdout)
    {
        var error = double.IsNaN(check.WorstRelativeError) ? "NaN" : check.WorstRelativeError.ToString("0.0e+0", CultureInfo.InvariantCulture);
        stdout.WriteLine(
            $"Self-check   convolution gradients, float32 on {check.Threads} threads vs float64, {check.Steps} training steps: " +
            $"worst relative difference {error} ({check.WorstParameter}, step {check.WorstStep}): {(check.Passed ? "right" : "WRONG")}");
        if (!check.Passed)
        {
            stdout.WriteLine(report.OneDnnVariable == OneDnnIsaFixup.Cap
                ? $"This platform computes wrong convolution gradients even with {OneDnnIsaFixup.Variable}={OneDnnIsaFixup.Cap}: try --threads 1, and report it."
                : $"This platform computes wrong convolution gradients: set {OneDnnIsaFixup.Variable}={OneDnnIsaFixup.Cap} before the program starts (docs/packaging.md).");
        }
    }

    private static string Describe(OneDnnIsaFixupOutcome outcome) => outcome switch
    {
        OneDnnIsaFixupOutcome.Applied => "applied",
        OneDnnIsaFixupOutcome.UserSetting => "yours",
        OneDnnIsaFixupOutcome.NotNeeded => "not needed",
        OneDnnIsaFixupOutcome.Skipped => "off",
        OneDnnIsaFixupOutcome.Unsupported => "NOT APPLIED",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    private static string YesNo(bool value) => value ? "yes" : "no";
}
