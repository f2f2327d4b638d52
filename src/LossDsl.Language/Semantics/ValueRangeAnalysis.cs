using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>
/// Carries each term's <see cref="ValueRange"/> from the catalog through the operators and functions of the expression
/// (docs/language.md, "Value ranges") and reports what the ranges prove: a function evaluated where it is −∞, NaN or has
/// an infinite gradient (LOSS0905), a quotient by a value that can be 0 (LOSS0906), a product that is always 0 (LOSS0900)
/// and a power that makes its base constant (LOSS0907); with a declared float16 pred, a loss beyond float16's range
/// (LOSS0910). A scalar input's range is unknown, and so is every range computed from one: nothing is reported about
/// those, as the training loop decides their values.
/// </summary>
internal sealed class ValueRangeAnalysis
{
    // What the suggested fixes add: small next to any loss, and log(1e-6) ≈ −13.8 stays a modest value in float16 too.
    private const string Epsilon = "1e-6";

    // float16's largest finite value: a declared float16 pred gets its loss back in float16.
    private const double Float16Max = 65504;

    private readonly string text;
    private readonly SourceSpan own;
    private readonly LossSignature signature;
    private readonly DiagnosticBag diagnostics;

    private ValueRangeAnalysis(string text, SourceSpan own, LossSignature signature, DiagnosticBag diagnostics)
    {
        this.text = text;
        this.own = own;
        this.signature = signature;
        this.diagnostics = diagnostics;
    }

    /// <param name="bound">The bound expression.</param>
    /// <param name="text">The text its spans index into.</param>
    /// <param name="own">The characters of this expression: a spliced reference to another loss of the file is analysed
    /// for its range but reports nothing, as its own definition does that.</param>
    /// <param name="signature">The declared inputs: static sizes bound the distance terms, a float16 pred its loss.</param>
    /// <param name="diagnostics">Where findings go.</param>
    /// <returns>The range of the loss's value; null when it depends on a scalar input or on an unbounded term.</returns>
    public static ValueRange? Analyze(BoundExpression bound, string text, SourceSpan own, LossSignature signature, DiagnosticBag diagnostics)
    {
        // The loss is a sum of parts, whose ranges add up to its own: one pass gives both, and the float16 check reads the parts.
        var analysis = new ValueRangeAnalysis(text, own, signature, diagnostics);
        var parts = Parts(bound, negate: false).Select(p => (p.Part, Range: p.Negate ? -analysis.Range(p.Part) : analysis.Range(p.Part))).ToList();
        if (signature.Dtype == PredDtype.Float16)
        {
            analysis.CheckFloat16(bound, parts);
        }

        return parts.Aggregate((ValueRange?)ValueRange.Point(0), (sum, part) => sum + part.Range);
    }

    private ValueRange? Range(BoundExpression bound) => bound switch
    {
        BoundConstant constant => ValueRange.Point(constant.Value),
        BoundTerm term => term.Primitive.Range(term, signature),
        BoundNegation negation => -Range(negation.Operand),
        BoundBinary binary => Binary(binary),
        BoundFunction function => Function(function),
        _ => null,
    };

    /// <summary>
    /// A declared float16 pred gets its loss back in float16 (terms and sums are float32 until then): each part the total
    /// adds up (<c>0.5 * hausdorff_dt</c>) that can pass 65,504 is LOSS0910, or else the whole loss when its bounded
    /// parts together can. Parts bounded only by the logits (bce) have no finite bound and are not claimed to overflow.
    /// </summary>
    private void CheckFloat16(BoundExpression loss, IEnumerable<(BoundExpression Part, ValueRange? Range)> sumParts)
    {
        var parts = sumParts
            .Where(p => p.Range is { } r && !double.IsInfinity(r.Lower) && !double.IsInfinity(r.Upper) && ConstantFolder.TryEvaluate(p.Part) is null)
            .Select(p => (p.Part, Range: p.Range!.Value))
            .ToList();
        var reported = false;
        foreach (var (part, range) in parts.Where(p => Magnitude(p.Range) > Float16Max))
        {
            Report(LossDiagnostics.Float16Overflow, part.Span, null, Text(part), Reach(range));
            reported = true;
        }

        var sum = parts.Aggregate(ValueRange.Point(0), (total, p) => total + p.Range);
        if (!reported && parts.Count > 1 && Magnitude(sum) > Float16Max)
        {
            Report(LossDiagnostics.Float16Overflow, loss.Span, null, Text(loss), Reach(sum));
        }

        static double Magnitude(ValueRange range) => Math.Max(-range.Lower, range.Upper);

        static string Reach(ValueRange range) => Magnitude(range).ToString("N0", CultureInfo.InvariantCulture);
    }

