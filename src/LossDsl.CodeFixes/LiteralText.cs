using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.CodeFixes;

/// <summary>
/// Where loss text sits in C#: the contents of a regular, verbatim or raw string literal. A fix's text (names, numbers,
/// operators, parentheses) holds nothing a literal escapes, so it is written into any of them as it is.
/// </summary>
internal static class LiteralText
{
    /// <summary>
    /// Whether <paramref name="span"/> lies inside the contents of one string literal: a diagnostic mapped to the whole
    /// argument (the text is not one plain literal) or to a delimiter cannot be fixed character by character.
    /// </summary>
    public static bool Holds(SyntaxNode root, TextSpan span)
    {
        var token = root.FindToken(span.Start);
        var isLiteral = token.Kind() is SyntaxKind.StringLiteralToken or SyntaxKind.SingleLineRawStringLiteralToken or SyntaxKind.MultiLineRawStringLiteralToken;
        return isLiteral && span.Start > token.SpanStart && span.End < token.Span.End;
    }
}
