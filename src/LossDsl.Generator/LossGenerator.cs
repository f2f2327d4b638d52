using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Generator.Model;
using LossDsl.Language.Diagnostics;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generator;

/// <summary>
/// Generates a fused TorchSharp loss module for every class marked <c>[Loss("...")]</c> and every definition in a
/// <c>.loss</c> file (AdditionalFiles). The pipeline only: reading inputs is in <c>LossGenerator.Parser.cs</c>,
/// compiling and emitting in <c>LossGenerator.Emitter.cs</c>. Source comes from value-equatable models only;
/// diagnostics go out separately.
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
        public const string LossFiles = nameof(LossFiles);
        public const string CompiledFiles = nameof(CompiledFiles);
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

        var namespaceForFiles = context.AnalyzerConfigOptionsProvider.Select(static (options, _) => Parser.LossFileNamespace(options));
        var descriptors = context.AnalyzerConfigOptionsProvider.Select(static (options, _) => Parser.HelpLinkBase(options))
            .Select(static (helpLinkBase, _) => DiagnosticDescriptors.For(helpLinkBase));
        var compiledFiles = context.AdditionalTextsProvider
            .Where(static file => Parser.IsLossFile(file.Path))
            .Combine(namespaceForFiles)
            .Select(static (pair, cancellationToken) => Parser.ReadLossFile(pair.Left, pair.Right, cancellationToken))
            .WithTrackingName(Steps.LossFiles)
            .Select(static (file, cancellationToken) => Emitter.CompileFile(file, cancellationToken))
            .WithTrackingName(Steps.CompiledFiles);

        context.RegisterSourceOutput(
            compiled.Select(static (loss, _) => loss.Output).Where(static output => output is not null),
            static (spc, output) => spc.AddSource(output!.HintName, output.Source));

        // All .loss outputs together, so that one name defined in two files is a diagnostic (LOSS0307), not a clash.
        context.RegisterSourceOutput(
            compiledFiles.Select(static (file, _) => file.Outputs).Collect().Combine(descriptors),
            static (spc, pair) => AddFileOutputs(spc, pair.Left, pair.Right));

        // The compilation is joined only here, to turn file paths back into syntax trees, so that
        // '#pragma warning disable' applies to diagnostics inside the attribute.
        context.RegisterSourceOutput(
            compiled.Select(static (loss, _) => loss.Diagnostics)
                .Collect()
                .Combine(compiledFiles.Select(static (file, _) => file.Diagnostics).Collect())
                .Combine(context.CompilationProvider)
                .Combine(descriptors),
            static (spc, pair) => Report(spc, pair.Left.Left.Left.Concat(pair.Left.Left.Right).SelectMany(d => d), pair.Left.Right, pair.Right));
    }

    private static void AddFileOutputs(SourceProductionContext context, ImmutableArray<EquatableArray<GeneratedLoss>> outputs, ImmutableDictionary<string, DiagnosticDescriptor> descriptors)
    {
        var definedIn = new Dictionary<string, string>(System.StringComparer.Ordinal);
        var added = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        foreach (var output in outputs.SelectMany(o => o))
        {
            // One class name in two files: the first file keeps it, every later definition is an error on its name
            // (rather than a duplicate class the C# compiler would report in generated code). Found here, reported here.
            var definition = output.Definition!;
            if (definedIn.TryGetValue(definition.FullName, out var firstFile))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    descriptors[LossDiagnostics.DefinedInAnotherFile.Id], Location.Create(definition.FilePath, definition.NameSpan, definition.NameLines),
                    definition.Name, firstFile));
                continue;
            }

            definedIn.Add(definition.FullName, System.IO.Path.GetFileName(definition.FilePath));

            // Names that differ only in case are different classes but would be one hint name on some file systems.
            var hint = output.HintName;
            for (var i = 2; !added.Add(hint); i++)
            {
                hint = output.HintName.Replace(".g.cs", $".{i}.g.cs");
            }

            context.AddSource(hint, output.Source);
        }
    }

    private static void Report(SourceProductionContext context, IEnumerable<DiagnosticInfo> diagnostics, Compilation compilation, ImmutableDictionary<string, DiagnosticDescriptor> descriptors)
    {
        foreach (var info in diagnostics)
        {
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == info.FilePath);
            var location = tree is not null ? Location.Create(tree, info.Span)
                : info.FilePath.Length > 0 ? Location.Create(info.FilePath, info.Span, info.Lines)
                : Location.None;
            var properties = info.Replacement is null ? null : ImmutableDictionary<string, string?>.Empty.Add(LossDiagnostic.ReplacementProperty, info.Replacement);
            context.ReportDiagnostic(Diagnostic.Create(descriptors[info.Id], location, properties, info.Arguments.ToArray<object>()));
        }
    }
}
