using System.Runtime.InteropServices;

namespace LossDsl.Benchmarks.Report;

/// <summary>The machine a run measured on, for the report.</summary>
public sealed record MachineInfo(int Cores, string Cpu, double MemoryGiB, string OperatingSystem, string Runtime, string TorchSharp, string LoadAverageAtStart)
{
    /// <summary>Reads /proc and the runtime.</summary>
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        Processor(),
        Math.Round(double.Parse(Field("/proc/meminfo", "MemTotal")!.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / (1024 * 1024), 1),
        (Field("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription) + ", kernel " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        RuntimeInformation.FrameworkDescription,
        "TorchSharp " + typeof(TorchSharp.torch).Assembly.GetName().Version,
        File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b));

    // The model name (a VM may show only "AMD EPYC"), the family and model that tell its generations apart, and the
    // widest vectors the fused passes use on it: the figures differ several-fold between AVX2 and AVX-512 machines.
    private static string Processor() =>
        Inv($"{Field("/proc/cpuinfo", "model name") ?? "unknown"}, family {Field("/proc/cpuinfo", "cpu family") ?? "?"} model {Field("/proc/cpuinfo", "model") ?? "?"}, ")
        + (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "512-bit vectors (AVX-512)" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "256-bit vectors (AVX2, no AVX-512)" : "128-bit vectors");

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    private static string? Field(string path, string name, char separator = ':') =>
        File.ReadLines(path)
            .Where(l => l.IndexOf(separator) > 0 && l[..l.IndexOf(separator)].Trim() == name)
            .Select(l => l[(l.IndexOf(separator) + 1)..].Trim())
            .FirstOrDefault();
}
