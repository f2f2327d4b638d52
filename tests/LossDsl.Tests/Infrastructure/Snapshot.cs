using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace LossDsl.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions with Verify's conventions, so moving to Verify later is a package swap:
/// the expected text is committed as <c>Snapshots/{Class}.{Test}.verified.cs</c> beside the test; a mismatch writes
/// <c>*.received.cs</c> next to it and fails with a unified diff. Set <c>LOSSDSL_ACCEPT=1</c> to accept received
/// output as the new verified file (never on CI, where a missing verified file is a failure).
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "LOSSDSL_ACCEPT";

    /// <summary>Whether this run may rewrite verified files: only when asked, and never on CI (<c>CI=true</c>, as .ci/run sets).</summary>
    public static bool Accepting => AcceptsChanges(Environment.GetEnvironmentVariable);

    /// <summary>The rule behind <see cref="Accepting"/>, over any environment.</summary>
    public static bool AcceptsChanges(Func<string, string?> environment) =>
        environment(AcceptVariable) == "1" && environment("CI") != "true";

    public static void Verify(string actual, string? name = null, [CallerFilePath] string testFile = "", [CallerMemberName] string test = "") =>
        Verify(actual, Accepting, name, testFile, test);

    /// <param name="actual">The output.</param>
    /// <param name="accept">Whether a difference rewrites the verified file instead of failing.</param>
    /// <param name="name">The snapshot's name, by default the test's.</param>
    /// <param name="testFile">The test's source file: snapshots live in <c>../Snapshots</c> from it.</param>
    /// <param name="test">The test's name.</param>
    public static void Verify(string actual, bool accept, string? name, string testFile, string test)
    {
        var directory = Path.Combine(Path.GetDirectoryName(testFile)!, "..", "Snapshots");
        var stem = $"{Path.GetFileNameWithoutExtension(testFile)}.{name ?? test}";
        var verifiedPath = Path.GetFullPath(Path.Combine(directory, stem + ".verified.cs"));
        var receivedPath = Path.GetFullPath(Path.Combine(directory, stem + ".received.cs"));
        actual = Normalize(actual);

        var verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (verified == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        if (accept)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, actual);
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, actual);
        var header = verified is null
            ? $"No verified snapshot {verifiedPath}; wrote {receivedPath}. Review it, then rerun with {AcceptVariable}=1 to accept."
            : $"Snapshot {verifiedPath} differs from the output (written to {receivedPath}); rerun with {AcceptVariable}=1 to accept:";
        throw new XunitException(header + Environment.NewLine + UnifiedDiff(verified ?? string.Empty, actual));
    }

    /// <summary>A compact unified diff (changed lines with three lines of context), as a reviewer reads it.</summary>
    public static string UnifiedDiff(string expected, string actual)
    {
        var diff = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var lines = diff.Lines;
        var builder = new StringBuilder().AppendLine("--- verified").AppendLine("+++ received");
        var shown = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type is ChangeType.Inserted or ChangeType.Deleted)
            {
                for (var j = Math.Max(0, i - 3); j <= Math.Min(lines.Count - 1, i + 3); j++)
                {
                    shown[j] = true;
                }
            }
        }

        for (var i = 0; i < lines.Count; i++)
        {
            if (!shown[i])
            {
                if (i > 0 && shown[i - 1])
                {
                    builder.AppendLine("@@");
                }

                continue;
            }

            var prefix = lines[i].Type switch
            {
                ChangeType.Inserted => "+",
                ChangeType.Deleted => "-",
                _ => " ",
            };
            builder.Append(prefix).AppendLine(lines[i].Text);
        }

        return builder.ToString();
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');
}
