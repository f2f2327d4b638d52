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
    [InlineData("""[Loss("log(dice) + (1 + 2) * dice - {|LOSS0902:dice|}")]""")]
    [InlineData("""[Loss("bce + iou", Levels = LossLevels.FromCall, {|LOSS0903:LevelWeightList = new[] { 0.0, 0.0, 0.0 }|})]""")]
    [InlineData("""[Loss("dice(per_image: true, activation: {|LOSS0904:none|}) + ce", Target = LossTarget.Labels, Classes = 4)]""")]
    [InlineData("""[Loss("bce + iou(activation: {|LOSS0904:none|})", Input = LossInput.LogProbabilities)]""")]
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

    /// <summary>A term repeated inside a function or a product with another term is a different loss, not a factor to sum.</summary>
    [Theory]
    [InlineData("log((exp(dice) + exp(-dice)) / 2)")]   // Jadon's log-cosh Dice, written out
    [InlineData("dice * dice + bce")]
    [InlineData("dice + log(dice)")]
    [InlineData("pow(dice, 2) - dice + dice / (1 + iou)")]
    [InlineData("(1 - a) * dice + a * dice(smooth: 1)")]
    public void A_term_repeated_nonlinearly_is_not_warned_about(string loss)
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
}
