using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using LossGenerator = LossDsl.Generator.LossGenerator;

namespace LossDsl.Tests.Infrastructure;

/// <summary>Runs the LossDsl generator on C# source in memory, against .NET 10, TorchSharp and LossDsl.Runtime.</summary>
public static class GeneratorHarness
{
    public const string SourcePath = "/src/Losses.cs";

    private static readonly ImmutableArray<MetadataReference> References = ImmutableArray<MetadataReference>.CastUp(Net100.References.All)
        .Add(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
        .Add(MetadataReference.CreateFromFile(typeof(LossAttribute).Assembly.Location));

    public static CSharpCompilation CreateCompilation(string source, string path = SourcePath) => CSharpCompilation.Create(
        "Tests",
        new[] { CSharpSyntaxTree.ParseText(SourceText.From(source), new CSharpParseOptions(LanguageVersion.Latest), path) },
        References,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            // As the SDK does: TorchSharp is built against an older System.Runtime, which unifies fine.
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));

    /// <param name="lossFiles">.loss files given to the generator as AdditionalFiles.</param>
    /// <param name="properties">MSBuild properties the generator can see (RootNamespace is "Tests" unless given).</param>
    public static GeneratorDriver CreateDriver(IEnumerable<(string Path, string Text)>? lossFiles = null, IDictionary<string, string>? properties = null) =>
        CreateDriver((lossFiles ?? Array.Empty<(string, string)>()).Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)), properties);

    /// <param name="lossFiles">The AdditionalFiles themselves, for tests that later replace one of them.</param>
    /// <param name="properties">MSBuild properties the generator can see.</param>
    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> lossFiles, IDictionary<string, string>? properties = null)
    {
        var globals = new Dictionary<string, string> { ["build_property.RootNamespace"] = "Tests" };
        foreach (var (key, value) in properties ?? new Dictionary<string, string>())
        {
            globals["build_property." + key] = value;
        }

        return CSharpGeneratorDriver.Create(
            new[] { new LossGenerator().AsSourceGenerator() },
            lossFiles,
            new CSharpParseOptions(LanguageVersion.Latest),
            new InMemoryOptionsProvider(globals),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>Runs the generator; returns its result and the compilation with the generated files added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(string source, params (string Path, string Text)[] lossFiles)
    {
        var driver = CreateDriver(lossFiles).RunGeneratorsAndUpdateCompilation(CreateCompilation(source), out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>Diagnostics of the compiled output at warning level or above: generated code must have none.</summary>
    public static IReadOnlyList<Diagnostic> OutputProblems(Compilation output) =>
        output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>The single generated file's text.</summary>
    public static string GeneratedSource(string source)
    {
        var (result, output) = Run(source);
        var generated = Assert.Single(Assert.Single(result.Results).GeneratedSources);
        var errors = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(errors.Count == 0, "Generated code must compile without warnings:\n" + string.Join("\n", errors));
        return generated.SourceText.ToString();
    }
}

internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
}

internal sealed class InMemoryOptionsProvider(IDictionary<string, string> globals) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
{
    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions { get; } = new Options(globals);

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options(IDictionary<string, string> values) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
    {
        public static Options Empty { get; } = new(new Dictionary<string, string>());

        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}
