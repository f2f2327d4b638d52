using System.Text.RegularExpressions;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;

namespace LossDsl.Tests.Docs;

/// <summary>
/// docs/porting.md's tables hold: every row's LossDsl text compiles, without warnings, for the inputs the row names; a
/// row that names a fixture is that fixture (same text, same inputs), whose peer values <see cref="FixtureTests"/>
/// checks on both engines; and every porting fixture (<c>port_*</c>, written by tests/reference/port_peers.py) is
/// cited by a row.
/// </summary>
public sealed partial class PortingTableTests
{
    /// <summary>A table row: | `peer call` | `loss text` | inputs | checked by |.</summary>
    [GeneratedRegex(@"^\| `(?<peer>[^`]+)`[^|]*\| `(?<loss>[^`]+)` \| (?<input>logits|probs), (?<target>mask|labels), C = (?<classes>\d+) \| (?<check>[^|]*)\|$", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex(@"^`(?<fixture>port_\w+)`$")]
    private static partial Regex FixtureName();

    public sealed record PortingRow(string Peer, string Loss, LossOptions Options, string? Fixture)
    {
        public override string ToString() => Peer;
    }

    public static IReadOnlyList<PortingRow> Rows { get; } = Row().Matches(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "porting.md")))
        .Select(m => new PortingRow(
            m.Groups["peer"].Value,
            m.Groups["loss"].Value,
            new LossOptions
            {
                Input = m.Groups["input"].Value == "probs" ? LossInput.Probabilities : LossInput.Logits,
                Target = m.Groups["target"].Value == "labels" ? LossTarget.Labels : LossTarget.Mask,
                Classes = int.Parse(m.Groups["classes"].Value, System.Globalization.CultureInfo.InvariantCulture),
            },
            FixtureName().Match(m.Groups["check"].Value.Trim()) is { Success: true } f ? f.Groups["fixture"].Value : null))
        .ToList();

    public static TheoryData<PortingRow> AllRows() => new(Rows);

    [Fact]
    public void The_tables_have_the_rows_the_page_shows()
    {
        var tableLines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "docs", "porting.md"))
            .Count(line => line.StartsWith("| `", StringComparison.Ordinal));
        // Every table line is a row the pattern reads: a row it missed would go unchecked.
        Assert.Equal(tableLines, Rows.Count);
        Assert.True(Rows.Count >= 25, $"only {Rows.Count} rows");
    }

    [Theory]
    [MemberData(nameof(AllRows))]
    public void Each_row_compiles_without_warnings(PortingRow row)
    {
        LossCompiler.Plan(row.Loss, row.Options, out var warnings);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Rows_with_numbers_are_their_fixtures_and_every_porting_fixture_has_a_row()
    {
        var ports = Fixture.All.Where(f => f.Name.StartsWith("port_", StringComparison.Ordinal)).ToDictionary(f => f.Name);
        Assert.True(ports.Count >= 20, $"only {ports.Count} porting fixtures");
        foreach (var row in Rows.Where(r => r.Fixture is not null))
        {
            Assert.True(ports.TryGetValue(row.Fixture!, out var fixture), $"{row.Peer}: no fixture {row.Fixture}");
            Assert.Equal(row.Loss, fixture.Loss);
            Assert.Equal(row.Options.Input == LossInput.Probabilities, fixture.Probabilities);
            Assert.Equal(row.Options.Target == LossTarget.Labels, fixture.Labels);
            Assert.Equal(row.Options.Classes, fixture.Classes);
        }

        Assert.Empty(ports.Keys.Except(Rows.Select(r => r.Fixture).OfType<string>()));
    }
}
