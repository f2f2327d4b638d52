using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>
/// Evaluates expressions made only of numbers: argument expressions (<c>-1</c>, <c>1/3</c>, <c>2e-3</c>), and the constant
/// factors of a bound expression (<c>(1 - 1) * dice</c>), which the analyses read.
/// </summary>
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

    /// <summary>The value of a bound expression without terms or scalar inputs; null when it has any.</summary>
    public static double? TryEvaluate(BoundExpression bound) => bound switch
    {
        BoundConstant constant => constant.Value,
        BoundNegation negation => -TryEvaluate(negation.Operand),
        BoundBinary binary when TryEvaluate(binary.Left) is { } left && TryEvaluate(binary.Right) is { } right => ScalarFolding.Apply(left, binary.Operator, right),
        BoundFunction function when function.Arguments.Select(TryEvaluate).ToArray() is var values && values.All(v => v is not null) =>
            ScalarFolding.Evaluate(function.Function, values.Select(v => v!.Value).ToArray()),
        _ => null,
    };
}
