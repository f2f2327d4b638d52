using System.Text;
using System.Text.Json;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Syntax;

namespace LossDsl.Tests.Properties;

internal enum MutationKind
{
    InsertCharacter,
    DeleteCharacter,
    SwapCharacters,
    InsertToken,
    DeleteToken,
    DuplicateToken,
    ReplaceToken,
    SwapTokens,
}

/// <summary>
/// One edit of a loss text. Positions are taken modulo the text's length (or token count), so any pair of numbers is a
/// valid edit of any text and CsCheck can shrink them freely.
/// </summary>
internal sealed record TextMutation(MutationKind Kind, int First, int Second, string Insert)
{
    public string Apply(string text)
    {
        var tokens = Lexer.Tokenize(text, new DiagnosticBag()).Where(t => t.Kind != TokenKind.EndOfText).Select(t => t.Span).ToList();
        var at = First % (text.Length + 1);
        switch (Kind)
        {
            case MutationKind.InsertCharacter:
                return text.Insert(at, Insert[..1]);
            case MutationKind.DeleteCharacter when text.Length > 0:
                return text.Remove(First % text.Length, 1);
            case MutationKind.SwapCharacters when text.Length > 1:
                var i = First % (text.Length - 1);
                return text[..i] + text[i + 1] + text[i] + text[(i + 2)..];
            case MutationKind.InsertToken:
                // Between tokens (or at the end), so the insertion does not split one.
                var before = tokens.Count == 0 ? 0 : First % (tokens.Count + 1);
                var position = before == tokens.Count ? text.Length : tokens[before].Start;
                return text.Insert(position, Insert + " ");
            case MutationKind.DeleteToken when tokens.Count > 0:
                return Replace(text, tokens[First % tokens.Count], string.Empty);
            case MutationKind.DuplicateToken when tokens.Count > 0:
                var duplicated = tokens[First % tokens.Count];
                return text.Insert(duplicated.End, " " + text.Substring(duplicated.Start, duplicated.Length));
            case MutationKind.ReplaceToken when tokens.Count > 0:
                return Replace(text, tokens[First % tokens.Count], Insert);
            case MutationKind.SwapTokens when tokens.Count > 1:
                var (a, b) = (tokens[First % tokens.Count], tokens[Second % tokens.Count]);
                if (a.Start > b.Start)
                {
                    (a, b) = (b, a);
                }

                return a == b ? text : new StringBuilder(text[..a.Start])
                    .Append(text, b.Start, b.Length).Append(text, a.End, b.Start - a.End).Append(text, a.Start, a.Length).Append(text[b.End..])
                    .ToString();
            default:
                return text;
        }
    }

    public override string ToString() => $"{Kind}({First}, {Second}, {JsonSerializer.Serialize(Insert)})";

    private static string Replace(string text, SourceSpan span, string replacement) => text[..span.Start] + replacement + text[span.End..];
}
