using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using LossGenerator = LossDsl.Generator.LossGenerator;

namespace LossDsl.Cli.Tests.Support;

/// <summary>Runs the LossDsl source generator in memory on one .loss file, as a build gives it the file as an AdditionalFile.</summary>
public static class SourceGenerator
{
    /// <summary>The generated sources by hint name; <paramref name="rootNamespace"/> is the project's RootNamespace, or null for none.</summary>
    public static IReadOnlyDictionary<string, string> RunOnLossFile(string path, string text, string? rootNamespace)
    {
        var properties = rootNamespace is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["build_property.RootNamespace"] = rootNamespace };
        var driver = CSharpGeneratorDriver.Create(
            new[] { new LossGenerator().AsSourceGenerator() },
            new AdditionalText[] { new LossFile(path, text) },
            new CSharpParseOptions(LanguageVersion.Latest),
            new BuildProperties(properties));
        var result = Assert.Single(driver.RunGenerators(CSharpCompilation.Create("Tests")).GetRunResult().Results);
        Assert.Empty(result.Diagnostics);
        return result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
    }

    private sealed class LossFile(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class BuildProperties(IDictionary<string, string> properties) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(properties);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;

        private sealed class Options(IDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
