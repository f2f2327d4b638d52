using System.Globalization;
using System.Text.RegularExpressions;

namespace LossDsl.Tests.Examples;

/// <summary>examples/Volumes: dice + cldice + hausdorff_dt on synthetic 3-D vessels, trained for 40 steps.</summary>
public sealed class VolumesTests
{
    [Fact]
    public void Training_on_volumes_lowers_every_term_and_draws_the_curves()
    {
        var plot = Path.Combine(Path.GetTempPath(), $"lossdsl-volumes-{Guid.NewGuid():N}.png");
        try
        {
            var result = ExampleProgram.Run("Volumes", plot);
            Assert.True(result.ExitCode == 0, result.Stderr);

            var steps = Regex.Matches(result.Stdout, @"^step +(\d+)  total (\S+)  dice (\S+)  cldice (\S+)  hausdorff_dt (\S+)$", RegexOptions.Multiline)
                .Select(m => (Total: Number(m.Groups[2]), Dice: Number(m.Groups[3]), ClDice: Number(m.Groups[4]), Hausdorff: Number(m.Groups[5])))
                .ToList();
            Assert.True(steps.Count >= 8, result.Stdout);
            Assert.All(steps, s => Assert.Equal(s.Dice + s.ClDice + (0.01 * s.Hausdorff), s.Total, 2e-4));
            Assert.True(steps[^1].Total < steps[0].Total / 4, result.Stdout);
            Assert.True(steps[^1].ClDice < steps[0].ClDice / 4, result.Stdout);
            Assert.True(steps[^1].Hausdorff < steps[0].Hausdorff / 4, result.Stdout);

            var dice = Regex.Match(result.Stdout, @"^hard Dice of the thresholded prediction on the training volumes: ([0-9.]+)$", RegexOptions.Multiline);
            Assert.True(dice.Success && Number(dice.Groups[1]) > 0.8, result.Stdout);

            // A PNG: its signature, and more than a blank canvas.
            var bytes = File.ReadAllBytes(plot);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes.Take(4));
            Assert.True(bytes.Length > 10_000, $"{bytes.Length} bytes");
        }
        finally
        {
            File.Delete(plot);
        }
    }

    private static double Number(Group group) => double.Parse(group.Value, CultureInfo.InvariantCulture);
}
