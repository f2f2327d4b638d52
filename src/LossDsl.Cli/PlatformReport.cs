using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using LossDsl.Platform;
using TorchSharp;

namespace LossDsl.Cli;

/// <summary>
/// The platform facts <c>lossdsl doctor</c> prints: versions, the CPU, threads, and what each native fix-up did in
/// this process and why.
/// </summary>
internal sealed record PlatformReport
{
    public required string LossDslVersion { get; init; }

    public required string TorchSharpVersion { get; init; }

    public required string LibTorchVersion { get; init; }

    public required string Runtime { get; init; }

    public required string OperatingSystem { get; init; }

    public required CpuFeatures Cpu { get; init; }

    public required int Cores { get; init; }

    public required int Threads { get; init; }

    public required int InteropThreads { get; init; }

    public required OneDnnIsaFixupState OneDnn { get; init; }

    /// <summary>The oneDNN variable as native code sees it now (null: unset, oneDNN's default).</summary>
    public required string? OneDnnVariable { get; init; }

    /// <summary>What the libstdc++ fix-up means for the libLibTorchSharp.so this process loaded.</summary>
    public required string LibStdCxx { get; init; }

    /// <summary>Reads the facts; touches libtorch (so it is loaded) but runs no convolution.</summary>
    public static PlatformReport Read() => new()
    {
        LossDslVersion = InformationalVersion(typeof(LossCompiler).Assembly),
        TorchSharpVersion = InformationalVersion(typeof(torch).Assembly),
        LibTorchVersion = torch.__version__,
        Runtime = RuntimeInformation.FrameworkDescription,
        OperatingSystem = $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
        Cpu = CpuFeatures.Current,
        Cores = Environment.ProcessorCount,
        Threads = torch.get_num_threads(),
        InteropThreads = torch.get_num_interop_threads(),
        OneDnn = OneDnnIsaFixup.Apply(),
        OneDnnVariable = NativeEnvironment.Get(OneDnnIsaFixup.Variable) ?? NativeEnvironment.Get(OneDnnIsaFixup.LegacyVariable),
        LibStdCxx = LibStdCxxStatus(),
    };

    private static string InformationalVersion(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var metadata = version.IndexOf('+', StringComparison.Ordinal);
        return metadata < 0 ? version : version[..metadata];
    }

    // The library as the loader mapped it (/proc/self/maps), so the answer is about the copy in use, not a guess.
    private static string LibStdCxxStatus()
    {
        const string Version = "GLIBCXX_3.4.32";
        if (!System.OperatingSystem.IsLinux())
        {
            return "not needed (not Linux)";
        }

        var loaded = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
            .Select(fields => fields[5])
            .FirstOrDefault();
        if (loaded is null)
        {
            return "libLibTorchSharp.so is not loaded";
        }

        try
        {
            var elf = File.ReadAllBytes(loaded);
            var need = ElfVersionNeed.ReadNeeds(elf).FirstOrDefault(n => n.Name == Version);
            var host = HostLibStdCxx.Find(ElfVersionNeed.CheckHeader(elf));
            var hostHasIt = host is not null && ElfVersionNeed.ReadDefinitions(File.ReadAllBytes(host)).Contains(Version);
            var state = need is null ? $"does not ask for {Version}"
                : need.IsWeak ? $"asks for {Version} weakly (patched by the build)"
                : $"asks for {Version} (unpatched)";
            var hostState = host is null ? "no libstdc++.so.6 found" : $"{host} {(hostHasIt ? "has" : "lacks")} it";
            return $"{loaded} {state}; {hostState}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ElfFormatException)
        {
            return $"{loaded}: cannot read it ({e.Message})";
        }
    }
}
