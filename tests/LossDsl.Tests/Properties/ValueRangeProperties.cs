using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;
using LossDsl.Language.Syntax;
using static TorchSharp.torch;

namespace LossDsl.Tests.Properties;

/// <summary>
/// The value ranges are sound: on random inputs, every term of a random valid loss lies in the range its catalog entry
/// declares for its arguments, and the total in the range the analysis derives for the whole expression. A range that is
/// too narrow would silence a warning where the domain is really left (or warn where it is not).
/// </summary>
public sealed class ValueRangeProperties
{
    [Fact]
    public void Terms_and_totals_lie_in_their_ranges()
    {
        PropertyRun.ForAll(ValidLossGen.Loss, Holds, iterations: 200, seed: 7301, print: loss => loss.ToString());
    }

    private static void Holds(ValidLoss loss)
    {
        var plan = LossFrontEnd.Compile("L", loss.Text, loss.Signature).Plan;
        Assert.NotNull(plan);
        using var scope = NewDisposeScope();
        using var compiled = LossCompiler.Compile(loss.Text, loss.Options);
        var inputs = GeneratedAgreement.Inputs(loss);
        using var terms = compiled.Terms(inputs);
        foreach (var term in plan.Terms)
        {
            if (term.Primitive.Range(term.Bound, loss.Signature) is { } range)
            {
                AssertWithin(range, terms[term.Name].ToDouble(), $"{loss}: term {term.Bound.Canonical}");
            }
        }

        var diagnostics = new DiagnosticBag();
        var bound = Binder.Bind(Parser.ParseExpression(loss.Text, diagnostics), loss.Text, loss.Signature, diagnostics);
        if (ValueRangeAnalysis.Analyze(bound, loss.Text, new SourceSpan(0, loss.Text.Length), loss.Signature, diagnostics) is { } total)
        {
            AssertWithin(total, compiled.call(inputs).ToDouble(), $"{loss}: total");
        }
    }

    /// <summary>Within the closed range, up to float64 rounding; NaN is in no range.</summary>
    private static void AssertWithin(ValueRange range, double value, string what)
    {
        var slack = 1e-9 * Math.Max(1, Math.Abs(value));
        Assert.True(value >= range.Lower - slack && value <= range.Upper + slack, $"{what} = {value:R}, outside [{range.Lower:R}, {range.Upper:R}]");
    }
}
