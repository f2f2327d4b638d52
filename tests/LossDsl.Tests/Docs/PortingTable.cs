using System.Globalization;
using System.Text.RegularExpressions;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Docs;

/// <summary>
/// The rows of docs/porting.md's tables, | `peer call` | `loss text` | inputs | checked by |, read once for both test
/// projects: the loss tests compile each text and tie it to its fixture, the command-line tests port each call.
/// </summary>
public static partial class PortingTable
{
    public static string PagePath { get; } = Path.Combine(RepositoryRoot.Path, "docs", "porting.md");

    [GeneratedRegex(@"^\| `(?<peer>[^`]+)`[^|]*\| `(?<loss>[^`]+)` \| (?<input>logits|probs|log_probs), (?<target>mask|labels), C = (?<classes>\d+)(?:, ignore (?<ignore>\d+))?(?:, valid (?<valid>pixel|channel))? \| (?<check>[^|]*)\|$", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex(@"^`(?<fixture>port_\w+)`$")]
    private static partial Regex FixtureName();

    public static IReadOnlyList<PortingRow> Rows { get; } = Row().Matches(File.ReadAllText(PagePath))
        .Select(m => new PortingRow(
            m.Groups["peer"].Value,
            m.Groups["loss"].Value,
            new LossOptions
            {
                Input = m.Groups["input"].Value switch { "probs" => LossInput.Probabilities, "log_probs" => LossInput.LogProbabilities, _ => LossInput.Logits },
                Target = m.Groups["target"].Value == "labels" ? LossTarget.Labels : LossTarget.Mask,
                Classes = int.Parse(m.Groups["classes"].Value, CultureInfo.InvariantCulture),
                IgnoreIndex = m.Groups["ignore"].Success ? int.Parse(m.Groups["ignore"].Value, CultureInfo.InvariantCulture) : null,
                ValidMask = m.Groups["valid"].Value switch { "pixel" => LossPixelMap.PerPixel, "channel" => LossPixelMap.PerChannel, _ => LossPixelMap.None },
            },
            FixtureName().Match(m.Groups["check"].Value.Trim()) is { Success: true } f ? f.Groups["fixture"].Value : null))
        .ToList();

    /// <summary>Lines that look like table rows (a backticked first cell): each must be one the pattern reads.</summary>
    public static int TableLines => File.ReadAllLines(PagePath).Count(line => line.StartsWith("| `", StringComparison.Ordinal));
}

public sealed record PortingRow(string Peer, string Loss, LossOptions Options, string? Fixture)
{
    public override string ToString() => Peer;
}
