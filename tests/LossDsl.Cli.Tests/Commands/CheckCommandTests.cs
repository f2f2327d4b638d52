using System.Text.RegularExpressions;
using LossDsl.Cli.Tests.Support;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Cli.Tests.Commands;

/// <summary><c>lossdsl check</c>: the compiler's diagnostics, located by line and column with carets under the span.</summary>
public sealed class CheckCommandTests
{
    [Theory]
    [InlineData("bce + iou")]
    [InlineData("0.5 * dice(smooth: 0) + jaccard")]
    public void Correct_text_prints_nothing_and_exits_0(string text)
    {
        Assert.Equal(new CliResult(0, "", ""), Lossdsl.Run("check", text));
    }

    [Fact]
    public void Declared_maps_are_checked_against_every_term()
    {
        Assert.Equal(new CliResult(0, "", ""), Lossdsl.Run("check", "bce + dice + lovasz_hinge", "--valid", "pixel"));
        Assert.Equal(new CliResult(0, "", ""), Lossdsl.Run("check", "bce + dice", "--valid", "pixel", "--pixel-weight", "channel", "--classes", "3"));

        var result = Lossdsl.Run("check", "dice + ssim", "--classes", "3", "--valid", "channel");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("(1,8): error LOSS0200: 'ssim' cannot be used with a valid mask: its spatial filters would mix left-out pixels into kept ones", result.Stdout);
    }

    /// <summary>Every <c>$ lossdsl check ...</c> example of docs/cli.md prints what the page shows, and exits as it says.</summary>
    [Fact]
    public void The_examples_in_docs_cli_md_are_what_the_command_prints()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "cli.md"));
        var examples = Regex.Matches(docs, "^\\$ lossdsl check (?<args>.*)\n(?<output>(?:(?!\\[exit).*\n)*)\\[exit (?<exit>\\d+)\\]$", RegexOptions.Multiline);
        Assert.True(examples.Count >= 4, $"docs/cli.md has {examples.Count} `lossdsl check` examples");
        foreach (Match example in examples)
        {
            var args = Regex.Matches(example.Groups["args"].Value, "\"([^\"]*)\"|(\\S+)").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
            var result = Lossdsl.Run(["check", .. args]);
            Assert.Equal((int.Parse(example.Groups["exit"].Value, System.Globalization.CultureInfo.InvariantCulture), example.Groups["output"].Value), (result.ExitCode, result.Stdout));
        }
    }

    [Fact]
    public void A_map_option_takes_pixel_or_channel()
    {
        var result = Lossdsl.Run("check", "bce", "--valid", "pixels");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("pixels", result.Stderr);
    }

    [Fact]
    public void An_unknown_loss_is_shown_under_the_text()
    {
        Assert.Equal(
            new CliResult(1, "(1,7): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?\n  bce + ioo\n        ^^^\n", ""),
            Lossdsl.Run("check", "bce + ioo"));
    }

    [Fact]
    public void Every_error_is_printed_in_text_order()
    {
        var result = Lossdsl.Run("check", "bce + ioo + dice(smooth: -1)");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "(1,7): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?\n"
            + "  bce + ioo + dice(smooth: -1)\n"
            + "        ^^^\n"
            + "(1,26): error LOSS0105: Parameter 'smooth' of 'dice' must be a number ≥ 0, not -1\n"
            + "  bce + ioo + dice(smooth: -1)\n"
            + "                           ^^\n",
            result.Stdout);
    }

    [Fact]
    public void A_missing_token_at_the_end_gets_one_caret_after_the_text()
    {
        Assert.Equal(
            "(1,7): error LOSS0002: Expected an expression but found end of text\n  bce + \n        ^\n",
            Lossdsl.Run("check", "bce + ").Stdout);
    }

    [Fact]
    public void Lines_and_columns_count_across_newlines()
    {
        Assert.Equal(
            "(2,3): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?\n    ioo\n    ^^^\n",
            Lossdsl.Run("check", "bce +\r\n  ioo").Stdout);
    }

    [Fact]
    public void Carets_keep_the_tabs_of_the_line_so_they_line_up()
    {
        Assert.Equal(
            "(1,7): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?\n  bce\t+ ioo\n     \t  ^^^\n",
            Lossdsl.Run("check", "bce\t+ ioo").Stdout);
    }

    [Fact]
    public void The_declared_task_is_checked()
    {
        Assert.Equal(
            new CliResult(1, "(1,1): error LOSS0200: 'bce' needs a mask target, but the target is multiclass labels\n  bce\n  ^^^\n", ""),
            Lossdsl.Run("check", "bce", "--labels", "--classes", "3"));
    }

    [Fact]
    public void Settings_errors_have_no_location_in_the_text()
    {
        Assert.Equal(
            new CliResult(1, "error LOSS0303: An ignore index applies to label targets only; a mask has no class index to ignore\n", ""),
            Lossdsl.Run("check", "dice", "--ignore-index", "255"));
        Assert.Equal(
            new CliResult(1, "error LOSS0303: The class count must be at least 2 for labels, not 1\n", ""),
            Lossdsl.Run("check", "dice", "--labels", "--classes", "1"));
    }

    [Fact]
    public void Labels_with_an_ignore_index_are_a_valid_signature()
    {
        Assert.Equal(new CliResult(0, "", ""), Lossdsl.Run("check", "dice", "--labels", "--classes", "4", "--ignore-index", "255", "--probabilities"));
    }
}
