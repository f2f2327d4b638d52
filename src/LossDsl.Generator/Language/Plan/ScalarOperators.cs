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
    /// Whether <paramref name="operand"/> of <paramref name="parent"/> needs parentheses: a lower-precedence operation, or
    /// any operation of equal precedence on the right (<c>a - (b - c)</c>, and <c>a * (b * c)</c> too: the generated code
    /// must multiply in the plan's order, or float rounding makes it differ from the interpreter).
    /// </summary>
    public static bool NeedsParentheses(ScalarNode operand, ScalarBinary parent, bool isRight) =>
        operand is ScalarBinary child
        && (Precedence(child.Operator) < Precedence(parent.Operator)
            || (isRight && Precedence(child.Operator) == Precedence(parent.Operator)));

    private static int Precedence(BinaryOperator op) => op is BinaryOperator.Add or BinaryOperator.Subtract ? 1 : 2;
}
