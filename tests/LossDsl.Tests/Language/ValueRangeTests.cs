using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;
using LossDsl.Language.Syntax;

namespace LossDsl.Tests.Language;

/// <summary>
/// The ranges the analysis derives: the catalog's range of each term for its arguments, then interval arithmetic through
/// the operators and functions, with whether each bound is reached (docs/language.md, "Value ranges").
/// </summary>
public sealed class ValueRangeTests
{
    [Theory]
    [InlineData("dice", 0, 1, true, false)]                          // smooth 1 keeps the score above 0: the loss never reaches 1
    [InlineData("dice(smooth: 0)", 0, 1, true, true)]
    [InlineData("dice(smooth_nr: 2, smooth_dr: 1)", -1, 1, true, false)]
    [InlineData("iou(log_loss: true)", 0, double.PositiveInfinity, true, false)]
    [InlineData("tversky(gamma: 2)", 0, 1, true, false)]
    [InlineData("mcc + ssim", 0, 4, true, false)]
    [InlineData("bce", 0, double.PositiveInfinity, true, false)]
    [InlineData("bce(label_smoothing: 0.1)", 0, double.PositiveInfinity, false, false)]
    [InlineData("active_contour(weight: 2)", 2e-4, double.PositiveInfinity, true, false)]
    [InlineData("2 * bce + 1", 1, double.PositiveInfinity, true, false)]
    [InlineData("dice - iou", -1, 1, false, false)]
    [InlineData("1 / (1 + dice)", 0.5, 1, false, true)]
    [InlineData("pow(dice - 2, 2)", 1, 4, false, true)]
    [InlineData("pow(dice - 0.5, 3)", -0.125, 0.125, true, false)]
    [InlineData("exp(-bce)", 0, 1, false, true)]
    [InlineData("log(cosh(dice))", 0, 0.43378083048302743, true, false)]
    [InlineData("abs(boundary_dist)", 0, double.PositiveInfinity, true, false)]
    [InlineData("-log(1 - dice)", 0, double.PositiveInfinity, true, false)]
    [InlineData("0 * hausdorff_dt", 0, 0, true, true)]
    public void The_range_of_an_expression(string text, double lower, double upper, bool lowerReached, bool upperReached)
    {
        var range = Analyze(text, out _);
        Assert.NotNull(range);
        Assert.Equal(lower, range.Value.Lower, 12);
        Assert.Equal(upper, range.Value.Upper, 12);
        Assert.Equal((lowerReached, upperReached), (range.Value.LowerReached, range.Value.UpperReached));
    }

    /// <summary>
    /// A scalar input, a term reading raw scores, a quotient by a value that can be 0, a log of one: no range, so nothing
    /// further is claimed (the last is −∞ times 0, NaN, where every term is 0).
    /// </summary>
    [Theory]
    [InlineData("a * dice")]
    [InlineData("dice(activation: none)")]
    [InlineData("iou(squared_pred: true, soft_label: true)")]
    [InlineData("bce / dice")]
    [InlineData("log(boundary_dist)")]
    [InlineData("log(focal) * (dice - iou)")]
    public void Some_expressions_have_no_range(string text) => Assert.Null(Analyze(text, out _));

    [Fact]
    public void A_referenced_loss_reports_its_own_findings_once()
    {
        const string file = "loss A = bce + log(dice);\nloss B = A + iou;\nloss C = A / iou;";
        var diagnostics = LossFrontEnd.CompileFile(file).Diagnostics;
        Assert.Equal(
            [("LOSS0905", "dice"), ("LOSS0906", "iou")],
            diagnostics.Select(d => (d.Id, file.Substring(d.Span.Start, d.Span.Length))));
        Assert.Equal(file.IndexOf("dice", StringComparison.Ordinal), diagnostics[0].Span.Start);
        Assert.Equal(file.LastIndexOf("iou", StringComparison.Ordinal), diagnostics[1].Span.Start);
    }

    private static ValueRange? Analyze(string text, out DiagnosticBag diagnostics)
    {
        diagnostics = new DiagnosticBag();
        var signature = new LossSignature(InputKind.Logits, TargetKind.Mask, 1, null, default) { Scalars = ["a"] };
        var bound = Binder.Bind(Parser.ParseExpression(text, diagnostics), text, signature, diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("; ", diagnostics.ToImmutable()));
        return ValueRangeAnalysis.Analyze(bound, text, new SourceSpan(0, text.Length), diagnostics);
    }
}
