using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using LossDsl.Language.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.CodeFixes;

/// <summary>
/// The fix a diagnostic carries itself: the compiler puts the text that fixes the mistake in the diagnostic
/// (<see cref="LossDiagnostic.Replacement"/>: the name "did you mean" suggests, the nearest value in range, a small
/// constant where a function leaves its domain), and this writes it over the marked characters of the
/// <c>[Loss("...")]</c> string. Diagnostics without one get no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LossTextFixProvider)), Shared]
public sealed class LossTextFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = LossDiagnostics.All.Select(d => d.Id).ToImmutableArray();

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(LossDiagnostic.ReplacementProperty, out var replacement) || replacement is null
                || !LiteralText.Holds(root, diagnostic.Location.SourceSpan))
            {
                continue;
            }

            var span = diagnostic.Location.SourceSpan;
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Change to '{replacement}'",
                    async cancellationToken =>
                    {
                        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
                        return document.WithText(text.WithChanges(new TextChange(span, replacement)));
                    },
                    equivalenceKey: diagnostic.Id),
                diagnostic);
        }
    }
}
