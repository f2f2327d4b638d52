using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LossDsl.Tests.Generator;

/// <summary>Suspicious but legal text is a warning: the loss is still generated, and the usual suppressions work.</summary>
public sealed class WarningTests
{
    [Theory]
    [InlineData("""[Loss("bce + {|LOSS0900:0 * dice|}")]""")]
    [InlineData("""[Loss("bce + {|LOSS0900:dice * 0|}")]""")]
    [InlineData("""[Loss("dice(weight: {|LOSS0901:[0, 0, 0]|})", Classes = 3)]""")]
    [InlineData("""[Loss("bce + ms_ssim(3, scale_weights: {|LOSS0901:[0, 0]|})")]""")]
    [InlineData("""[Loss("dice + iou + {|LOSS0902:dice|}")]""")]
    [InlineData("""[Loss("iou + {|LOSS0902:jaccard(smooth: 1)|}")]""")]
    [InlineData("""[Loss("-(0.5 * dice) + bce - {|LOSS0902:dice|} / 2")]""")]
    [InlineData("""[Loss("log(dice + 1) + (1 + 2) * dice - {|LOSS0902:dice|}")]""")]
    [InlineData("""[Loss("bce + {|LOSS0900:(2 - 2) * dice|}")]""")]
    [InlineData("""[Loss("bce + iou", Levels = LossLevels.FromCall, {|LOSS0903:LevelWeightList = new[] { 0.0, 0.0, 0.0 }|})]""")]
    [InlineData("""[Loss("dice(per_image: true, activation: {|LOSS0904:none|}) + ce", Target = LossTarget.Labels, Classes = 4)]""")]
    [InlineData("""[Loss("bce + iou(activation: {|LOSS0904:none|})", Input = LossInput.LogProbabilities)]""")]
    [InlineData("""[Loss("-log({|LOSS0905:dice(smooth: 0) + iou|}) + bce")]""")]
    [InlineData("""[Loss(@"bce + sqrt({|LOSS0905:ssim(5)|})")]""")]
    [InlineData("""[Loss("dice + pow({|LOSS0905:boundary_dist|}, 1.5)")]""")]
    [InlineData("""[Loss("bce + pow({|LOSS0905:dice|}, -1)")]""")]
    [InlineData("""[Loss("bce + log({|LOSS0905:dice(smooth_nr: 2, smooth_dr: 1)|})")]""")]
    [InlineData("""[Loss("focal + 1 / ({|LOSS0906:bce - 0.5|})")]""")]
    [InlineData(""""
        [Loss("""
            ce / {|LOSS0906:dice|}
            """, Target = LossTarget.Labels, Classes = 3)]
        """")]
    [InlineData("""[Loss("bce + 2 * {|LOSS0907:pow(iou, 1 - 1)|}")]""")]
    [InlineData("""[Loss("0.5 * iou + bce - {|LOSS0908:iou|} / 2")]""")]
    [InlineData("""[Loss("dice - bce + {|LOSS0908:bce|} - dice(smooth: 2)")]""")]
    public void Warnings_are_located_and_the_loss_is_still_generated(string attribute)
    {
        var (source, expected) = DiagnosticMarkup.Parse("using LossDsl;\n" + attribute + "\npublic sealed partial class L;");
        var (result, output) = GeneratorHarness.Run(source);
        var run = Assert.Single(result.Results);

        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal((expected[0].Id, expected[0].Span), (diagnostic.Id, diagnostic.Location.SourceSpan));
        Assert.Single(run.GeneratedSources);
        Assert.Empty(GeneratorHarness.OutputProblems(output));
    }

    /// <summary>
    /// No false alarms: a term repeated inside a function or a product with another term is a different loss, not a
    /// factor to sum; a function whose argument stays in its domain, a divisor that only comes near 0, a range the
    /// training loop decides (a scalar input) and weights within six orders of magnitude are fine.
    /// </summary>
    [Theory]
    [InlineData("log((exp(dice) + exp(-dice)) / 2)")]   // Jadon's log-cosh Dice, written out
    [InlineData("dice * dice + bce")]
    [InlineData("dice + log(1 + dice)")]
    [InlineData("pow(dice, 2) - dice + dice / (1 + iou)")]
    [InlineData("(1 - a) * dice + a * dice(smooth: 1)")]
    [InlineData("log(cosh(dice)) + log(hausdorff_dt + 1)")]
    [InlineData("-log(1 - dice) + bce / (1 - iou)")]   // the scores: the smoothing keeps them above 0
    [InlineData("sqrt(dice + 1e-6) + pow(iou, 2) + pow(tversky, 1.5) + pow(dice(smooth: 2), 1 + 1) + pow(exp(-bce), -1)")]
    [InlineData("log(a * dice) + bce / a + sqrt(a)")]
    [InlineData("0.01 * hausdorff_dt + dice + 1e-5 * bce")]
    [InlineData("log(dice(log_loss: true) + 1) + abs(boundary_dist)")]
    public void Legitimate_losses_are_not_warned_about(string loss)
    {
        var (result, output) = GeneratorHarness.Run("using LossDsl;\n[Loss(\"" + loss + "\", Scalars = new[] { \"a\" })]\npublic sealed partial class L;");
        var run = Assert.Single(result.Results);
        Assert.Empty(run.Diagnostics);
        Assert.Single(run.GeneratedSources);
        Assert.Empty(GeneratorHarness.OutputProblems(output));
    }

    [Fact]
    public void Editorconfig_severity_none_silences_a_warning()
    {
        var compilation = GeneratorHarness.CreateCompilation("using LossDsl;\n[Loss(\"dice + dice\")]\npublic sealed partial class L;");
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.Add("LOSS0902", ReportDiagnostic.Suppress)));
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        Assert.DoesNotContain(diagnostics, d => d.Id == "LOSS0902" && !d.IsSuppressed);
    }

    [Fact]
    public void A_negligible_weight_is_a_suggestion_not_a_warning()
    {
        var (result, output) = GeneratorHarness.Run("using LossDsl;\n[Loss(\"bce + dice / 1e7\")]\npublic sealed partial class L;");
        var diagnostic = Assert.Single(Assert.Single(result.Results).Diagnostics);
        Assert.Equal(("LOSS0909", DiagnosticSeverity.Info), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal("'dice' weighs 1e-07, a millionth or less of 'bce' (1): float32 rounds it away from their sum and gradient; raise its weight or remove it",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(GeneratorHarness.OutputProblems(output));
    }
}
