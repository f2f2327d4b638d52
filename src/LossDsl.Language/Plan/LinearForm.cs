using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// A folded total as <c>constant + Σ_i factors[i]·term_i</c>, when it is one: sums, differences, negations and products
/// with constants only (<c>bce + 0.5 * dice - iou / 4 + 1</c>; folding has made <c>iou / 4</c> a product,
/// <see cref="ScalarFolding.Binary"/>). A term the total does not read has factor 0.
/// </summary>
internal sealed record LinearForm(double Constant, ImmutableArray<double> Factors)
{
    /// <summary>The form of <paramref name="total"/> over <paramref name="terms"/> terms; null when it is not linear with constant factors.</summary>
    public static LinearForm? Of(ScalarNode total, int terms) => Of(total, terms, 1.0);

    private static LinearForm? Of(ScalarNode node, int terms, double factor)
    {
        switch (node)
        {
            case ScalarConstant constant:
                return new LinearForm(factor * constant.Value, ImmutableArray.CreateRange(Enumerable.Repeat(0.0, terms)));

            case ScalarTerm term:
                return new LinearForm(0, ImmutableArray.CreateRange(Enumerable.Range(0, terms).Select(i => i == term.Index ? factor : 0.0)));

            case ScalarNegation negation:
                return Of(negation.Operand, terms, -factor);

            case ScalarBinary { Operator: BinaryOperator.Add or BinaryOperator.Subtract } sum:
                var left = Of(sum.Left, terms, factor);
                var right = Of(sum.Right, terms, sum.Operator == BinaryOperator.Add ? factor : -factor);
                return left is null || right is null
                    ? null
                    : new LinearForm(left.Constant + right.Constant, left.Factors.Zip(right.Factors, (a, b) => a + b).ToImmutableArray());

            case ScalarBinary { Operator: BinaryOperator.Multiply, Left: ScalarConstant scale } product:
                return Of(product.Right, terms, factor * scale.Value);

            case ScalarBinary { Operator: BinaryOperator.Multiply, Right: ScalarConstant scale } product:
                return Of(product.Left, terms, factor * scale.Value);

            default:
                // A run-time scalar, a function, a product of terms, a quotient.
                return null;
        }
    }
}
