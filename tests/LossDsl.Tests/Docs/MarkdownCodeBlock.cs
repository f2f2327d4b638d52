using System.Text.RegularExpressions;

namespace LossDsl.Tests.Docs;

/// <summary>A fenced code block of a Markdown file: where it starts, its info string (<c>csharp ignore</c>) and its text.</summary>
/// <param name="File">The Markdown file, relative to the repository root, with '/' separators.</param>
/// <param name="Line">The line of the opening fence, from 1.</param>
public sealed record MarkdownCodeBlock(string File, int Line, string Info, string Text)
{
    private static readonly Regex Fence = new(@"^(?<indent>[ \t]*)(?<fence>`{3,}|~{3,})(?<info>[^`]*)$");

    /// <summary>The first word of the info string: <c>csharp</c>, <c>bash</c>, or empty.</summary>
    public string Language => Words.FirstOrDefault() ?? string.Empty;

    private string[] Words => Info.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Whether a word after the language is <paramref name="flag"/>, as <c>ignore</c> in <c>```csharp ignore</c>.</summary>
    public bool Has(string flag) => Words.Skip(1).Contains(flag, StringComparer.Ordinal);

    public override string ToString() => $"{File}:{Line}";

    /// <summary>Every fenced block of the file, in order. A block indented in a list loses its fence's indentation.</summary>
    public static IReadOnlyList<MarkdownCodeBlock> Read(string root, string file)
    {
        var lines = System.IO.File.ReadAllText(Path.Combine(root, file)).Replace("\r\n", "\n").Split('\n');
        var blocks = new List<MarkdownCodeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence.Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var indent = open.Groups["indent"].Length;
            var fence = open.Groups["fence"].Value;
            var body = new List<string>();
            var start = i;
            for (i++; i < lines.Length && !IsClosing(lines[i], fence); i++)
            {
                body.Add(lines[i][Math.Min(indent, lines[i].Length - lines[i].TrimStart().Length)..]);
            }

            blocks.Add(new MarkdownCodeBlock(file, start + 1, open.Groups["info"].Value.Trim(), string.Join("\n", body)));
        }

        return blocks;
    }

    private static bool IsClosing(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }
}
