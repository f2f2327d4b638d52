using LossDsl.Cli.Tests.Support;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>Command-line mistakes: exit code 2 (not System.CommandLine's default 1, which here means bad loss text).</summary>
public sealed class UsageTests
{
    [Fact]
    public void No_command()
    {
        Assert.Equal(new CliResult(2, "", "lossdsl: Required command was not provided.\nRun 'lossdsl --help' for usage.\n"), Lossdsl.Run());
    }

    [Fact]
    public void A_missing_required_option()
    {
        Assert.Equal(
            new CliResult(2, "", "lossdsl: Option '--target' is required.\nRun 'lossdsl eval --help' for usage.\n"),
            Lossdsl.Run("eval", "bce", "--pred", "p.npy"));
    }

    [Fact]
    public void A_missing_expression()
    {
        var result = Lossdsl.Run("check");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.EndsWith("Run 'lossdsl check --help' for usage.\n", result.Stderr);
    }

    [Fact]
    public void An_unknown_option()
    {
        Assert.Equal(
            new CliResult(2, "", "lossdsl: Unrecognized command or argument '--labels'.\nRun 'lossdsl eval --help' for usage.\n"),
            Lossdsl.Run("eval", "bce", "--pred", "p.npy", "--target", "t.npy", "--labels"));
    }

    [Fact]
    public void A_value_of_the_wrong_type()
    {
        var result = Lossdsl.Run("check", "dice", "--labels", "--ignore-index", "none");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'none'", result.Stderr);
        Assert.Contains("--ignore-index", result.Stderr);
    }

    [Fact]
    public void Help_lists_every_command_and_exits_0()
    {
        var result = Lossdsl.Run("--help");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        Assert.Contains("check <expression>", result.Stdout);
        Assert.Contains("eval <expression>", result.Stdout);
        Assert.Contains("emit <loss>", result.Stdout);
        Assert.Contains("explain <loss>", result.Stdout);
    }

    [Fact]
    public void Eval_help_lists_every_option()
    {
        var result = Lossdsl.Run("eval", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--pred", "--target", "--probabilities", "--ignore-index", "--double", "--grad", "--json" })
        {
            Assert.Contains(option, result.Stdout);
        }
    }

    [Fact]
    public void Emit_help_lists_every_option()
    {
        var result = Lossdsl.Run("emit", "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var option in new[] { "--probabilities", "--labels", "--classes", "--ignore-index", "--name", "--namespace" })
        {
            Assert.Contains(option, result.Stdout);
        }
    }
}
