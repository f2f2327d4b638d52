using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli;

/// <summary>
/// Each term's weight in the folded total when the total is linear in the terms (<c>bce + 0.5 * dice - iou</c> weighs
/// bce 1, dice 0.5, iou -1), so that <c>diff</c> can say "weight 0.5 → 1" instead of printing two totals. Null for a
/// total that is not linear (<c>log(dice)</c>, <c>bce * dice</c>): a term there has no single weight.
/// </summary>
internal static class TermWeights
{
    /// <returns>The weight of every term by index, or null.</returns>
    public static IReadOnlyDictionary<int, double>? Of(LossPlan plan) =>
        ScalarWalk.Walk(plan.Total, new LinearSink()) is { } linear ? linear.Weights : null;

    /// <summary>A linear form: weights of terms by index plus a constant.</summary>
    private sealed record Linear(ImmutableDictionary<int, double> Weights, double Constant)
    {
        public static Linear Of(ScalarOperand<Linear?> operand) =>
            operand.Constant is { } c ? new Linear(ImmutableDictionary<int, double>.Empty, c) : operand.Value!;

        public Linear Scale(double factor) =>
            new(Weights.ToImmutableDictionary(w => w.Key, w => w.Value * factor), Constant * factor);

        public Linear Add(Linear other) =>
            new(Weights.Keys.Union(other.Weights.Keys).ToImmutableDictionary(k => k, k => Weights.GetValueOrDefault(k) + other.Weights.GetValueOrDefault(k)),
                Constant + other.Constant);
    }

    private sealed class LinearSink : IScalarSink<Linear?>
    {
        public Linear? Constant(double value) => new(ImmutableDictionary<int, double>.Empty, value);

        public Linear? Term(int index) => new(ImmutableDictionary<int, double>.Empty.Add(index, 1), 0);

        // A run-time scalar is no constant: a term it multiplies has no single weight.
        public Linear? Input(int index) => null;

        public Linear? Negate(ScalarOperand<Linear?> operand) => Known(operand) ? Linear.Of(operand).Scale(-1) : null;

        public Linear? Binary(ScalarOperand<Linear?> left, BinaryOperator op, ScalarOperand<Linear?> right)
        {
            if (!Known(left) || !Known(right))
            {
                return null;
            }

            return op switch
            {
                BinaryOperator.Add => Linear.Of(left).Add(Linear.Of(right)),
                BinaryOperator.Subtract => Linear.Of(left).Add(Linear.Of(right).Scale(-1)),
                BinaryOperator.Multiply when left.Constant is { } factor => Linear.Of(right).Scale(factor),
                BinaryOperator.Multiply when right.Constant is { } factor => Linear.Of(left).Scale(factor),
                BinaryOperator.Divide when right.Constant is { } divisor and not 0 => Linear.Of(left).Scale(1 / divisor),
                _ => null,
            };
        }

        public Linear? Call(ScalarFunction function, ImmutableArray<ScalarOperand<Linear?>> arguments) => null;

        // A constant operand is always linear; a sub-expression is when its walk gave a form.
        private static bool Known(ScalarOperand<Linear?> operand) => operand.Constant is not null || operand.Value is not null;
    }
}
