namespace LossDsl.Tests.Infrastructure;

/// <summary>TorchSharp's native library on Linux, which the build's fix-up patches where this host needs it.</summary>
public static class TorchSharpNative
{
    /// <summary>The libstdc++ symbol version libLibTorchSharp.so asks for (GCC 13).</summary>
    public const string RequiredVersion = "GLIBCXX_3.4.32";

    /// <summary>The NuGet global packages folder these tests restored from (no nuget.config in the repo moves it).</summary>
    public static string PackagesFolder { get; } = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>The package's own copy, read only: the fix-up must never write it.</summary>
    public static string PristineLibrary { get; } =
        Path.Combine(PackagesFolder, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    /// <summary>Whether this host's libstdc++ provides <see cref="RequiredVersion"/>, so the original loads as it is.</summary>
    public static bool HostHasRequiredVersion()
    {
        var host = HostLibStdCxx.Find(ElfVersionNeed.EmX86_64);
        return host is not null && ElfVersionNeed.ReadDefinitions(File.ReadAllBytes(host)).Contains(RequiredVersion);
    }

    /// <summary>Whether the library at <paramref name="path"/> asks for <see cref="RequiredVersion"/> only weakly (patched).</summary>
    public static bool RequirementIsWeak(string path) =>
        ElfVersionNeed.ReadNeeds(File.ReadAllBytes(path)).Single(n => n.Name == RequiredVersion).IsWeak;
}
