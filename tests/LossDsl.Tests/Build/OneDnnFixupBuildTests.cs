using System.Text.Json;
using LossDsl.Platform;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Build;

/// <summary>
/// What build/LossDsl.targets gives a project for the oneDNN fix-up, read from MSBuild's own evaluation: C#
/// applications get the module initializer, libraries do not, and <c>LossDslSkipOneDnnFixup=true</c> removes it and
/// writes the run-time switch that turns off the runtime's own initializer.
/// </summary>
public sealed class OneDnnFixupBuildTests : IDisposable
{
    private readonly string project = Path.Combine(RepositoryRoot.Path, "artifacts", "onednn-fixup-test-" + Guid.NewGuid().ToString("N")[..8]);

    public OneDnnFixupBuildTests() => Directory.CreateDirectory(project);

    [Theory]
    [InlineData("Exe", null, true, false)]
    [InlineData("WinExe", null, true, false)]
    [InlineData("Exe", "true", false, true)]
    [InlineData("Exe", "false", true, false)]
    [InlineData("Library", null, false, false)]
    [InlineData("Library", "true", false, true)]
    public void The_module_initializer_goes_to_applications_unless_the_project_opts_out(string outputType, string? skip, bool initializer, bool skipSwitch)
    {
        var (compile, options) = Evaluate(outputType, skip);

        Assert.Equal(initializer, compile.Any(path => Path.GetFileName(path) == "LossDsl.NativeSetup.cs"));
        Assert.Equal(skipSwitch, options.Contains($"{OneDnnIsaFixup.SkipSwitch}=true"));
    }

    public void Dispose() => Directory.Delete(project, recursive: true);

    private (string[] Compile, string[] Options) Evaluate(string outputType, string? skip)
    {
        var file = Path.Combine(project, "Probe.csproj");
        // Inside the repository, so Directory.Build.targets imports build/LossDsl.targets as the package would.
        File.WriteAllText(file, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>{outputType}</OutputType>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(RepositoryRoot.Path, "src", "LossDsl.Runtime", "LossDsl.Runtime.csproj")}" />
              </ItemGroup>
            </Project>
            """);
        var arguments = new List<string> { "msbuild", file, "-nologo", "-getItem:Compile", "-getItem:RuntimeHostConfigurationOption" };
        if (skip is not null)
        {
            arguments.Add("-p:LossDslSkipOneDnnFixup=" + skip);
        }

        var (exitCode, output) = Dotnet.Run(project, arguments);
        Assert.True(exitCode == 0, $"dotnet msbuild failed (exit code {exitCode}):\n{output}");

        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var items = json.RootElement.GetProperty("Items");
        var compile = items.GetProperty("Compile").EnumerateArray().Select(i => i.GetProperty("FullPath").GetString()!).ToArray();
        var options = items.TryGetProperty("RuntimeHostConfigurationOption", out var found)
            ? found.EnumerateArray().Select(i => $"{i.GetProperty("Identity").GetString()}={i.GetProperty("Value").GetString()}").ToArray()
            : [];
        return (compile, options);
    }
}
