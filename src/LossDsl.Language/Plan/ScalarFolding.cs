using System;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// Builds scalar nodes with constants folded: <c>2 * 0.5 * dice</c> is <c>dice</c>, <c>(2 * dice) * 3</c> is <c>6 * dice</c>,
/// <c>dice / 4</c> is <c>0.25 * dice</c>, <c>a - -b</c> is <c>a + b</c>.
/// </summary>
internal static class ScalarFolding
{
    public static ScalarNode Negate(ScalarNode operand) => operand switch
    {
        ScalarConstant c => new ScalarConstant(-c.Value),
        ScalarNegation n => n.Operand,
        _ => new ScalarNegation(operand),
    };

    public static ScalarNode Binary(ScalarNode left, BinaryOperator op, ScalarNode right)
    {
        if (left is ScalarConstant a && right is ScalarConstant b)
        {
            return new ScalarConstant(Apply(a.Value, op, b.Value));
        }

        switch (op)
        {
            case BinaryOperator.Add when right is ScalarConstant { Value: 0 }:
            case BinaryOperator.Subtract when right is ScalarConstant { Value: 0 }:
            case BinaryOperator.Multiply when right is ScalarConstant { Value: 1 }:
            case BinaryOperator.Divide when right is ScalarConstant { Value: 1 }:
                return left;
            case BinaryOperator.Add when left is ScalarConstant { Value: 0 }:
            case BinaryOperator.Multiply when left is ScalarConstant { Value: 1 }:
                return right;
            case BinaryOperator.Subtract when right is ScalarNegation negated:
                return Binary(left, BinaryOperator.Add, negated.Operand);
            case BinaryOperator.Add when right is ScalarNegation negated:
                return Binary(left, BinaryOperator.Subtract, negated.Operand);
            case BinaryOperator.Divide when right is ScalarConstant divisor:
                return Binary(new ScalarConstant(1 / divisor.Value), BinaryOperator.Multiply, left);
            case BinaryOperator.Multiply when right is ScalarConstant:
                return Binary(right, op, left);
            case BinaryOperator.Multiply when left is ScalarConstant outer && right is ScalarBinary { Operator: BinaryOperator.Multiply, Left: ScalarConstant inner } product:
                return Binary(new ScalarConstant(outer.Value * inner.Value), op, product.Right);
        }

        return new ScalarBinary(left, op, right);
    }

    public static ScalarNode Call(ScalarFunction function, ImmutableArray<ScalarNode> arguments)
    {
        if (arguments.All(a => a is ScalarConstant))
        {
            var values = arguments.Select(a => ((ScalarConstant)a).Value).ToArray();
            return new ScalarConstant(Evaluate(function, values));
        }

        return new ScalarCall(function, arguments);
    }

    public static double Apply(double left, BinaryOperator op, double right) => op switch
    {
        BinaryOperator.Add => left + right,
        BinaryOperator.Subtract => left - right,
        BinaryOperator.Multiply => left * right,
        _ => left / right,
    };

    public static double Evaluate(ScalarFunction function, double[] arguments) => function switch
    {
        ScalarFunction.Log => Math.Log(arguments[0]),
        ScalarFunction.Exp => Math.Exp(arguments[0]),
        ScalarFunction.Sqrt => Math.Sqrt(arguments[0]),
        ScalarFunction.Abs => Math.Abs(arguments[0]),
        ScalarFunction.Cosh => Math.Cosh(arguments[0]),
        _ => Math.Pow(arguments[0], arguments[1]),
    };
}
