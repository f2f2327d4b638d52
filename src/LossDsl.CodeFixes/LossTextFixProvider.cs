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
/// constant where a function leaves its domain), and this writes it over the marked characters: of the
/// <c>[Loss("...")]</c> string in C#, or of a <c>.loss</c> file (an additional document). Diagnostics without one get
/// no fix.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LossTextFixProvider),
    DocumentKinds = new[] { nameof(TextDocumentKind.Document), nameof(TextDocumentKind.AdditionalDocument) },
    DocumentExtensions = new[] { ".cs", ".loss" }), Shared]
public sealed class LossTextFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = LossDiagnostics.All.Select(d => d.Id).ToImmutableArray();

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        // In C# the characters must lie inside one string literal; a .loss file is loss text throughout.
        var document = context.TextDocument;
        var root = document is Document source ? await source.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false) : null;
        foreach (var diagnostic in context.Diagnostics)
        {
            var span = diagnostic.Location.SourceSpan;
            if (!diagnostic.Properties.TryGetValue(LossDiagnostic.ReplacementProperty, out var replacement) || replacement is null
                || (document is Document && (root is null || !LiteralText.Holds(root, span))))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Change to '{replacement}'",
                    async cancellationToken =>
                    {
                        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
                        var changed = text.WithChanges(new TextChange(span, replacement));
                        return document is Document sourceDocument
                            ? sourceDocument.WithText(changed).Project.Solution
                            : document.Project.Solution.WithAdditionalDocumentText(document.Id, changed);
                    },
                    equivalenceKey: diagnostic.Id),
                diagnostic);
        }
    }
}
