using System;
using System.Text;

namespace LossDsl.Language.Emit;

/// <summary>Writes C# with four-space indentation and '\n' line ends, whatever the host, so output is byte-for-byte deterministic.</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder builder = new();
    private int indent;

    public IndentedWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            builder.Append(' ', indent * 4).Append(text);
        }

        builder.Append('\n');
        return this;
    }

    public IndentedWriter Open(string header)
    {
        Line(header);
        Line("{");
        indent++;
        return this;
    }

    public IndentedWriter Close(string suffix = "")
    {
        indent = Math.Max(0, indent - 1);
        return Line("}" + suffix);
    }

    public override string ToString() => builder.ToString();
}
