using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Build;

/// <summary>
/// A real <c>dotnet build</c> of a small project using LossDsl, as a user runs it: mistakes print as
/// <c>file(line,col): error LOSS…</c> on the right character, <c>.loss</c> files are picked up without being named,
/// and <c>#pragma warning disable</c> silences a warning inside an attribute.
/// </summary>
public sealed class BuildOutputTests
{
    [Fact]
    public void Dotnet_build_reports_diagnostics_at_the_right_character()
    {
        var root = RepositoryRoot.Path;
        // Inside the repo's tree so that its Directory.Build.* files apply, as they do to the examples.
        var project = Path.Combine(root, "artifacts", "build-output-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(project);
        try
        {
            File.WriteAllText(Path.Combine(project, "Probe.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
                    <RootNamespace>Probe</RootNamespace>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{Path.Combine(root, "src", "LossDsl.Runtime", "LossDsl.Runtime.csproj")}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Losses.cs"), """
                using LossDsl;

                [Loss("bce + ioo")]
                public sealed partial class Broken;

                #pragma warning disable LOSS0902
                [Loss("dice + dice")]
                public sealed partial class Silenced;
                #pragma warning restore LOSS0902

                [Loss("iou + iou")]
                public sealed partial class Loud;
                """);
            File.WriteAllText(Path.Combine(project, "more.loss"), "// picked up without being named in the project\nloss Fine = bce;\nloss Bad = dice(smooth: -1);\n");

            var (exitCode, output) = Dotnet.Run(project, ["build", project, "-c", Dotnet.Configuration, "-nologo", "-clp:NoSummary"]);

            Assert.NotEqual(0, exitCode);
            Assert.Contains($"{Path.Combine(project, "Losses.cs")}(3,14): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?", output);
            Assert.Contains($"{Path.Combine(project, "Losses.cs")}(11,14): warning LOSS0902: 'iou' appears more than once with the same arguments", output);
            Assert.Contains($"{Path.Combine(project, "more.loss")}(3,25): error LOSS0105: Parameter 'smooth' of 'dice' must be a number ≥ 0, not -1", output);
            Assert.DoesNotContain("(7,", output.Split('\n').Where(l => l.Contains("LOSS0902", StringComparison.Ordinal)).FirstOrDefault() ?? string.Empty);
            Assert.Single(output.Split('\n').Where(l => l.Contains("warning LOSS0902", StringComparison.Ordinal)).Distinct());
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }
}
