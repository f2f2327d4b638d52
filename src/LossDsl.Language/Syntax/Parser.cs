using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using LossDsl.Language.Diagnostics;

namespace LossDsl.Language.Syntax;

/// <summary>
/// Recursive-descent parser for loss expressions and <c>.loss</c> files (docs/language.md has the whole grammar):
/// <code>
/// file       := definition*
/// definition := 'loss' name ['(' parameter (',' parameter)* ')'] '=' expression ';'
/// parameter  := name ':' name [shape] clause*
/// clause     := 'ignore' ['-'] number | 'levels' dimension | 'weights' (name | '[' number (',' number)* ']') | 'resize' name | 'stride' dimension | 'dtype' name
/// shape      := '[' dimension (',' dimension)* ']'
/// expression := term (('+' | '-') term)*
/// term       := unary (('*' | '/') unary)*
/// unary      := '-' unary | primary
/// primary    := number | name [ '(' [argument (',' argument)*] ')' ] | '(' expression ')' | list
/// argument   := [name ':'] (expression | list)
/// list       := '[' [expression (',' expression)*] ']'
/// </code>
/// It always returns a tree: missing pieces become <see cref="MissingSyntax"/> and parsing resumes, so one pass reports several errors.
/// Tree height is bounded by <see cref="MaxHeight"/> so every later recursive stage has a bounded stack.
/// </summary>
internal sealed class Parser
{
    public const int MaxHeight = 200;

    private readonly ImmutableArray<Token> tokens;
    private readonly DiagnosticBag diagnostics;
    private int position;
    private int lastErrorPosition = -1;
    private bool abandoned;
    private bool inFile;

    private Parser(ImmutableArray<Token> tokens, DiagnosticBag diagnostics)
    {
        this.tokens = tokens;
        this.diagnostics = diagnostics;
    }

    /// <summary>Parses a whole text as one expression.</summary>
    public static ExpressionSyntax ParseExpression(string text, DiagnosticBag diagnostics)
    {
        var parser = new Parser(Lexer.Tokenize(text, diagnostics), diagnostics);
        var expression = parser.ParseExpression(depth: 0);
        if (parser.Current.Kind != TokenKind.EndOfText)
        {
            parser.ReportExpected("an operator or the end of the loss");
        }

        return expression;
    }

    /// <summary>Parses a whole <c>.loss</c> file; an error skips to the end of its definition, so later ones are still read.</summary>
    public static LossFileSyntax ParseFile(string text, DiagnosticBag diagnostics)
    {
        var parser = new Parser(Lexer.Tokenize(text, diagnostics), diagnostics) { inFile = true };
        var definitions = ImmutableArray.CreateBuilder<LossDefinitionSyntax>();
        while (parser.Current.Kind != TokenKind.EndOfText)
        {
            var before = parser.position;
            if (parser.Current is { Kind: TokenKind.Identifier, Text: "loss" })
            {
                definitions.Add(parser.ParseDefinition());
            }
            else
            {
                parser.ReportExpected("'loss' starting a definition");
                parser.SkipDefinition();
            }

            if (parser.position == before)
            {
                parser.Next();
            }
        }

        return new LossFileSyntax(definitions.ToImmutable());
    }

    private Token Current => tokens[position];

    private Token Peek(int offset) => tokens[Math.Min(position + offset, tokens.Length - 1)];

    private Token Next()
    {
        var token = Current;
        if (token.Kind != TokenKind.EndOfText)
        {
            position++;
        }

        return token;
    }

    private LossDefinitionSyntax ParseDefinition()
    {
        abandoned = false;
        var errorsBefore = diagnostics.ErrorCount;
        var first = position;
        var keyword = Next(); // 'loss'
        NameSyntax name;
        if (Current.Kind == TokenKind.Identifier)
        {
            var token = Next();
            name = new NameSyntax(token.Span, token.Text);
        }
        else
        {
            ReportExpected("the loss's name");
            name = new NameSyntax(new SourceSpan(Current.Span.Start, 0), string.Empty);
        }

        var signature = Current.Kind == TokenKind.OpenParen ? ParseSignature() : null;
        Expect(TokenKind.Equals);
        var body = ParseExpression(depth: 0);
        var end = body.Span;
        if (Current.Kind == TokenKind.Semicolon)
        {
            end = Next().Span;
        }
        else
        {
            ReportExpected("';' ending the definition");
            SkipDefinition();
        }

        // Its errors: what the parser reported while reading it (a missing ';' is reported on the next definition's
        // 'loss' but belongs here), and the lexer's bad characters among its tokens.
        var containsErrors = diagnostics.ErrorCount > errorsBefore || tokens.Skip(first).Take(position - first).Any(t => t.Kind == TokenKind.Bad);
        return new LossDefinitionSyntax(keyword.Span.Cover(end), name, signature, body) { ContainsErrors = containsErrors };
    }

