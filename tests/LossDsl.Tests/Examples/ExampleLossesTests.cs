using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LossDsl.Tests.Examples;

/// <summary>
/// The examples' losses, attributes and <c>.loss</c> files alike, draw no LossDsl diagnostic at all, suggestions
/// included: the build of the examples fails on warnings, but an Info would pass it unseen. The configs ConfigDriven
/// reads are checked by its own tests (their warnings would reach stderr).
/// </summary>
public sealed class ExampleLossesTests
{
    public static TheoryData<string> Examples() => new(Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "examples"))
        .Where(d => Directory.EnumerateFiles(d, "*.csproj").Any()).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_losses_of_an_example_draw_no_diagnostic(string example)
    {
        var directory = Path.Combine(RepositoryRoot.Path, "examples", example);
        var sources = Files(directory, "*.cs").Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: f)).ToList();
        var lossFiles = Files(directory, "*.loss").Select(f => (f, File.ReadAllText(f))).ToList();
        var compilation = GeneratorHarness.CreateCompilation(string.Empty).AddSyntaxTrees(sources);

        var result = GeneratorHarness.CreateDriver(lossFiles).RunGenerators(compilation).GetRunResult();

        var run = Assert.Single(result.Results);
        Assert.Empty(run.Diagnostics.Where(d => d.Id.StartsWith("LOSS", StringComparison.Ordinal)).Select(d => d.ToString()));
        if (example != "ConfigDriven")
        {
            Assert.NotEmpty(run.GeneratedSources);
        }
    }

    private static IEnumerable<string> Files(string directory, string pattern) => Directory.EnumerateFiles(directory, pattern, SearchOption.AllDirectories)
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
