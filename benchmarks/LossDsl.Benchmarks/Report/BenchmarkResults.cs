using System.Text.Json;
using LossDsl.Benchmarks.GeneratorCost;
using LossDsl.Benchmarks.Measurements;

namespace LossDsl.Benchmarks.Report;

/// <summary>The median time of one forward + backward step, and the managed bytes it allocated.</summary>
public sealed record TimingResult(string Case, string Label, double MedianMs, long? AllocatedBytes);

/// <summary>
/// PyTorch eager for one case (from benchmarks/pytorch/bench.py): the wall-clock median, the median CPU time of a step
/// on one thread, and the peak native memory.
/// </summary>
public sealed record PyTorchResult(string Case, double MedianMs, double CpuMs, long PeakBytes);

/// <summary>What <c>bench.py --json</c> writes.</summary>
public sealed record PyTorchRun(string TorchVersion, int Threads, List<PyTorchResult> Results);

/// <summary>The median of one Gaussian filter formulation.</summary>
public sealed record FilterResult(string Formulation, double MedianMs);

/// <summary>Everything one <c>--all</c> run measured; saved as JSON so the report can be rewritten without measuring again.</summary>
public sealed record BenchmarkResults(
    MachineInfo Machine,
    List<string> Checks,
    List<TimingResult> Timings,
    List<PeakMemoryResult> Memory,
    List<CpuTimeResult> CpuTimes,
    List<FilterResult> Filters,
    GeneratorCostResult Generator,
    PyTorchRun PyTorch,
    double DurationMinutes)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes the results to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Reads results saved by <see cref="Save"/>.</summary>
    public static BenchmarkResults Load(string path) => JsonSerializer.Deserialize<BenchmarkResults>(File.ReadAllText(path), Json)!;

    /// <summary>Reads what bench.py wrote (snake_case JSON).</summary>
    public static PyTorchRun LoadPyTorch(string path) => JsonSerializer.Deserialize<PyTorchRun>(File.ReadAllText(path), Json)!;
}
