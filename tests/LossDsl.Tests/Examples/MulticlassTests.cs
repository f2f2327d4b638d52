using System.Globalization;
using System.Text.RegularExpressions;

namespace LossDsl.Tests.Examples;

/// <summary>examples/Multiclass: ce + dice with class weights and a void label, trained for a few steps.</summary>
public sealed class MulticlassTests
{
    [Fact]
    public void Training_lowers_the_total_and_each_term()
    {
        var result = ExampleProgram.Run("Multiclass");
        Assert.True(result.ExitCode == 0, result.Stderr);

        var steps = Regex.Matches(result.Stdout, @"^step +(\d+)  total (\S+)  ce (\S+)  dice (\S+)$", RegexOptions.Multiline)
            .Select(m => (Total: Number(m.Groups[2]), Ce: Number(m.Groups[3]), Dice: Number(m.Groups[4])))
            .ToList();

        Assert.True(steps.Count >= 5, result.Stdout);
        Assert.All(steps, s => Assert.Equal(s.Ce + s.Dice, s.Total, 2e-4));
        Assert.All(steps.Zip(steps.Skip(1)), pair => Assert.True(pair.Second.Total < pair.First.Total, result.Stdout));
        Assert.True(steps[^1].Ce < steps[0].Ce / 2, result.Stdout);
        Assert.True(steps[^1].Dice < steps[0].Dice / 2, result.Stdout);

        var accuracy = Regex.Match(result.Stdout, @"^pixel accuracy on the labelled pixels of the training images: ([0-9.]+)%$", RegexOptions.Multiline);
        Assert.True(accuracy.Success && Number(accuracy.Groups[1]) > 90, result.Stdout);
    }

    private static double Number(Group group) => double.Parse(group.Value, CultureInfo.InvariantCulture);
}
