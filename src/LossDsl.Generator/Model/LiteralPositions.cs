using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.Generator.Model;

/// <summary>
/// Maps offsets in a string literal's value to positions in the source, for regular, verbatim and raw literals
/// (after Roslyn's virtual-char service, which does this for the IDE). Returns null for anything else, or when
/// the decoded text does not reproduce the compiler's value, so callers fall back to the whole argument.
/// </summary>
internal static class LiteralPositions
{
    public static EquatableArray<int>? Compute(ExpressionSyntax expression)
    {
        if (expression is not LiteralExpressionSyntax { Token: var token } || !token.IsKind(SyntaxKind.StringLiteralToken)
            && !token.IsKind(SyntaxKind.SingleLineRawStringLiteralToken) && !token.IsKind(SyntaxKind.MultiLineRawStringLiteralToken))
        {
            return null;
        }

        var text = token.Text;
        var start = token.SpanStart;
        var positions = new List<int>();
        var value = new System.Text.StringBuilder();
        bool ok;
        if (token.IsKind(SyntaxKind.StringLiteralToken))
        {
            ok = text.StartsWith("@", System.StringComparison.Ordinal)
                ? DecodeVerbatim(text, start, positions, value)
                : DecodeRegular(text, start, positions, value);
        }
        else
        {
            ok = DecodeRaw(text, start, positions, value);
        }

        return ok && value.ToString() == token.ValueText ? positions.ToEquatableArray() : null;
    }

    private static bool DecodeRegular(string text, int start, List<int> positions, System.Text.StringBuilder value)
    {
        var i = 1;
        var end = text.Length - 1;
        while (i < end)
        {
            var at = start + i;
            if (text[i] != '\\')
            {
                Add(positions, value, at, text[i]);
                i++;
                continue;
            }

            if (i + 1 >= end)
            {
                return false;
            }

            var escape = text[i + 1];
            i += 2;
            switch (escape)
            {
                case 'u':
                    if (!TryHex(text, ref i, 4, 4, end, out var u))
                    {
                        return false;
                    }

                    Add(positions, value, at, (char)u);
                    break;
                case 'U':
                    if (!TryHex(text, ref i, 8, 8, end, out var big) || big > 0x10FFFF)
                    {
                        return false;
                    }

                    foreach (var c in char.ConvertFromUtf32(big))
                    {
                        Add(positions, value, at, c);
                    }

                    break;
                case 'x':
                    if (!TryHex(text, ref i, 1, 4, end, out var x))
                    {
                        return false;
                    }

                    Add(positions, value, at, (char)x);
                    break;
                default:
                    var simple = Simple(escape);
                    if (simple is null)
                    {
                        return false;
                    }

                    Add(positions, value, at, simple.Value);
                    break;
            }
        }

        positions.Add(start + end);
        return true;
    }

    private static bool DecodeVerbatim(string text, int start, List<int> positions, System.Text.StringBuilder value)
    {
        var end = text.Length - 1;
        for (var i = 2; i < end; i++)
        {
            Add(positions, value, start + i, text[i]);
            if (text[i] == '"')
            {
                i++; // "" stands for one quote
            }
        }

        positions.Add(start + end);
        return true;
    }

    private static bool DecodeRaw(string text, int start, List<int> positions, System.Text.StringBuilder value)
    {
        var quotes = 0;
        while (quotes < text.Length && text[quotes] == '"')
        {
            quotes++;
        }

        var contentEnd = text.Length - quotes;
        var firstBreak = text.IndexOf('\n', quotes);
        if (firstBreak < 0 || firstBreak >= contentEnd)
        {
            for (var i = quotes; i < contentEnd; i++)
            {
                Add(positions, value, start + i, text[i]);
            }

            positions.Add(start + contentEnd);
            return true;
        }

        // Multi-line: the value is the lines between the opening and closing lines, less the closing line's indentation.
        var lastBreak = text.LastIndexOf('\n', contentEnd - 1);
        var indentation = text.Substring(lastBreak + 1, contentEnd - lastBreak - 1);
        var lineStart = firstBreak + 1;
        var contentLast = text[lastBreak - 1] == '\r' ? lastBreak - 1 : lastBreak;
        while (lineStart <= contentLast)
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0 || lineEnd > lastBreak)
            {
                lineEnd = lastBreak;
            }

            var lineContentStart = lineStart;
            if (lineEnd - lineStart > 0 && !IsBlank(text, lineStart, lineEnd))
            {
                if (string.CompareOrdinal(text, lineStart, indentation, 0, indentation.Length) != 0)
                {
                    return false;
                }

                lineContentStart += indentation.Length;
            }
            else
            {
                lineContentStart = lineEnd;
            }

            var stop = lineEnd == lastBreak ? contentLast : lineEnd + 1;
            for (var i = lineContentStart; i < stop; i++)
            {
                Add(positions, value, start + i, text[i]);
            }

            lineStart = lineEnd + 1;
        }

        positions.Add(start + contentLast);
        return true;
    }

    private static bool IsBlank(string text, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (text[i] is not (' ' or '\t' or '\r'))
            {
                return false;
            }
        }

        return true;
    }

    private static void Add(List<int> positions, System.Text.StringBuilder value, int position, char c)
    {
        positions.Add(position);
        value.Append(c);
    }

    private static bool TryHex(string text, ref int i, int min, int max, int end, out int value)
    {
        value = 0;
        var count = 0;
        while (count < max && i < end && int.TryParse(text[i].ToString(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var digit))
        {
            value = (value * 16) + digit;
            i++;
            count++;
        }

        return count >= min;
    }

    private static char? Simple(char escape) => escape switch
    {
        '\'' => '\'',
        '"' => '"',
        '\\' => '\\',
        '0' => '\0',
        'a' => '\a',
        'b' => '\b',
        'e' => '\u001b',
        'f' => '\f',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\v',
        _ => null,
    };
}
