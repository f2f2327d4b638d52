using Xunit.Sdk;

namespace LossDsl.Tests.Infrastructure;

/// <summary>The snapshot assertion itself: a mismatch fails with a readable diff and leaves the received file.</summary>
public sealed class SnapshotMechanicsTests
{
    [Fact]
    public void A_mismatch_fails_with_a_unified_diff_and_writes_the_received_file()
    {
        var directory = Path.Combine(Path.GetTempPath(), "lossdsl-snapshot-" + Guid.NewGuid().ToString("N"));
        var testFile = Path.Combine(directory, "Tests", "Sample.cs");
        var verified = Path.Combine(directory, "Snapshots", "Sample.Case.verified.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(verified)!);
        File.WriteAllText(verified, "line 1\nline 2\nline 3\n");
        try
        {
            var error = Assert.Throws<XunitException>(() => Snapshot.Verify("line 1\nline two\nline 3\n", accept: false, "Case", testFile, "Case"));

            Assert.Contains("--- verified\n+++ received\n line 1\n-line 2\n+line two\n line 3\n", error.Message.Replace("\r\n", "\n"));
            Assert.Equal("line 1\nline two\nline 3\n", File.ReadAllText(Path.ChangeExtension(verified, null).Replace(".verified", ".received") + ".cs"));

            Snapshot.Verify("line 1\nline 2\nline 3\n", accept: false, "Case", testFile, "Case");
            Assert.False(File.Exists(verified.Replace(".verified.", ".received.")), "a match removes the stale received file");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("1", null, true)]
    [InlineData("1", "false", true)]
    [InlineData("1", "true", false)]
    [InlineData(null, null, false)]
    [InlineData("0", null, false)]
    public void Acceptance_is_refused_on_CI(string? accept, string? ci, bool accepted)
    {
        var environment = new Dictionary<string, string?> { [Snapshot.AcceptVariable] = accept, ["CI"] = ci };

        Assert.Equal(accepted, Snapshot.AcceptsChanges(name => environment.GetValueOrDefault(name)));
    }

    [Fact]
    public void The_CI_script_runs_the_tests_as_CI_and_drops_any_request_to_accept()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, ".ci", "run")).Select(l => l.Trim()).ToList();
        var test = lines.FindIndex(l => l.StartsWith("dotnet test", StringComparison.Ordinal));

        Assert.InRange(lines.IndexOf("export CI=true"), 0, test);
        Assert.InRange(lines.IndexOf($"unset {Snapshot.AcceptVariable}"), 0, test);
    }
}
