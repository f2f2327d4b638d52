using System.Runtime.InteropServices;

namespace LossDsl.Benchmarks.Report;

/// <summary>The machine a run measured on, for the report.</summary>
public sealed record MachineInfo(int Cores, string Cpu, double MemoryGiB, string OperatingSystem, string Runtime, string TorchSharp, string LoadAverageAtStart)
{
    /// <summary>Reads /proc and the runtime.</summary>
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        Field("/proc/cpuinfo", "model name") ?? "unknown",
        Math.Round(double.Parse(Field("/proc/meminfo", "MemTotal")!.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / (1024 * 1024), 1),
        (Field("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription) + ", kernel " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        RuntimeInformation.FrameworkDescription,
        "TorchSharp " + typeof(TorchSharp.torch).Assembly.GetName().Version,
        File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b));

    private static string? Field(string path, string name, char separator = ':') =>
        File.ReadLines(path)
            .Where(l => l.StartsWith(name, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(separator) + 1)..].Trim())
            .FirstOrDefault();
}
