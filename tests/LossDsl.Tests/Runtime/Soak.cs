using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary>
/// A training-like loop for memory soaks: a small convolution predicts [N, C, H, W] from fixed random images, the loss
/// compares it with a fixed target, and SGD steps; every step runs in its own dispose scope, as a training loop should.
/// Measures resident memory and live tensors after warm-up, along the way, and at the end.
/// </summary>
internal static class Soak
{
    public const int Batch = 2;
    public const int Size = 32;

    /// <summary>Points on the memory curve, to tell a plateau from a steady climb.</summary>
    private const int CurvePoints = 10;

    /// <param name="name">For the report.</param>
    /// <param name="loss">The loss under test.</param>
    /// <param name="classes">C of the prediction.</param>
    /// <param name="labels">Whether the target is int64 labels (a tenth of them the ignore index 255) rather than a mask.</param>
    /// <param name="warmup">Steps before the first measurement, for caches, allocator pools and the JIT to settle.</param>
    /// <param name="steps">Measured steps.</param>
    public static SoakResult Run(string name, LossModule loss, int classes, bool labels, int warmup, int steps)
    {
        manual_seed(20261122);
        using var model = nn.Conv2d(3, classes, 3, padding: 1);
        using var images = randn(Batch, 3, Size, Size);
        using var target = Target(classes, labels);
        using var optimizer = optim.SGD(model.parameters(), 0.01);

        Train(model, loss, optimizer, images, target, warmup);
        Memory.Collect(); // so that the start counts only tensors that are really alive
        var start = Memory.Measure();
        var curve = new List<Memory>();
        var last = double.NaN;
        var clock = Stopwatch.StartNew();
        for (var done = 0; done < steps;)
        {
            var chunk = Math.Min(Math.Max(1, steps / CurvePoints), steps - done);
            last = Train(model, loss, optimizer, images, target, chunk);
            done += chunk;
            clock.Stop();
            curve.Add(Memory.Measure());
            clock.Start();
        }

        clock.Stop();
        return new SoakResult(name, steps, start, curve, clock.Elapsed, last);
    }

    private static Tensor Target(int classes, bool labels)
    {
        using var scope = NewDisposeScope();
        var target = labels
            ? where(rand(Batch, Size, Size) < 0.1, full(Batch, Size, Size, 255L), randint(0, classes, [Batch, Size, Size]))
            : (rand(Batch, classes, Size, Size) < 0.3).to_type(ScalarType.Float32);
        return target.MoveToOuterDisposeScope();
    }

    private static double Train(nn.Module<Tensor, Tensor> model, LossModule loss, optim.Optimizer optimizer, Tensor images, Tensor target, int steps)
    {
        var last = double.NaN;
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var value = loss.call(model.call(images), target);
            value.backward();
            optimizer.step();
            last = value.ToDouble();
        }

        return last;
    }
}

/// <summary>
/// The process's memory at one moment. <see cref="ResidentMb"/> is VmRSS of /proc/self/status, libtorch's allocations
/// included; it also holds the managed heap, whose committed size the GC grows and shrinks by tens of MB at will, so
/// <see cref="NativeMb"/> subtracts it. Resident memory also keeps malloc's high-water mark (freed chunks stay mapped in
/// its per-thread arenas), so <see cref="MallocMb"/>, the bytes malloc has handed out and not had back (glibc's
/// mallinfo2, every arena, mmapped chunks included), is what a leak of native memory grows. <see cref="LiveTensors"/>
/// is read before collecting garbage: a tensor left to the finalizer still counts.
/// </summary>
internal sealed record Memory(double ResidentMb, double ManagedMb, double MallocMb, long LiveTensors)
{
    public double NativeMb => ResidentMb - ManagedMb;

    public static Memory Measure()
    {
        var live = Tensor.TotalCount;
        Collect();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        var malloc = NativeHeap.mallinfo2();
        return new Memory(kilobytes / 1024.0, GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0, (malloc.uordblks + malloc.hblkhd) / 1048576.0, live);
    }

    /// <summary>Collects garbage and runs finalizers, which free the native memory of tensors nobody disposed.</summary>
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}

/// <summary>One soak: memory after warm-up, then after each tenth of the measured steps.</summary>
internal sealed record SoakResult(string Loss, int Steps, Memory Start, IReadOnlyList<Memory> Curve, TimeSpan Elapsed, double LastValue)
{
    public Memory End => Curve[^1];

    public double NativeGrowthMb => End.NativeMb - Start.NativeMb;

    public double MallocGrowthMb => End.MallocMb - Start.MallocMb;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"soak: {Loss}: {Steps} steps in {Elapsed.TotalSeconds:0.0} s ({Elapsed.TotalMilliseconds / Steps:0.0} ms/step); "
        + $"native resident {Start.NativeMb:0.0} -> {End.NativeMb:0.0} MB ({NativeGrowthMb:+0.00;-0.00}); "
        + $"malloc in use {Start.MallocMb:0.0} -> {End.MallocMb:0.0} MB ({MallocGrowthMb:+0.00;-0.00}); "
        + $"RSS {Start.ResidentMb:0.0} -> {End.ResidentMb:0.0} MB; live tensors {Start.LiveTensors} -> {End.LiveTensors}; "
        + $"last loss {LastValue:0.0000}; native resident per tenth: {Points(m => m.NativeMb)}; malloc in use per tenth: {Points(m => m.MallocMb)}");

    private string Points(Func<Memory, double> megabytes) => string.Join(" ", Curve.Select(m => megabytes(m).ToString("0.0", CultureInfo.InvariantCulture)));
}

/// <summary>glibc's allocator statistics (glibc 2.33 and later), summed over all its arenas.</summary>
internal static class NativeHeap
{
    [System.Runtime.InteropServices.DllImport("libc")]
    public static extern MallocInfo mallinfo2();

    /// <summary>struct mallinfo2: every field a size_t.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    public struct MallocInfo
    {
        public nuint arena;
        public nuint ordblks;
        public nuint smblks;
        public nuint hblks;
        public nuint hblkhd;
        public nuint usmblks;
        public nuint fsmblks;
        public nuint uordblks;
        public nuint fordblks;
        public nuint keepcost;
    }
}
