using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>Evaluates argument expressions made only of numbers (<c>-1</c>, <c>1/3</c>, <c>2e-3</c>).</summary>
internal static class ConstantFolder
{
    public static double? TryEvaluate(ExpressionSyntax syntax) => syntax switch
    {
        NumberSyntax number when !double.IsNaN(number.Value) => number.Value,
        ParenthesizedSyntax parenthesized => TryEvaluate(parenthesized.Inner),
        UnarySyntax unary => -TryEvaluate(unary.Operand),
        BinarySyntax binary when TryEvaluate(binary.Left) is { } left && TryEvaluate(binary.Right) is { } right => binary.Operator switch
        {
            TokenKind.Plus => left + right,
            TokenKind.Minus => left - right,
            TokenKind.Star => left * right,
            _ => left / right,
        },
        _ => null,
    };
}
