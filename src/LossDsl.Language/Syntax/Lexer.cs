using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;

namespace LossDsl.Language.Syntax;

/// <summary>Turns loss text into tokens. Never fails: unknown characters become <see cref="TokenKind.Bad"/> tokens with a diagnostic.</summary>
internal static class Lexer
{
    public static ImmutableArray<Token> Tokenize(string text, DiagnosticBag diagnostics)
    {
        var tokens = ImmutableArray.CreateBuilder<Token>();
        var position = 0;
        while (true)
        {
            position = SkipTrivia(text, position);
            if (position >= text.Length)
            {
                tokens.Add(new Token(TokenKind.EndOfText, new SourceSpan(text.Length, 0), string.Empty));
                return tokens.ToImmutable();
            }

            var start = position;
            var c = text[position];
            TokenKind kind;
            if (IsIdentifierStart(c))
            {
                while (position < text.Length && IsIdentifierPart(text[position]))
                {
                    position++;
                }

                kind = TokenKind.Identifier;
            }
            else if (IsDigit(c) || (c == '.' && position + 1 < text.Length && IsDigit(text[position + 1])))
            {
                position = ScanNumber(text, position);
                kind = TokenKind.Number;
            }
            else
            {
                kind = Punctuation(c);
                position++;
                if (kind == TokenKind.Bad)
                {
                    diagnostics.Add(LossDiagnostics.UnexpectedCharacter, new SourceSpan(start, 1), c.ToString());
                }
            }

            tokens.Add(new Token(kind, SourceSpan.FromBounds(start, position), text.Substring(start, position - start)));
        }
    }

    private static int SkipTrivia(string text, int position)
    {
        while (position < text.Length)
        {
            if (char.IsWhiteSpace(text[position]))
            {
                position++;
            }
            else if (text[position] == '/' && position + 1 < text.Length && text[position + 1] == '/')
            {
                while (position < text.Length && text[position] != '\n')
                {
                    position++;
                }
            }
            else
            {
                break;
            }
        }

        return position;
    }

    // digits [. digits] [(e|E) [+|-] digits]; a malformed exponent is left for the parser's number check.
    private static int ScanNumber(string text, int position)
    {
        while (position < text.Length && IsDigit(text[position]))
        {
            position++;
        }

        if (position < text.Length && text[position] == '.')
        {
            position++;
            while (position < text.Length && IsDigit(text[position]))
            {
                position++;
            }
        }

        if (position < text.Length && (text[position] == 'e' || text[position] == 'E'))
        {
            position++;
            if (position < text.Length && (text[position] == '+' || text[position] == '-'))
            {
                position++;
            }

            while (position < text.Length && IsDigit(text[position]))
            {
                position++;
            }
        }

        // Letters glued to a number ("2x") belong to it, so the whole run is reported as one bad number.
        while (position < text.Length && IsIdentifierPart(text[position]))
        {
            position++;
        }

        return position;
    }

    private static TokenKind Punctuation(char c) => c switch
    {
        '+' => TokenKind.Plus,
        '-' => TokenKind.Minus,
        '*' => TokenKind.Star,
        '/' => TokenKind.Slash,
        '(' => TokenKind.OpenParen,
        ')' => TokenKind.CloseParen,
        '[' => TokenKind.OpenBracket,
        ']' => TokenKind.CloseBracket,
        ',' => TokenKind.Comma,
        ':' => TokenKind.Colon,
        '=' => TokenKind.Equals,
        ';' => TokenKind.Semicolon,
        _ => TokenKind.Bad,
    };

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c);

    /// <summary>Whether the loss text reads <paramref name="name"/> as one identifier (signature scalars must).</summary>
    public static bool IsIdentifier(string name) => name.Length > 0 && IsIdentifierStart(name[0]) && name.All(IsIdentifierPart);
}
