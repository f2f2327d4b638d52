extern alias generator;

using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using LossGenerator = generator::LossDsl.Generator.LossGenerator;

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

    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        new[] { new LossGenerator().AsSourceGenerator() },
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns its result and the compilation with the generated files added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(string source)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(CreateCompilation(source), out var output, out _);
        return (driver.GetRunResult(), output);
    }

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
