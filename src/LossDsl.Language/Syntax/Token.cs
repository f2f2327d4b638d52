namespace LossDsl.Language.Syntax;

internal readonly record struct Token(TokenKind Kind, SourceSpan Span, string Text)
{
    public static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.EndOfText => "end of text",
        TokenKind.Number => "number",
        TokenKind.Identifier => "name",
        TokenKind.Plus => "'+'",
        TokenKind.Minus => "'-'",
        TokenKind.Star => "'*'",
        TokenKind.Slash => "'/'",
        TokenKind.OpenParen => "'('",
        TokenKind.CloseParen => "')'",
        TokenKind.OpenBracket => "'['",
        TokenKind.CloseBracket => "']'",
        TokenKind.Comma => "','",
        TokenKind.Colon => "':'",
        TokenKind.Equals => "'='",
        TokenKind.Semicolon => "';'",
        _ => "character",
    };

    public string Describe() => Kind switch
    {
        TokenKind.EndOfText => "end of text",
        TokenKind.Number or TokenKind.Identifier or TokenKind.Bad => $"'{Text}'",
        _ => Describe(Kind),
    };
}