    /// <summary>The parts a sum adds up, each with whether it is subtracted.</summary>
    private static IEnumerable<(BoundExpression Part, bool Negate)> Parts(BoundExpression bound, bool negate) => bound switch
    {
        BoundBinary { Operator: BinaryOperator.Add } sum => Parts(sum.Left, negate).Concat(Parts(sum.Right, negate)),
        BoundBinary { Operator: BinaryOperator.Subtract } difference => Parts(difference.Left, negate).Concat(Parts(difference.Right, !negate)),
        BoundNegation negation => Parts(negation.Operand, !negate),
        _ => new[] { (bound, negate) },
    };

    private ValueRange? Binary(BoundBinary binary)
    {
        var left = Range(binary.Left);
        var right = Range(binary.Right);
        switch (binary.Operator)
        {
            case BinaryOperator.Multiply:
                if (IsZeroFactor(binary.Left, binary.Right) || IsZeroFactor(binary.Right, binary.Left))
                {
                    Report(LossDiagnostics.ZeroTerm, binary.Span, null);
                }

                return left * right;
            case BinaryOperator.Divide:
                if (right is { } divisor && divisor.Reaches(0) && ConstantFolder.TryEvaluate(binary.Right) is null)
                {
                    // A sum or product divisor stands in parentheses already ('/' binds tighter): the constant goes inside them.
                    // A small constant fixes a divisor that only reaches 0 from above, not one that takes both signs.
                    var shifted = Shifted(binary.Right);
                    var replacement = divisor.Lower < 0 ? null : binary.Right is BoundBinary ? shifted : $"({shifted})";
                    Report(LossDiagnostics.DivisionByPossibleZero, binary.Right.Span, replacement, Text(binary.Right), HowItIsZero(binary.Right, divisor),
                        divisor.Lower < 0 ? "keep the divisor away from 0" : $"write '{Text(binary.Left)} / ({shifted})'");
                }

                return left * right?.Reciprocal();
            case BinaryOperator.Add:
                return left + right;
            default:
                return left - right;
        }
    }

    private ValueRange? Function(BoundFunction function)
    {
        var argument = function.Arguments[0];
        var range = Range(argument);
        switch (function.Function)
        {
            case ScalarFunction.Log:
                CheckPositive(argument, range, "log", "is NaN", "is −∞ and its gradient infinite", $"log({Shifted(argument)})");
                // Past a reported −∞ nothing is claimed (−∞ times a term that is 0 is NaN), as past a quotient by 0.
                return range is { } log && !log.GoesBelow(0) && !log.Reaches(0) ? log.MapIncreasing(Math.Log) : null;
            case ScalarFunction.Sqrt:
                CheckPositive(argument, range, "sqrt", "is NaN", "has an infinite gradient", $"sqrt({Shifted(argument)})");
                return range is { } sqrt && !sqrt.GoesBelow(0) ? sqrt.MapIncreasing(Math.Sqrt) : null;
            case ScalarFunction.Exp:
                return range?.MapIncreasing(Math.Exp);
            case ScalarFunction.Abs:
                return range?.MapEven(Math.Abs);
            case ScalarFunction.Cosh:
                return range?.MapEven(Math.Cosh);
            default:
                return Power(function, argument, range);
        }
    }

