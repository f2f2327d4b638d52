using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>
/// The terms the total adds up with constant factors only (<c>bce + 0.5 * dice - dice / 4</c>), each with its factor, and
/// what those factors say: a term written twice is one term with a summed factor (LOSS0902), unless the factors add up to
/// 0 and the term cancels (LOSS0908); a factor a million times smaller than another's leaves its term below float32's
/// rounding of the sum (LOSS0909). Inside a function or a product with another term (log-cosh Dice,
/// <c>log((exp(dice) + exp(-dice)) / 2)</c>, or <c>dice * dice</c>) a repetition is a different loss, not a factor to
/// sum, so it is not collected.
/// </summary>
internal static class LinearTermAnalysis
{
    /// <summary>float32 keeps 24 bits (6e-8 relative): a term weighted a millionth of another's moves their sum by rounding only.</summary>
    private const double NegligibleRatio = 1e6;

    /// <summary>One occurrence: the term, its factor, and the characters of the weighted term (<c>1e-9 * dice</c>).</summary>
    private readonly record struct Weighted(BoundTerm Term, double Factor, SourceSpan Span);

    /// <param name="bound">The bound expression.</param>
    /// <param name="own">The terms this expression writes itself, not those of a referenced loss (which reports its own).</param>
    /// <param name="diagnostics">Where findings go.</param>
    public static void Analyze(BoundExpression bound, IReadOnlyCollection<BoundTerm> own, DiagnosticBag diagnostics)
    {
        var weighted = Collect(bound, 1, null).ToList();
        var groups = weighted.GroupBy(w => w.Term.Canonical, StringComparer.Ordinal).ToList();
        foreach (var group in groups)
        {
            var later = group.Skip(1).Where(w => own.Any(term => ReferenceEquals(term, w.Term))).ToList();
            if (later.Count == 0)
            {
                continue;
            }

            if (group.Sum(w => w.Factor) == 0)
            {
                diagnostics.Add(LossDiagnostics.CancellingTerms, later[^1].Term.Span, later[^1].Term.Written);
                continue;
            }

            foreach (var repeated in later)
            {
                diagnostics.Add(LossDiagnostics.RepeatedTerm, repeated.Term.Span, repeated.Term.Written);
            }
        }

        var totals = groups.Select(g => (First: g.First(), Factor: Math.Abs(g.Sum(w => w.Factor)))).Where(g => g.Factor > 0).ToList();
        if (totals.Count < 2)
        {
            return;
        }

        var largest = totals.OrderByDescending(g => g.Factor).First();
        foreach (var (first, factor) in totals.Where(g => g.Factor * NegligibleRatio <= largest.Factor && own.Any(term => ReferenceEquals(term, g.First.Term))))
        {
            diagnostics.Add(LossDiagnostics.NegligibleWeight, first.Span, first.Term.Written, NumberText.Format(factor), largest.First.Term.Written, NumberText.Format(largest.Factor));
        }
    }

    /// <summary>
    /// The weighted terms of <paramref name="bound"/> in text order; <paramref name="span"/> covers the term with its factors
    /// (the outermost product below the nearest sum).
    /// </summary>
    private static IEnumerable<Weighted> Collect(BoundExpression bound, double factor, SourceSpan? span) => bound switch
    {
        BoundTerm term => new[] { new Weighted(term, factor, span ?? term.Span) },
        BoundNegation negation => Collect(negation.Operand, -factor, span),
        BoundBinary { Operator: BinaryOperator.Add } sum => Collect(sum.Left, factor, null).Concat(Collect(sum.Right, factor, null)),
        BoundBinary { Operator: BinaryOperator.Subtract } difference => Collect(difference.Left, factor, null).Concat(Collect(difference.Right, -factor, null)),
        BoundBinary { Operator: BinaryOperator.Multiply } product when ConstantFolder.TryEvaluate(product.Left) is { } left =>
            Collect(product.Right, factor * left, span ?? product.Span),
        BoundBinary { Operator: BinaryOperator.Multiply } product when ConstantFolder.TryEvaluate(product.Right) is { } right =>
            Collect(product.Left, factor * right, span ?? product.Span),
        BoundBinary { Operator: BinaryOperator.Divide } quotient when ConstantFolder.TryEvaluate(quotient.Right) is { } divisor =>
            Collect(quotient.Left, factor / divisor, span ?? quotient.Span),
        _ => Enumerable.Empty<Weighted>(),
    };
}
