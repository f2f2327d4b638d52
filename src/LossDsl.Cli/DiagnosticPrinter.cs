using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace LossDsl.Cli;

/// <summary>
/// Prints diagnostics as a compiler does: <c>(line,col): error LOSS0100: message</c> (<c>file.loss(line,col): ...</c> for a
/// file), then the line of loss text with carets under the characters the diagnostic points at.
/// </summary>
internal static class DiagnosticPrinter
{
    /// <summary>Prints every diagnostic of <paramref name="text"/>, in the order given.</summary>
    /// <param name="text">Loss text, or the whole text of a <c>.loss</c> file.</param>
    /// <param name="diagnostics">The diagnostics of the text.</param>
    /// <param name="writer">Where to print.</param>
    /// <param name="file">The <c>.loss</c> file's path as given, or null for loss text from the command line.</param>
    public static void Print(string text, IEnumerable<LossDiagnosticInfo> diagnostics, TextWriter writer, string? file = null)
    {
        foreach (var diagnostic in diagnostics)
        {
            var severity = diagnostic.Severity.ToString().ToLowerInvariant();

            // A diagnostic about a setting (--classes, --ignore-index) points at no characters of the text.
            if (diagnostic.Setting is not null)
            {
                writer.WriteLine($"{severity} {diagnostic.Id}: {diagnostic.Message}");
                continue;
            }

            var lineText = LineText(text, diagnostic.Start - (diagnostic.Column - 1));
            writer.WriteLine($"{file}({diagnostic.Line},{diagnostic.Column}): {severity} {diagnostic.Id}: {diagnostic.Message}");
            writer.WriteLine("  " + lineText);
            writer.WriteLine("  " + Carets(lineText, diagnostic.Column - 1, diagnostic.Length));
        }
    }

    // The diagnostic's line (LossDiagnosticInfo counts lines at '\n'); a '\r' before the break is not shown.
    private static string LineText(string text, int lineStart)
    {
        var lineEnd = text.IndexOf('\n', lineStart);
        return text[lineStart..(lineEnd < 0 ? text.Length : lineEnd)].TrimEnd('\r');
    }

    // Whitespace before the span copies the line's tabs so the carets line up; at least one caret, none past the line.
    private static string Carets(string lineText, int start, int length)
    {
        var indent = new string(lineText.Take(start).Select(c => c == '\t' ? '\t' : ' ').ToArray());
        var width = Math.Max(1, Math.Min(length, lineText.Length - start));
        return indent + new string('^', width);
    }
}
