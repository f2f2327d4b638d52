using System.Globalization;
using System.Text;

namespace LossDsl.Tests.Properties;

internal enum LiteralForm
{
    Regular,
    Verbatim,
    Raw,
    MultiLineRaw,
}

/// <summary>
/// Loss text written as a C# string literal, in one of its forms, with random escapes; <see cref="Positions"/> gives
/// where each character of the text starts in <see cref="Source"/> (and, last, where the text ends), which is where
/// the generator must put a diagnostic about that character.
/// </summary>
internal sealed record CSharpLiteral(string Source, int[] Positions, LiteralForm Form)
{
    /// <summary>Writes <paramref name="text"/> in <paramref name="form"/>, or as a regular literal where that form cannot hold it.</summary>
    public static CSharpLiteral Write(string text, LiteralForm form, int seed)
    {
        var random = new Random(seed);
        return form switch
        {
            LiteralForm.Verbatim => Verbatim(text),
            LiteralForm.Raw when text.Length > 0 && !text.Contains('"') && !text.Any(IsLineBreak) => Raw(text),
            LiteralForm.MultiLineRaw when !text.Contains("\"\"\"") && !text.Any(c => IsLineBreak(c) && c != '\n') && !HasBlankLine(text) => MultiLineRaw(text),
            _ => Regular(text, random),
        };
    }

    private static CSharpLiteral Regular(string text, Random random)
    {
        var source = new StringBuilder("\"");
        var positions = new List<int>();
        foreach (var c in text)
        {
            positions.Add(source.Length);
            var escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\0' => "\\0",
                _ when char.IsControl(c) || IsLineBreak(c) => Unicode(c),
                _ => null,
            };
            source.Append(random.Next(5) switch
            {
                0 => Unicode(c),
                1 => "\\x" + ((int)c).ToString("x4", CultureInfo.InvariantCulture), // four digits: a following hex digit is not swallowed
                _ => escape ?? c.ToString(),
            });
        }

        positions.Add(source.Length);
        return new CSharpLiteral(source.Append('"').ToString(), [.. positions], LiteralForm.Regular);
    }

    private static CSharpLiteral Verbatim(string text)
    {
        var source = new StringBuilder("@\"");
        var positions = new List<int>();
        foreach (var c in text)
        {
            positions.Add(source.Length);
            source.Append(c == '"' ? "\"\"" : c.ToString());
        }

        positions.Add(source.Length);
        return new CSharpLiteral(source.Append('"').ToString(), [.. positions], LiteralForm.Verbatim);
    }

    private static CSharpLiteral Raw(string text) =>
        new("\"\"\"" + text + "\"\"\"", [.. Enumerable.Range(3, text.Length + 1)], LiteralForm.Raw);

    /// <summary>Each line of the text indented by the closing line's four spaces; the last line break is not part of the value.</summary>
    private static CSharpLiteral MultiLineRaw(string text)
    {
        const string indentation = "    ";
        var source = new StringBuilder("\"\"\"\n");
        var positions = new List<int>();
        foreach (var (line, index) in text.Split('\n').Select((line, index) => (line, index)))
        {
            if (index > 0)
            {
                positions.Add(source.Length); // the text's '\n' is the line break that ends the previous line
                source.Append('\n');
            }

            source.Append(line.Length > 0 ? indentation : string.Empty);
            foreach (var c in line)
            {
                positions.Add(source.Length);
                source.Append(c);
            }
        }

        positions.Add(source.Length);
        return new CSharpLiteral(source.Append('\n').Append(indentation).Append("\"\"\"").ToString(), [.. positions], LiteralForm.MultiLineRaw);
    }

    private static string Unicode(char c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture);

    // C# ends a line at any of these; raw literals cannot hold them as text.
    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';

    // A whitespace-only line of a multi-line raw literal reads as an empty line.
    private static bool HasBlankLine(string text) => text.Split('\n').Any(line => line.Length > 0 && line.All(char.IsWhiteSpace));
}
