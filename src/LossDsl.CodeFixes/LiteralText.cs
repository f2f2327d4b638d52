using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.CodeFixes;

/// <summary>Loss text as a C# string literal spells it: escaped in a regular string, quotes doubled in a verbatim one, as is in a raw one.</summary>
internal static class LiteralText
{
    /// <summary>
    /// The string literal token whose contents hold <paramref name="span"/>, or null: a diagnostic mapped to the whole
    /// argument (the text is not one plain literal) or to a delimiter cannot be fixed character by character.
    /// </summary>
    public static SyntaxToken? Containing(SyntaxNode root, TextSpan span)
    {
        var token = root.FindToken(span.Start);
        var isLiteral = token.Kind() is SyntaxKind.StringLiteralToken or SyntaxKind.SingleLineRawStringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken;
        return isLiteral && span.Start > token.SpanStart && span.End < token.Span.End ? token : null;
    }

    /// <summary><paramref name="text"/> written inside <paramref name="literal"/>.</summary>
    public static string Escape(SyntaxToken literal, string text) => literal.Kind() switch
    {
        SyntaxKind.StringLiteralToken when literal.Text.StartsWith("@", System.StringComparison.Ordinal) => text.Replace("\"", "\"\""),
        SyntaxKind.StringLiteralToken => SymbolDisplay.FormatLiteral(text, quote: false),
        _ => text,
    };
}