    /// <summary>pow(x, k) for a constant k: k = 0 makes x constant; k below 1 is infinite (k &lt; 0) or steep (0 &lt; k &lt; 1) at 0; a fractional k is NaN below 0.</summary>
    private ValueRange? Power(BoundFunction function, BoundExpression argument, ValueRange? range)
    {
        var exponentExpression = function.Arguments[1];
        Range(exponentExpression);
        if (ConstantFolder.TryEvaluate(exponentExpression) is not { } exponent || range is not { } x)
        {
            return null;
        }

        var k = Text(exponentExpression);
        if (exponent == 0 && ConstantFolder.TryEvaluate(argument) is null)
        {
            Report(LossDiagnostics.ConstantTerm, function.Span, null, Text(function), "1", Text(argument));
            return ValueRange.Point(1);
        }

        var integer = Math.Floor(exponent) == exponent;
        var fix = $"pow({Shifted(argument)}, {k})";
        if (!integer && exponent < 1)
        {
            CheckPositive(argument, x, $"pow(x, {k})", "is NaN", exponent < 0 ? "is infinite" : "has an infinite gradient", fix);
        }
        else if (!integer)
        {
            CheckPositive(argument, x, $"pow(x, {k})", "is NaN", null, fix);
        }
        else if (exponent < 0 && x.Reaches(0))
        {
            Report(LossDiagnostics.OutsideDomain, argument.Span, x.Lower < 0 ? null : Shifted(argument), Text(argument), HowItIsZero(argument, x), $"pow(x, {k}) is infinite",
                x.Lower < 0 ? "keep it away from 0" : $"write '{fix}'");
        }

        if (x.Lower >= 0 && exponent > 0)
        {
            return x.MapIncreasing(v => Math.Pow(v, exponent));
        }

        if (x.Lower > 0)
        {
            return x.Reciprocal()?.MapIncreasing(v => Math.Pow(v, -exponent));
        }

        // Below 0 only whole powers are defined: even ones are even functions, odd ones increase.
        return !integer || exponent < 0 ? null
            : exponent % 2 == 0 ? x.MapEven(v => Math.Pow(v, exponent))
            : x.MapIncreasing(v => Math.Pow(v, exponent));
    }

    /// <summary>A function defined for positive arguments only (log, sqrt, fractional powers): NaN below 0, <paramref name="atZero"/> at 0.</summary>
    private void CheckPositive(BoundExpression argument, ValueRange? range, string function, string belowZero, string? atZero, string fix)
    {
        if (range is not { } x)
        {
            return;
        }

        if (x.GoesBelow(0))
        {
            Report(LossDiagnostics.OutsideDomain, argument.Span, null, Text(argument), "can be negative", $"{function} {belowZero}",
                $"leave {function} out, or add a constant that keeps '{Text(argument)}' above 0");
        }
        else if (atZero is not null && x.Reaches(0))
        {
            Report(LossDiagnostics.OutsideDomain, argument.Span, Shifted(argument), Text(argument), HowItIsZero(argument, x), $"{function} {atZero}", $"write '{fix}'");
        }
    }

    /// <summary>Why a range holds 0: a term at its best (a perfect prediction), or a range that reaches it or has it inside.</summary>
    private static string HowItIsZero(BoundExpression expression, ValueRange range) =>
        expression is BoundTerm && range.Lower == 0 ? "is 0 for a perfect prediction"
        : range.Lower == 0 || range.Upper == 0 ? "reaches 0"
        : "can be 0";

    /// <summary>A literal or folded 0 times something that trains: the product is always 0.</summary>
    private static bool IsZeroFactor(BoundExpression factor, BoundExpression other) =>
        ConstantFolder.TryEvaluate(factor) is 0.0 && ConstantFolder.TryEvaluate(other) is null && other is not BoundError;

    private string Text(BoundExpression expression) => text.Substring(expression.Span.Start, expression.Span.Length);

    /// <summary>
    /// The expression with the small constant added, as the fixes write it: as it stands inside a call's parentheses and
    /// commas; a divisor gets its parentheses from the caller.
    /// </summary>
    private string Shifted(BoundExpression argument) => $"{Text(argument)} + {Epsilon}";

    /// <param name="descriptor">What was found.</param>
    /// <param name="span">Where.</param>
    /// <param name="replacement">The quick fix's text for <paramref name="span"/>, or null.</param>
    /// <param name="arguments">The message's arguments.</param>
    private void Report(LossDiagnosticDescriptor descriptor, SourceSpan span, string? replacement, params string[] arguments)
    {
        if (span.Start >= own.Start && span.End <= own.End)
        {
            diagnostics.AddWithFix(descriptor, span, replacement, arguments);
        }
    }
}
