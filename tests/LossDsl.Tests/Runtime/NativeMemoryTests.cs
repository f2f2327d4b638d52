using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using LossDsl.Tests.Numerics;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

[Loss("bce + ssim(11) + iou")]
public sealed partial class BasNetMemoryLoss;

/// <summary>Resident memory is process-wide: these tests run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(NativeMemoryTests), DisableParallelization = true)]
public sealed class NativeMemoryCollection;

/// <summary>
/// A generated loss in a training loop leaves nothing behind: no tensor outlives its step's dispose scope (counted by
/// TorchSharp's <see cref="DisposeScopeManager.Statistics"/>, which sees even a leaked scalar, too small to show in
/// memory), and the process's native memory stays flat over hundreds of forward and backward passes.
/// </summary>
[Collection(nameof(NativeMemoryTests))]
public sealed class NativeMemoryTests(ITestOutputHelper output)
{
    private const int WarmUp = 50;
    private const int Middle = 350;
    private const int Samples = 5;
    private const int StepsBetweenSamples = 10;
    private const int Windows = 2;
    private static readonly TimeSpan JitQuiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan JitWaitLimit = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A leak of one input-sized tensor per step (64 KB) raises the measurement by about 26 MB over the 400 steps of
    /// a window, and keeping each step's loss tensor (and what its autograd graph still references) by about 80 MB:
    /// anything over 20 KB a step fails. Without a leak one window moved by -7.2 to +1.2 MB in sixteen runs on a busy
    /// 2-core machine, and once (a CI run) by +9.2 MB: the allocator or the JIT stepping up once. A leak grows in
    /// every window, a one-time step in one only, so the test fails when both windows grow past the bound.
    /// </summary>
    private const long AllowedGrowth = 8 << 20;

    [Fact]
    public void Training_steps_leave_no_tensors_and_no_native_memory_behind()
    {
        var (logitValues, maskValues) = FixedInputs.Binary(4, 1, 64, 64);
        long[] shape = { 4, 1, 64, 64 };
        using var loss = new BasNetMemoryLoss();
        using var logits = FixedInputs.ToTensor(logitValues, shape, ScalarType.Float32);
        using var target = FixedInputs.ToTensor(maskValues, shape, ScalarType.Float32);
        long liveBefore = 0;
        var step = 0;
        void Train(int steps)
        {
            for (var end = step + steps; step < end; step++)
            {
                TrainingStep(loss, logits, target, step);
            }
        }

        // Two threads fighting other processes for two cores make a step ten times slower; the tests of this
        // collection run alone, so no other test sees the change.
        var threads = get_num_threads();
        set_num_threads(1);
        var clock = Stopwatch.StartNew();
        var measurements = new List<(int Step, long Bytes)>();
        long jitBefore;
        try
        {
            Train(WarmUp);
            // Counted from here: the first steps may make what lives as long as the loss or the process (on whichever
            // thread reaches it first), and a leak shows in every step after them.
            liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            WaitForTheJitToSettle();
            jitBefore = JitInfo.GetCompiledMethodCount();
            for (var window = 0; window <= Windows; window++)
            {
                if (window > 0)
                {
                    Train(Middle);
                }

                var bytes = LowestNativeBytes(Train);
                measurements.Add((step, bytes));
            }
        }
        finally
        {
            set_num_threads(threads);
        }

        var growths = measurements.Zip(measurements.Skip(1), (before, after) => after.Bytes - before.Bytes).ToArray();
        var liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        output.WriteLine($"{step} steps in {clock.ElapsedMilliseconds} ms; native memory "
            + string.Join(", ", measurements.Select(m => $"{m.Bytes >> 10} KB after step {m.Step}"))
            + $"; growth per window {string.Join(", ", growths.Select(g => $"{g / 1048576.0:F1} MB"))}; live tensors {liveBefore} -> {liveAfter}; "
            + $"methods compiled in between: {JitInfo.GetCompiledMethodCount() - jitBefore}");

        Assert.True(liveBefore == liveAfter, $"{liveAfter - liveBefore} tensors outlived the training loop");
        Assert.True(growths.Any(g => g < AllowedGrowth), $"native memory grew in every window of {Middle + Samples * StepsBetweenSamples} steps: "
            + $"{string.Join(", ", growths.Select(g => $"{g / 1048576.0:F1} MB"))} (allowed {AllowedGrowth >> 20} MB in at least one)");
    }

    /// <summary>One step as a training loop writes it: a fresh prediction each step, everything in a dispose scope.</summary>
    private static void TrainingStep(BasNetMemoryLoss loss, Tensor logits, Tensor target, int step)
    {
        using var scope = NewDisposeScope();
        // A leaf like a model's output, with values that change from step to step.
        var pred = (logits * (1 + 0.001 * step)).requires_grad_();
        var value = loss.call(pred, target);
        value.backward();
        Assert.True(double.IsFinite(value.ToDouble()), $"step {step}: loss {value.ToDouble()}");
    }

    /// <summary>
    /// After the other tests, tiered compilation and the test host go on compiling thousands of methods on other
    /// threads for several seconds; the JIT's native memory (up to 8 MB between the two measurements, seen in full
    /// runs) is not the loss's. Waits until no method has been compiled for <see cref="JitQuiet"/>.
    /// </summary>
    private static void WaitForTheJitToSettle()
    {
        var clock = Stopwatch.StartNew();
        var count = JitInfo.GetCompiledMethodCount();
        var quietSince = clock.Elapsed;
        while (clock.Elapsed - quietSince < JitQuiet && clock.Elapsed < JitWaitLimit)
        {
            Thread.Sleep(100);
            var now = JitInfo.GetCompiledMethodCount();
            if (now != count)
            {
                count = now;
                quietSince = clock.Elapsed;
            }
        }
    }

    /// <summary>
    /// The lowest of several measurements, <see cref="StepsBetweenSamples"/> training steps apart: a single one can
    /// catch the allocator or the GC a few MB high for a moment, while a leak raises every one.
    /// </summary>
    private static long LowestNativeBytes(Action<int> train)
    {
        var lowest = long.MaxValue;
        for (var i = 0; i < Samples; i++)
        {
            train(StepsBetweenSamples);
            lowest = Math.Min(lowest, NativeBytes());
        }

        return lowest;
    }

    /// <summary>
    /// Resident memory outside the managed heap, after collecting garbage. The GC gives memory back to the system
    /// over several collections, which alone moved resident memory by up to 14 MB here: it is not native memory.
    /// </summary>
    private static long NativeBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return ResidentBytes() - GC.GetGCMemoryInfo().TotalCommittedBytes;
    }

    /// <summary>
    /// On Linux the anonymous resident pages once glibc has returned its free pages: pages of libraries touched for
    /// the first time and memory glibc keeps for reuse are not leaks, and only add noise. Elsewhere the working set.
    /// </summary>
    private static long ResidentBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }

        _ = MallocTrim(0);
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0]) * 1024;
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
