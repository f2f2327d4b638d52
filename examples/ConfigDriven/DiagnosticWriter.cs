using LossDsl;

namespace ConfigDriven;

/// <summary>
/// Prints diagnostics the way the compiler and <c>lossdsl check</c> do: <c>(line,col): error LOSS0105: message</c>,
/// then the line of loss text with carets under the characters it is about.
/// </summary>
internal static class DiagnosticWriter
{
    public static void Write(string text, IEnumerable<LossDiagnosticInfo> diagnostics, TextWriter writer)
    {
        var lines = text.Split('\n');
        foreach (var diagnostic in diagnostics)
        {
            // LOSS03xx are about the settings (classes, ignore index), not about characters of the text.
            if (diagnostic.Id.StartsWith("LOSS03", StringComparison.Ordinal))
            {
                writer.WriteLine($"{Severity(diagnostic)} {diagnostic.Id}: {diagnostic.Message}");
                continue;
            }

            var line = lines[diagnostic.Line - 1].TrimEnd('\r');
            var column = diagnostic.Column - 1;
            writer.WriteLine(diagnostic);
            writer.WriteLine("  " + line);
            writer.WriteLine("  " + new string(' ', column) + new string('^', Math.Max(1, Math.Min(diagnostic.Length, line.Length - column))));
        }
    }

    private static string Severity(LossDiagnosticInfo diagnostic) => diagnostic.Severity == LossDiagnosticSeverity.Error ? "error" : "warning";
}