    private SignatureSyntax ParseSignature()
    {
        var open = Next(); // '('
        var parameters = ParseSeparated(TokenKind.CloseParen, ParseSignatureParameter);
        var close = Expect(TokenKind.CloseParen);
        return new SignatureSyntax(open.Span.Cover(close), parameters);
    }

    private SignatureParameterSyntax ParseSignatureParameter()
    {
        var role = ExpectName("'pred' or 'target'");
        Expect(TokenKind.Colon);
        var kind = ExpectName(role.Name == "target" ? "'mask' or 'labels'" : "'logits' or 'probs'");
        var span = role.Span.Cover(kind.Span);
        ShapeSyntax? shape = null;
        if (Current.Kind == TokenKind.OpenBracket)
        {
            var open = Next();
            var dimensions = ParseSeparated(TokenKind.CloseBracket, ParseDimension);
            shape = new ShapeSyntax(open.Span.Cover(Expect(TokenKind.CloseBracket)), dimensions);
            span = span.Cover(shape.Span);
        }

        // The clauses after the shape, in any order; which role each belongs to is the binder's to check.
        var parameter = new SignatureParameterSyntax(span, role, kind, shape, null);
        while (Current.Kind == TokenKind.Identifier && Peek(1).Kind != TokenKind.Colon && !abandoned)
        {
            var keyword = Current;
            var repeated = keyword.Text switch
            {
                SignatureClauses.Ignore => parameter.Ignore is not null,
                SignatureClauses.Levels => parameter.Levels is not null,
                SignatureClauses.Weights => parameter.Weights is not null,
                SignatureClauses.Resize => parameter.Resize is not null,
                SignatureClauses.Stride => parameter.Stride is not null,
                SignatureClauses.Dtype => parameter.Dtype is not null,
                _ => (bool?)null,
            };
            if (repeated is null)
            {
                ReportExpected("',' or ')' after the parameter ('ignore', 'levels', 'weights', 'resize', 'stride' or 'dtype' may follow the shape)");
                Next();
                continue;
            }

            if (repeated == true)
            {
                ReportExpected($"',' or ')': '{keyword.Text}' is written once per parameter");
            }

            // A repeated clause is still read, so parsing goes on after it, and then dropped.
            var read = keyword.Text switch
            {
                SignatureClauses.Ignore => parameter with { Ignore = ParseIgnore() },
                SignatureClauses.Levels => parameter with { Levels = ParseLevels() },
                SignatureClauses.Weights => parameter with { Weights = ParseLevelWeights() },
                SignatureClauses.Resize => parameter with { Resize = ParseResize() },
                SignatureClauses.Dtype => parameter with { Dtype = ParseDtype() },
                _ => parameter with { Stride = ParseStride() },
            };
            span = span.Cover(tokens[position - 1].Span);
            if (repeated == false)
            {
                parameter = read;
            }
        }

        return parameter with { Span = span };
    }

