using System.Linq;
using System.Threading;
using LossDsl.Generator.Model;
using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Emit;
using Microsoft.CodeAnalysis;

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
                new DiagnosticInfo(d.Id, origin.FilePath, origin.Map(d.Span.Start, d.Span.End), d.Arguments.ToEquatableArray()))).ToEquatableArray();

            var output = compilation.Plan is null || diagnostics.Any(IsError)
                ? null
                : new GeneratedLoss(declaration.Type.HintName, CSharpEmitter.Emit(compilation.Plan, declaration.Type));
            return new GenerationResult(output, diagnostics);
        }

        private static bool IsError(DiagnosticInfo diagnostic) =>
            DiagnosticDescriptors.ById[diagnostic.Id].DefaultSeverity == DiagnosticSeverity.Error;
    }
}
