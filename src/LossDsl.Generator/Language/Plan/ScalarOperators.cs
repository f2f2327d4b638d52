using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>How the operators of a folded total are written: symbols and precedence, the same in loss syntax and in C#.</summary>
internal static class ScalarOperators
{
    public static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        _ => "/",
    };

    /// <summary>
    /// Whether <paramref name="operand"/> of <paramref name="parent"/> needs parentheses: a lower-precedence operation,
    /// or an equal one on the right of <c>-</c> or <c>/</c> (<c>a - (b - c)</c>).
    /// </summary>
    public static bool NeedsParentheses(ScalarNode operand, ScalarBinary parent, bool isRight) =>
        operand is ScalarBinary child
        && (Precedence(child.Operator) < Precedence(parent.Operator)
            || (isRight && Precedence(child.Operator) == Precedence(parent.Operator) && parent.Operator is BinaryOperator.Subtract or BinaryOperator.Divide));

    private static int Precedence(BinaryOperator op) => op is BinaryOperator.Add or BinaryOperator.Subtract ? 1 : 2;
}
