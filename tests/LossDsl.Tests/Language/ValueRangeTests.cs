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

    /// <summary>Static sizes bound the distance terms: D is the diagonal, √Σ(s − 1)².</summary>
    [Theory]
    [InlineData("hausdorff_dt", 0, 2 * 2 * 255 * 255)]                       // 2·D^α with α = 2
    [InlineData("hausdorff_dt(alpha: 1)", 0, 721.24891681027318)]            // 2·D
    [InlineData("boundary_dist", -360.62445840513659, 360.62445840513659)]
    public void Static_sizes_bound_the_distance_terms(string text, double lower, double upper)
    {
        var range = Analyze(text, out _, Signature with { Spatial = [256, 256] });
        Assert.NotNull(range);
        Assert.Equal(lower, range.Value.Lower, 9);
        Assert.Equal(upper, range.Value.Upper, 9);
    }

    /// <summary>
    /// LOSS0910 marks each part of the sum that can pass 65,504, or the whole loss when its bounded parts together can,
    /// for a declared float16 pred only.
    /// </summary>
    [Theory]
    [InlineData("dice + [0.5 * hausdorff_dt]", "float16", "130,050")]
    [InlineData("bce - [1e5 * dice]", "float16", "100,000")]
    [InlineData("[40000 * dice + 40000 * iou + bce]", "float16", "80,000")]
    [InlineData("dice + 0.2 * hausdorff_dt + bce", "float16", null)]   // 26,010 fits
    [InlineData("bce + lovasz_hinge", "float16", null)]               // bounded by the logits only: no finite bound to claim
    [InlineData("dice + hausdorff_dt", "bfloat16", null)]             // float32's range
    [InlineData("dice + hausdorff_dt", "float32", null)]
    public void A_float16_loss_that_can_pass_its_range(string marked, string dtype, string? reach)
    {
        var text = marked.Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);
        var file = $"loss L(pred: logits[N, 1, 256, 256] dtype {dtype}, target: mask[N, 1, 256, 256]) = {text};";
        var diagnostics = LossFrontEnd.CompileFile(file).Diagnostics;
        if (reach is null)
        {
            Assert.Empty(diagnostics);
            return;
        }

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("LOSS0910", diagnostic.Id);
        var start = file.IndexOf(text, StringComparison.Ordinal) + marked.IndexOf('[', StringComparison.Ordinal);
        Assert.Equal((start, marked.IndexOf(']', StringComparison.Ordinal) - marked.IndexOf('[', StringComparison.Ordinal) - 1), (diagnostic.Span.Start, diagnostic.Span.Length));
        Assert.StartsWith($"'{file.Substring(start, diagnostic.Span.Length)}' can reach {reach}, beyond float16's largest value (65,504)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("loss L(pred: logits[N, 1, H, W] dtype float61, target: mask[N, 1, H, W]) = bce;", "float61", "'dtype' is one of float16, bfloat16, float32, float64, not 'float61'; did you mean 'float16'?")]
    [InlineData("loss L(pred: logits[N, 1, H, W], target: mask[N, 1, H, W] dtype float16) = bce;", "dtype float16", "'dtype' belongs to pred, the input whose precision the loss computes in, not to target")]
    public void A_dtype_clause_is_checked(string file, string on, string message)
    {
        var diagnostic = Assert.Single(LossFrontEnd.CompileFile(file).Diagnostics);
        Assert.Equal(("LOSS0303", on, message), (diagnostic.Id, file.Substring(diagnostic.Span.Start, diagnostic.Span.Length), diagnostic.Message));
    }

    [Fact]
    public void A_declared_dtype_reads_back_in_the_signature() =>
        Assert.Equal("pred: logits[N, 1, H, W] dtype bfloat16, target: mask[N, 1, H, W]",
            Assert.Single(LossFrontEnd.CompileFile("loss L(pred: logits[N, 1, H, W] dtype bfloat16, target: mask[N, 1, H, W]) = bce;").Losses).Plan!.Signature.Display());

    private static readonly LossSignature Signature = new(InputKind.Logits, TargetKind.Mask, 1, null, LossSignature.DefaultSpatial) { Scalars = ["a"] };

    private static ValueRange? Analyze(string text, out DiagnosticBag diagnostics, LossSignature? signature = null)
    {
        diagnostics = new DiagnosticBag();
        signature ??= Signature;
        var bound = Binder.Bind(Parser.ParseExpression(text, diagnostics), text, signature, diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("; ", diagnostics.ToImmutable()));
        return ValueRangeAnalysis.Analyze(bound, text, new SourceSpan(0, text.Length), signature, diagnostics);
    }
}
