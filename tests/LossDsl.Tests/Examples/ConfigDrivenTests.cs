using System.Globalization;
using System.Text.RegularExpressions;

namespace LossDsl.Tests.Examples;

/// <summary>examples/ConfigDriven: the loss comes from a JSON file; a bad one prints the compiler's diagnostics.</summary>
public sealed class ConfigDrivenTests
{
    [Fact]
    public void Default_config_runs_and_prints_each_term_of_its_loss()
    {
        var result = ExampleProgram.Run("ConfigDriven");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.Contains("loss   bce + 0.5 * dice\n", result.Stdout);
        var values = Values(result.Stdout);
        Assert.Equal(new[] { "total", "bce", "dice" }, values.Keys);
        Assert.Equal(values["bce"] + 0.5 * values["dice"], values["total"], 5e-6);
    }

    [Fact]
    public void Labels_config_with_an_ignore_index_runs()
    {
        var result = ExampleProgram.Run("ConfigDriven", "labels-loss.json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("target [2, 32, 32] labels", result.Stdout);
        var values = Values(result.Stdout);
        Assert.Equal(new[] { "total", "ce", "dice" }, values.Keys);
        Assert.Equal(values["ce"] + values["dice"], values["total"], 5e-6);
    }

    [Fact]
    public void Bad_config_prints_the_diagnostic_with_a_caret_under_its_characters_and_exits_1()
    {
        var result = ExampleProgram.Run("ConfigDriven", "bad-loss.json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        var lines = result.Stderr.Split('\n');
        Assert.Equal("bad-loss.json: the loss \"bce + ssim(10)\" has errors:", lines[0]);
        var at = Array.IndexOf(lines, "(1,12): error LOSS0105: Parameter 'window' of 'ssim' must be an odd integer ≥ 3, not 10");
        Assert.True(at >= 0, result.Stderr);
        Assert.Equal("  bce + ssim(10)", lines[at + 1]);
        Assert.Equal("  " + new string(' ', "bce + ssim(".Length) + "^^", lines[at + 2]);
    }

    [Fact]
    public void A_config_that_is_not_a_loss_config_exits_2_naming_the_file()
    {
        var result = ExampleProgram.Run("ConfigDriven", "ConfigDriven.csproj");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("ConfigDriven.csproj: ", result.Stderr);
    }

    // Lines such as "  bce    = 0.254517", in order.
    private static Dictionary<string, double> Values(string stdout) =>
        Regex.Matches(stdout, @"^  (\w+)\s+= (-?\d+\.\d+)$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
}
