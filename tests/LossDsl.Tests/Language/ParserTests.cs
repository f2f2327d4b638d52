using LossDsl.Language.Diagnostics;
using LossDsl.Language.Syntax;

namespace LossDsl.Tests.Language;

/// <summary>The parser's tree, printed fully parenthesised, for precedence, associativity and recovery.</summary>
public sealed class ParserTests
{
    [Theory]
    [InlineData("loss A = bce;\nloss B = iou;", false, false)]
    // A missing ';' is reported on the next 'loss', but belongs to the definition that lacks it.
    [InlineData("loss A = bce\nloss B = iou;", true, false)]
    // A bad character is the lexer's error, on a token of the definition that holds it.
    [InlineData("loss A = bce;\nloss B = bce & iou;", false, true)]
    [InlineData("loss A = dice(smooth: );\nloss B = iou;", true, false)]
    public void Each_definition_knows_whether_it_holds_an_error(string text, bool first, bool second)
    {
        var file = Parser.ParseFile(text, new DiagnosticBag());

        Assert.Equal(new[] { first, second }, file.Definitions.Select(d => d.ContainsErrors));
    }

    [Theory]
    [InlineData("bce + iou", "(bce + iou)")]
    [InlineData("a - b - c", "((a - b) - c)")]
    [InlineData("a / b / c", "((a / b) / c)")]
    [InlineData("a + b * c", "(a + (b * c))")]
    [InlineData("a * b + c", "((a * b) + c)")]
    [InlineData("-a * b", "((-a) * b)")]
    [InlineData("a * -b", "(a * (-b))")]
    [InlineData("- - a", "(-(-a))")]
    [InlineData("(a + b) * c", "((a + b) * c)")]
    [InlineData("0.5 * focal(gamma: 2) + dice", "((0.5 * focal(gamma: 2)) + dice)")]
    [InlineData("ssim(11, sigma: 1.5e0)", "ssim(11, sigma: 1.5e0)")]
    [InlineData("dice(weight: [1, 2, .5])", "dice(weight: [1, 2, .5])")]
    [InlineData("pow(dice, 2) // a comment", "pow(dice, 2)")]
    public void Precedence_and_associativity(string text, string expected)
    {
        var diagnostics = new DiagnosticBag();
        var tree = Parser.ParseExpression(text, diagnostics);
        Assert.Empty(diagnostics.ToImmutable());
        Assert.Equal(expected, Print(tree));
    }

    [Theory]
    [InlineData("bce +", "LOSS0002 [5..5): Expected an expression but found end of text")]
    [InlineData("bce + * iou", "LOSS0002 [6..7): Expected an expression but found '*'")]
    [InlineData("ssim(11", "LOSS0002 [7..7): Expected ')' but found end of text")]
    [InlineData("bce iou", "LOSS0002 [4..7): Expected an operator or the end of the loss but found 'iou'")]
    [InlineData("bce & iou", "LOSS0001 [4..5): Unexpected character '&' in loss text")]
    [InlineData("2x * bce", "LOSS0003 [0..2): '2x' is not a valid number")]
    [InlineData("dice(weight: [1, 2)", "LOSS0002 [18..19): Expected ',' or ']' but found ')'")]
    public void Errors_are_located_and_explained(string text, string expected)
    {
        var diagnostics = new DiagnosticBag();
        Parser.ParseExpression(text, diagnostics);
        Assert.Equal(expected, diagnostics.ToImmutable().First().ToString());
    }

    [Fact]
    public void Recovery_reports_several_errors_in_one_pass()
    {
        var diagnostics = new DiagnosticBag();
        Parser.ParseExpression("bce + * iou + ssim(11 + ", diagnostics);
        Assert.Equal(
            new[] { "LOSS0002 [6..7)", "LOSS0002 [24..24)" },
            diagnostics.ToImmutable().Select(d => $"{d.Id} {d.Span}"));
    }

    [Theory]
    [InlineData(10_000, '(')]
    [InlineData(10_000, '-')]
    public void Deep_nesting_is_one_error_not_a_stack_overflow(int depth, char opener)
    {
        var diagnostics = new DiagnosticBag();
        Parser.ParseExpression(new string(opener, depth) + "bce", diagnostics);
        Assert.Equal("LOSS0004", Assert.Single(diagnostics.ToImmutable()).Id);
    }

    [Fact]
    public void A_long_chain_of_terms_is_bounded()
    {
        var diagnostics = new DiagnosticBag();
        var tree = Parser.ParseExpression(string.Join(" + ", Enumerable.Repeat("bce", 5000)), diagnostics);
        Assert.Equal("LOSS0004", Assert.Single(diagnostics.ToImmutable()).Id);
        Assert.True(tree.Height <= Parser.MaxHeight + 1, $"height {tree.Height}");
    }

    private static string Print(ExpressionSyntax node) => node switch
    {
        NumberSyntax n => n.Text,
        NameSyntax n => n.Name,
        CallSyntax c => $"{c.Callee.Name}({string.Join(", ", c.Arguments.Select(a => (a.Name is null ? string.Empty : a.Name.Name + ": ") + Print(a.Value)))})",
        ListSyntax l => $"[{string.Join(", ", l.Items.Select(Print))}]",
        UnarySyntax u => $"(-{Print(u.Operand)})",
        BinarySyntax b => $"({Print(b.Left)} {Symbol(b.Operator)} {Print(b.Right)})",
        ParenthesizedSyntax p => Print(p.Inner),
        _ => "<missing>",
    };

    private static string Symbol(TokenKind kind) => kind switch
    {
        TokenKind.Plus => "+",
        TokenKind.Minus => "-",
        TokenKind.Star => "*",
        _ => "/",
    };
}
