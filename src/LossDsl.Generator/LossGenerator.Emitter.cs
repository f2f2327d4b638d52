using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using LossDsl.Generator.Model;
using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator;

public sealed partial class LossGenerator
{
    /// <summary>Runs the shared compiler on a declaration and maps its diagnostics back into the file.</summary>
    private static class Emitter
    {
        public static GenerationResult Compile(LossDeclaration declaration, CancellationToken cancellationToken)
        {
            if (declaration.DeclarationDiagnostics.Any(d => d.Id == LossDiagnostics.TextNotConstant.Id))
            {
                return new GenerationResult(null, declaration.DeclarationDiagnostics);
            }

            var compilation = LossFrontEnd.Compile(declaration.Type.DisplayName, declaration.Text, declaration.Signature);
            cancellationToken.ThrowIfCancellationRequested();

            var origin = declaration.Origin;
            var diagnostics = declaration.DeclarationDiagnostics.Concat(compilation.Diagnostics.Select(d =>
                new DiagnosticInfo(d.Id, origin.FilePath, origin.Map(d.Span.Start, d.Span.End), d.Arguments.ToEquatableArray(),
                    Replacement: origin.IsExact ? d.Replacement : null))).ToEquatableArray();

            var output = compilation.Plan is null || diagnostics.Any(IsError)
                ? null
                : new GeneratedLoss(declaration.Type.HintName, CSharpEmitter.Emit(compilation.Plan, declaration.Type));
            return new GenerationResult(output, diagnostics);
        }

        public static FileGenerationResult CompileFile(LossFileDeclaration file, CancellationToken cancellationToken)
        {
            var compilation = LossFrontEnd.CompileFile(file.Text);
            cancellationToken.ThrowIfCancellationRequested();

            var text = SourceText.From(file.Text);
            // Spans index the file's own text, so they map to its lines as they are.
            var diagnostics = compilation.Diagnostics.Select(d =>
            {
                var span = new TextSpan(d.Span.Start, d.Span.Length);
                return new DiagnosticInfo(d.Id, file.Path, span, d.Arguments.ToEquatableArray(), text.Lines.GetLinePositionSpan(span), d.Replacement);
            }).ToEquatableArray();

            var fileName = System.IO.Path.GetFileName(file.Path);
            var outputs = compilation.Losses
                .Where(loss => loss.Plan is not null)
                .Select(loss =>
                {
                    var type = new GeneratedType(file.Namespace, ImmutableArray<string>.Empty, loss.Name, "public sealed partial");
                    var name = new TextSpan(loss.NameSpan.Start, loss.NameSpan.Length);
                    var fullName = file.Namespace is null ? loss.Name : file.Namespace + "." + loss.Name;
                    return new GeneratedLoss(type.HintName.Replace(".g.cs", ".loss.g.cs"), CSharpEmitter.Emit(loss.Plan!, type, fileName),
                        new FileDefinition(loss.Name, fullName, file.Path, name, text.Lines.GetLinePositionSpan(name)));
                })
                .ToEquatableArray();
            return new FileGenerationResult(outputs, diagnostics);
        }

        private static bool IsError(DiagnosticInfo diagnostic) =>
            LossDiagnostics.All.First(d => d.Id == diagnostic.Id).Severity == LossSeverity.Error;
    }
}
