namespace LossDsl.Language.Syntax;

internal enum TokenKind
{
    EndOfText,
    Number,
    Identifier,
    Plus,
    Minus,
    Star,
    Slash,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Comma,
    Colon,
    Equals,
    Semicolon,
    /// <summary>A character the language has no use for; the lexer reports it once and moves on.</summary>
    Bad,
}
