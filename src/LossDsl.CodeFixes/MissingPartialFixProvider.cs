using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using LossDsl.Language.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.CodeFixes;

/// <summary>LOSS0300: a <c>[Loss]</c> class must be partial for the generator to add the loss to it; adds the modifier.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MissingPartialFixProvider)), Shared]
public sealed class MissingPartialFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(LossDiagnostics.NotPartial.Id);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not ClassDeclarationSyntax declaration)
            {
                continue;
            }

            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Make '{declaration.Identifier.Text}' partial",
                    cancellationToken => Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, WithPartial(declaration)))),
                    equivalenceKey: diagnostic.Id),
                diagnostic);
        }
    }

    /// <summary>The declaration with <c>partial</c> last among its modifiers, where C# requires it (<c>public sealed partial class</c>).</summary>
    private static ClassDeclarationSyntax WithPartial(ClassDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count == 0)
        {
            // Before 'class', taking over its leading trivia (indentation, attributes' line break).
            return declaration
                .WithKeyword(declaration.Keyword.WithLeadingTrivia())
                .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(declaration.Keyword.LeadingTrivia)));
        }

        return declaration.WithModifiers(declaration.Modifiers.Add(partial));
    }
}
