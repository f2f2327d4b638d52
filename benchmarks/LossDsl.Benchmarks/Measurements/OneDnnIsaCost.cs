using System.Diagnostics;
using System.Globalization;
using BasNetSegmentation;
using BasNetSegmentation.Model;
using BasNetSegmentation.Training;
using LossDsl.Platform;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Measurements;

/// <summary>
/// What the oneDNN fix-up costs in training speed: the main example's training step (its U-Net and the BASNet loss,
/// forward and backward) at the example's shapes, with oneDNN capped at AVX2 (the fix) and with every kernel the CPU
/// has (<c>DEFAULT</c>, wrong gradients on AVX-512 CPUs, but the time is what the fix gives up). The weights stay as
/// they are (no optimizer step: Adam is the same elementwise work either way), so the wrong gradients never turn the
/// forward pass into NaN and both settings time the same arithmetic. oneDNN reads its limit
/// once per process, so each measurement is a child process with the variable in its environment; the settings run
/// round-robin so they share the machine's conditions.
/// </summary>
public static class OneDnnIsaCost
{
    private static readonly string[] Settings = [OneDnnIsaFixup.Cap, "DEFAULT"];

    /// <summary>
    /// Runs the comparison with a U-Net of <paramref name="channels"/> channels at full resolution (the example's is 8)
    /// and prints a table of median milliseconds per step.
    /// </summary>
    public static void Compare(int steps, int rounds, int channels)
    {
        var cpu = CpuFeatures.Current;
        Console.WriteLine($"{cpu.Model} ({cpu.Vendor} family {cpu.Family}), AVX-512 {(cpu.Avx512Core ? "yes" : "no")}; U-Net with {channels} channels; {steps} steps per run, {rounds} rounds");
        var results = new Dictionary<(string Isa, int Threads), List<StepTime>>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var threads in new[] { 1, 2 })
            {
                foreach (var isa in Settings)
                {
                    var time = RunChild(isa, threads, steps, channels);
                    Console.WriteLine($"  round {round + 1}: {isa,-8} {threads} thread(s): {time.WallMilliseconds:0.0} ms wall, {time.CpuMilliseconds:0.0} ms CPU per step");
                    (results.TryGetValue((isa, threads), out var list) ? list : results[(isa, threads)] = []).Add(time);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| threads | ONEDNN_MAX_CPU_ISA | wall ms/step | CPU ms/step | wall vs DEFAULT |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var threads in new[] { 1, 2 })
        {
            var baseline = Statistics.Median(results[("DEFAULT", threads)].Select(t => t.WallMilliseconds));
            foreach (var isa in Settings)
            {
                var wall = Statistics.Median(results[(isa, threads)].Select(t => t.WallMilliseconds));
                var cpuTime = Statistics.Median(results[(isa, threads)].Select(t => t.CpuMilliseconds));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {threads} | {isa} | {wall:0.0} | {cpuTime:0.0} | {wall / baseline:0.00}x |"));
            }
        }
    }

    /// <summary>The child: times <paramref name="steps"/> training steps after two warm-up steps; prints "wall cpu" in ms per step.</summary>
    public static void MeasureSteps(int steps, int threads, int channels)
    {
        set_num_threads(threads);
        manual_seed(1);
        var options = TrainingOptions.Default;
        using var model = new UNet(channels, TrainingOptions.Levels);
        using var loss = new BasNet();
        using var images = rand(options.BatchSize, 1, options.ImageSize, options.ImageSize);
        using var masks = (rand(options.BatchSize, 1, options.ImageSize, options.ImageSize) > 0.5).to_type(ScalarType.Float32);

        void Step()
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            loss.call(model.call(images), masks).backward();
        }

        Step();
        Step();
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            Step();
        }

        process.Refresh();
        var cpuMilliseconds = (process.TotalProcessorTime - cpuStart).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{clock.Elapsed.TotalMilliseconds / steps} {cpuMilliseconds / steps} {NativeEnvironment.Get(OneDnnIsaFixup.Variable) ?? "unset"}"));
    }

    private static StepTime RunChild(string isa, int threads, int steps, int channels)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(OneDnnIsaCost).Assembly.Location);
        }

        foreach (var argument in new[] { "--isa-steps", steps.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture), channels.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[OneDnnIsaFixup.Variable] = isa;
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd().Trim().Split(' ');
        child.WaitForExit();
        if (child.ExitCode != 0 || output.Length != 3 || output[2] != isa)
        {
            throw new InvalidOperationException($"--isa-steps with {OneDnnIsaFixup.Variable}={isa} failed (exit code {child.ExitCode}): {string.Join(' ', output)} {stderr.Result}");
        }

        return new StepTime(double.Parse(output[0], CultureInfo.InvariantCulture), double.Parse(output[1], CultureInfo.InvariantCulture));
    }

    private sealed record StepTime(double WallMilliseconds, double CpuMilliseconds);
}
