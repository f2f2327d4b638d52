using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Packaging;

/// <summary>
/// The LossDsl package, packed once from this build's outputs (no rebuild, so the repository's bin and obj stay as
/// they are) into a temporary folder outside the repository, under a version no earlier run used.
/// </summary>
public sealed class PackedLossDsl : IDisposable
{
    public PackedLossDsl()
    {
        Root = Path.Combine(Path.GetTempPath(), "lossdsl-package-" + Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        // The version the build gave the assembly (VersionPrefix in Directory.Build.props), as a prerelease of its own.
        Version = $"{typeof(LossAttribute).Assembly.GetName().Version!.ToString(3)}-test.{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        (PackExitCode, PackOutput) = Dotnet.Run(RepositoryRoot.Path,
        [
            "pack", Path.Combine(RepositoryRoot.Path, "src", "LossDsl.Runtime", "LossDsl.Runtime.csproj"),
            "-c", Dotnet.Configuration, "--no-build", "-nologo", "-o", Feed,
            "-p:PackageVersion=" + Version,
            "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec") + Path.DirectorySeparatorChar,
        ]);
    }

    /// <summary>The temporary folder holding everything of these tests; deleted at the end.</summary>
    public string Root { get; }

    /// <summary>The folder the package was packed into, used as a package source.</summary>
    public string Feed { get; }

    /// <summary>The package's version, e.g. 0.1.0-test.20260101120000123.</summary>
    public string Version { get; }

    public int PackExitCode { get; }

    public string PackOutput { get; }

    /// <summary>The .nupkg, after asserting that dotnet pack made it.</summary>
    public string PackagePath
    {
        get
        {
            var path = Path.Combine(Feed, $"LossDsl.{Version}.nupkg");
            Assert.True(PackExitCode == 0 && File.Exists(path), $"dotnet pack failed (exit code {PackExitCode}):\n{PackOutput}");
            return path;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
