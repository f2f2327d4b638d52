using LossDsl.Tests.Numerics;

namespace LossDsl.Tests.Docs;

/// <summary>
/// docs/porting.md's tables hold: every row's LossDsl text compiles, without warnings, for the inputs the row names; a
/// row that names a fixture is that fixture (same text, same inputs), whose peer values <see cref="FixtureTests"/>
/// checks on both engines; and every porting fixture (<c>port_*</c>, written by tests/reference/port_peers.py) is
/// cited by a row.
/// </summary>
public sealed class PortingTableTests
{
    public static TheoryData<PortingRow> AllRows() => new(PortingTable.Rows);

    [Fact]
    public void The_tables_have_the_rows_the_page_shows()
    {
        // Every table line is a row the pattern reads: a row it missed would go unchecked.
        Assert.Equal(PortingTable.TableLines, PortingTable.Rows.Count);
        Assert.True(PortingTable.Rows.Count >= 40, $"only {PortingTable.Rows.Count} rows");
    }

    [Theory]
    [MemberData(nameof(AllRows))]
    public void Each_row_compiles_without_warnings(PortingRow row)
    {
        // Except what a faithful port must warn about in the peer's loss: Dice on raw logits (MONAI's DiceCELoss without an
        // activation, LOSS0904), and smp's focal Tversky, a power below 1 of a loss that reaches 0 (LOSS0905).
        LossCompiler.Plan(row.Loss, row.Options, out var warnings);
        string[] expected =
        [
            .. row.Loss.Contains("activation: none", StringComparison.Ordinal) ? ["LOSS0904"] : Array.Empty<string>(),
            .. row.Loss.StartsWith("pow(", StringComparison.Ordinal) ? ["LOSS0905"] : Array.Empty<string>(),
        ];
        Assert.Equal(expected, warnings.Select(w => w.Id));
    }

    [Fact]
    public void Rows_with_numbers_are_their_fixtures_and_every_porting_fixture_has_a_row()
    {
        var ports = Fixture.All.Where(f => f.Name.StartsWith("port_", StringComparison.Ordinal)).ToDictionary(f => f.Name);
        Assert.True(ports.Count >= 20, $"only {ports.Count} porting fixtures");
        foreach (var row in PortingTable.Rows.Where(r => r.Fixture is not null))
        {
            Assert.True(ports.TryGetValue(row.Fixture!, out var fixture), $"{row.Peer}: no fixture {row.Fixture}");
            Assert.Equal(row.Loss, fixture.Loss);
            Assert.Equal(row.Options.Input, fixture.Input);
            Assert.Equal(row.Options.Target == LossTarget.Labels, fixture.Labels);
            Assert.Equal(row.Options.Classes, fixture.Classes);
            Assert.Equal(row.Options.ValidMask, fixture.ValidMap);
        }

        Assert.Empty(ports.Keys.Except(PortingTable.Rows.Select(r => r.Fixture).OfType<string>()));
    }
}
