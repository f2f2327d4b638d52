using System.Linq;
using LossDsl.Generator.Model;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generator;

/// <summary>
/// Generates a fused TorchSharp loss module for every class marked <c>[Loss("...")]</c>.
/// The pipeline only: reading declarations is in <c>LossGenerator.Parser.cs</c>, compiling and emitting in
/// <c>LossGenerator.Emitter.cs</c>. Source comes from value-equatable models only; diagnostics go out separately.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class LossGenerator : IIncrementalGenerator
{
    internal const string LossAttributeName = "LossDsl.LossAttribute";

    /// <summary>Names of the tracked steps, for incremental-caching tests.</summary>
    internal static class Steps
    {
        public const string Declarations = nameof(Declarations);
        public const string Compiled = nameof(Compiled);
    }

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var compiled = context.SyntaxProvider
            .ForAttributeWithMetadataName(LossAttributeName, Parser.IsCandidate, Parser.Parse)
            .Where(static declaration => declaration is not null)
            .Select(static (declaration, _) => declaration!)
            .WithTrackingName(Steps.Declarations)
            .Select(static (declaration, cancellationToken) => Emitter.Compile(declaration, cancellationToken))
            .WithTrackingName(Steps.Compiled);

        context.RegisterSourceOutput(
            compiled.Select(static (loss, _) => loss.Output).Where(static output => output is not null),
            static (spc, output) => spc.AddSource(output!.HintName, output.Source));

        // The compilation is joined only here, to turn file paths back into syntax trees, so that
        // '#pragma warning disable' applies to diagnostics inside the attribute.
        context.RegisterSourceOutput(
            compiled.Select(static (loss, _) => loss.Diagnostics).Combine(context.CompilationProvider),
            static (spc, pair) => Report(spc, pair.Left, pair.Right));
    }

    private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics, Compilation compilation)
    {
        foreach (var info in diagnostics)
        {
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == info.FilePath);
            var location = tree is null ? Location.None : Location.Create(tree, info.Span);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ById[info.Id], location, info.Arguments.ToArray<object>()));
        }
    }
}
