using System.Globalization;
using System.Text;

namespace LossDsl.Language.Emit;

/// <summary>C# spellings of values, identical on every machine and culture.</summary>
internal static class CSharpLiterals
{
    public static string Number(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0 ? text + ".0" : text;
    }

    public static string String(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                // The line and paragraph separators are not control characters, but they end a line of C# all the same.
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    public static string Boolean(bool value) => value ? "true" : "false";
}