    private IgnoreSyntax ParseIgnore()
    {
        var keyword = Next();
        var negative = Current.Kind == TokenKind.Minus;
        var start = negative ? Next().Span : Current.Span;
        int? value = null;
        if (Current.Kind == TokenKind.Number && int.TryParse(Current.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            value = negative ? -parsed : parsed;
            start = start.Cover(Next().Span);
        }
        else
        {
            ReportExpected("an integer label to ignore");
        }

        return new IgnoreSyntax(keyword.Span.Cover(start), value);
    }

    private LevelsSyntax ParseLevels()
    {
        var keyword = Next();
        var count = ParseDimension();
        return new LevelsSyntax(keyword.Span.Cover(count.Span), count);
    }

    private StrideSyntax ParseStride()
    {
        var keyword = Next();
        var value = ParseDimension();
        return new StrideSyntax(keyword.Span.Cover(value.Span), value);
    }

    private DtypeSyntax ParseDtype()
    {
        var keyword = Next();
        var value = ExpectName("a dtype such as 'float16'");
        return new DtypeSyntax(keyword.Span.Cover(value.Span), value);
    }

    private ResizeSyntax ParseResize()
    {
        var keyword = Next();
        var policy = ExpectName("'target' or 'pred'");
        return new ResizeSyntax(keyword.Span.Cover(policy.Span), policy);
    }

    /// <summary><c>weights same|exp|two</c> or <c>weights [1, 0.5]</c>; a minus is kept so the binder can say weights are non-negative.</summary>
    private LevelWeightsSyntax ParseLevelWeights()
    {
        var keyword = Next();
        if (Current.Kind != TokenKind.OpenBracket)
        {
            var mode = ExpectName("'same', 'exp', 'two' or a list of weights such as [1, 0.5]");
            return new LevelWeightsSyntax(keyword.Span.Cover(mode.Span), mode, ImmutableArray<NumberSyntax>.Empty);
        }

        Next(); // '['
        var list = ParseSeparated(TokenKind.CloseBracket, ParseSignedNumber);
        var close = Expect(TokenKind.CloseBracket);
        return new LevelWeightsSyntax(keyword.Span.Cover(close), null, list);
    }

    private NumberSyntax ParseSignedNumber()
    {
        Token? minus = Current.Kind == TokenKind.Minus ? Next() : null;
        if (Current.Kind != TokenKind.Number)
        {
            ReportExpected("a number");
            return new NumberSyntax(new SourceSpan(Current.Span.Start, 0), string.Empty, double.NaN);
        }

        var number = (NumberSyntax)ParseNumber(Next());
        return minus is null ? number : new NumberSyntax(minus.Value.Span.Cover(number.Span), "-" + number.Text, -number.Value);
    }

    private DimensionSyntax ParseDimension()
    {
        var token = Current;
        if (token.Kind == TokenKind.Identifier)
        {
            Next();
            return new DimensionSyntax(token.Span, token.Text, null);
        }

        if (token.Kind == TokenKind.Number && int.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            Next();
            return new DimensionSyntax(token.Span, token.Text, size);
        }

        ReportExpected("a dimension (a name such as H, or a size such as 256)");
        if (token.Kind is TokenKind.Number or TokenKind.Bad)
        {
            Next();
        }

        return new DimensionSyntax(new SourceSpan(token.Span.Start, 0), string.Empty, null);
    }

    private NameSyntax ExpectName(string expected)
    {
        if (Current.Kind == TokenKind.Identifier)
        {
            var token = Next();
            return new NameSyntax(token.Span, token.Text);
        }

        ReportExpected(expected);
        return new NameSyntax(new SourceSpan(Current.Span.Start, 0), string.Empty);
    }

    /// <summary>Skips to just after the next ';', or to the next 'loss', whichever comes first.</summary>
    private void SkipDefinition()
    {
        while (Current.Kind != TokenKind.EndOfText && Current is not { Kind: TokenKind.Identifier, Text: "loss" })
        {
            if (Next().Kind == TokenKind.Semicolon)
            {
                return;
            }
        }
    }

    private ExpressionSyntax ParseExpression(int depth)
    {
        var left = ParseTerm(depth);
        while (!abandoned && Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Next().Kind;
            var right = ParseTerm(depth);
            left = Bounded(new BinarySyntax(left.Span.Cover(right.Span), left, op, right));
        }

        return left;
    }

    private ExpressionSyntax ParseTerm(int depth)
    {
        var left = ParseUnary(depth);
        while (!abandoned && Current.Kind is TokenKind.Star or TokenKind.Slash)
        {
            var op = Next().Kind;
            var right = ParseUnary(depth);
            left = Bounded(new BinarySyntax(left.Span.Cover(right.Span), left, op, right));
        }

        return left;
    }

    private ExpressionSyntax ParseUnary(int depth)
    {
        if (!Enter(depth))
        {
            return Missing();
        }

        if (Current.Kind == TokenKind.Minus)
        {
            var minus = Next();
            var operand = ParseUnary(depth + 1);
            return Bounded(new UnarySyntax(minus.Span.Cover(operand.Span), TokenKind.Minus, operand));
        }

        return ParsePrimary(depth);
    }

    private ExpressionSyntax ParsePrimary(int depth)
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Next();
                return ParseNumber(token);

            case TokenKind.Identifier:
                Next();
                var name = new NameSyntax(token.Span, token.Text);
                return Current.Kind == TokenKind.OpenParen ? ParseCall(name, depth) : name;

            case TokenKind.OpenParen:
                Next();
                var inner = ParseExpression(depth + 1);
                var close = Expect(TokenKind.CloseParen);
                return Bounded(new ParenthesizedSyntax(token.Span.Cover(close), inner));

            case TokenKind.OpenBracket:
                return ParseList(depth);

            default:
                ReportExpected("an expression");
                // Skip a token that cannot start or end anything, so the caller makes progress; leave closers,
                // operators and ';' (which ends a definition in a .loss file) for the enclosing rule to resynchronise on.
                if (token.Kind is TokenKind.Bad or TokenKind.Colon)
                {
                    Next();
                }

                return new MissingSyntax(new SourceSpan(token.Span.Start, 0));
        }
    }

    private ExpressionSyntax ParseCall(NameSyntax callee, int depth)
    {
        Next(); // '('
        var arguments = ParseSeparated(TokenKind.CloseParen, () => ParseArgument(depth + 1));
        var close = Expect(TokenKind.CloseParen);
        return Bounded(new CallSyntax(callee.Span.Cover(close), callee, arguments));
    }

    private ArgumentSyntax ParseArgument(int depth)
    {
        NameSyntax? name = null;
        if (Current.Kind == TokenKind.Identifier && Peek(1).Kind == TokenKind.Colon)
        {
            var nameToken = Next();
            name = new NameSyntax(nameToken.Span, nameToken.Text);
            Next(); // ':'
        }

        var value = Current.Kind == TokenKind.OpenBracket ? ParseList(depth) : ParseExpression(depth);
        var span = name is null ? value.Span : name.Span.Cover(value.Span);
        return new ArgumentSyntax(span, name, value);
    }

    private ExpressionSyntax ParseList(int depth)
    {
        var open = Next(); // '['
        var items = ParseSeparated(TokenKind.CloseBracket, () => ParseExpression(depth + 1));
        var close = Expect(TokenKind.CloseBracket);
        return Bounded(new ListSyntax(open.Span.Cover(close), items));
    }

    /// <summary>Comma-separated items up to (not including) <paramref name="close"/>; resynchronises on a missing comma.</summary>
    private ImmutableArray<T> ParseSeparated<T>(TokenKind close, Func<T> parseItem)
    {
        var items = ImmutableArray.CreateBuilder<T>();
        while (!abandoned && Current.Kind != close && Current.Kind != TokenKind.EndOfText)
        {
            var before = position;
            items.Add(parseItem());
            if (Current.Kind == TokenKind.Comma)
            {
                Next();
                continue;
            }

            if (Current.Kind == close || Current.Kind == TokenKind.EndOfText)
            {
                break;
            }

            ReportExpected($"',' or {Token.Describe(close)}");
            if (position == before)
            {
                Next();
            }
        }

        return items.ToImmutable();
    }

    private ExpressionSyntax ParseNumber(Token token)
    {
        if (double.TryParse(token.Text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            && !double.IsInfinity(value))
        {
            return new NumberSyntax(token.Span, token.Text, value);
        }

        diagnostics.Add(LossDiagnostics.InvalidNumber, token.Span, token.Text);
        return new NumberSyntax(token.Span, token.Text, double.NaN);
    }

    /// <summary>Consumes the expected token, or reports it missing; returns the span to extend the node over.</summary>
    private SourceSpan Expect(TokenKind kind)
    {
        if (Current.Kind == kind)
        {
            return Next().Span;
        }

        ReportExpected(Token.Describe(kind));
        return new SourceSpan(Current.Span.Start, 0);
    }

    private void ReportExpected(string expected)
    {
        // One error per position: recovery often re-reports the same token.
        if (abandoned || Current.Span.Start == lastErrorPosition)
        {
            return;
        }

        lastErrorPosition = Current.Span.Start;
        if (Current.Kind == TokenKind.Bad)
        {
            return; // the lexer already said what is wrong with this character
        }

        diagnostics.Add(LossDiagnostics.ExpectedToken, Current.Span, expected, Current.Describe());
    }

    private bool Enter(int depth)
    {
        if (depth < MaxHeight && !abandoned)
        {
            return true;
        }

        Abandon(Current.Span);
        return false;
    }

    private ExpressionSyntax Bounded(ExpressionSyntax node)
    {
        if (node.Height > MaxHeight)
        {
            Abandon(node.Span);
        }

        return node;
    }

    // Past the limit the rest of the text is skipped: one clear error beats a cascade, and no stage recurses deeper.
    private void Abandon(SourceSpan span)
    {
        if (!abandoned)
        {
            abandoned = true;
            diagnostics.Add(LossDiagnostics.TooDeep, span, MaxHeight.ToString(CultureInfo.InvariantCulture));
        }

        if (inFile)
        {
            while (Current.Kind is not (TokenKind.EndOfText or TokenKind.Semicolon))
            {
                Next();
            }
        }
        else
        {
            position = tokens.Length - 1;
        }
    }

    private MissingSyntax Missing() => new(new SourceSpan(Current.Span.Start, 0));
}
