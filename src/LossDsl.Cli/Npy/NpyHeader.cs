using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace LossDsl.Cli.Npy;

/// <summary>
/// The header of a .npy file: a Python dict literal such as <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, IReadOnlyList<long> Shape)
{
    private static readonly string[] Keys = { "descr", "fortran_order", "shape" };

    /// <summary>The dict as numpy writes it (without padding or the final newline).</summary>
    public string Format() =>
        $"{{'descr': '{Descr}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {NpyArray.FormatShape(Shape)}, }}";

    /// <summary>
    /// Reads the dict: any spacing, either quote style, trailing commas, Python 2's <c>3L</c> integers; exactly the keys
    /// <c>descr</c>, <c>fortran_order</c> and <c>shape</c>. Throws <see cref="NpyFormatException"/> naming the problem.
    /// </summary>
    public static NpyHeader Parse(string text)
    {
        var dict = new LiteralParser(text).ParseHeaderDict();
        foreach (var key in dict.Keys.Where(k => !Keys.Contains(k)))
        {
            throw new NpyFormatException($"the header has an unexpected key '{key}' (a .npy header has exactly 'descr', 'fortran_order' and 'shape'): {Shown(text)}");
        }

        foreach (var key in Keys.Where(k => !dict.ContainsKey(k)))
        {
            throw new NpyFormatException($"the header has no '{key}' key: {Shown(text)}");
        }

        var descr = dict["descr"] as string
            ?? throw new NpyFormatException($"'descr' must be a type string such as '<f4'; structured dtypes are not supported: {Shown(text)}");
        var fortranOrder = dict["fortran_order"] as bool?
            ?? throw new NpyFormatException($"'fortran_order' must be True or False: {Shown(text)}");
        if (dict["shape"] is not PythonTuple { Items: var items } || items.Any(i => i is not long d || d < 0))
        {
            throw new NpyFormatException($"'shape' must be a tuple of non-negative integers such as (2, 3) or (3,): {Shown(text)}");
        }

        return new NpyHeader(descr, fortranOrder, items.Cast<long>().ToArray());
    }

    // The header as quoted in messages: a corrupt file's "header" may be long binary noise.
    private static string Shown(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 200 ? trimmed : trimmed[..200] + "...";
    }

    private sealed record PythonTuple(List<object> Items);

    // Only a structured dtype's descr is a list; it is parsed to be reported as what it is.
    private sealed record PythonList(List<object> Items);

    /// <summary>The subset of Python literals a header uses: a dict of strings, booleans, integers and tuples.</summary>
    private sealed class LiteralParser
    {
        private readonly string text;
        private int position;

        public LiteralParser(string text) => this.text = text;

        public Dictionary<string, object> ParseHeaderDict()
        {
            var dict = new Dictionary<string, object>();
            Expect('{');
            while (!TryConsume('}'))
            {
                var keyPosition = position;
                if (ParseValue() is not string key)
                {
                    throw Error("a dict key must be a string", keyPosition);
                }

                Expect(':');
                if (!dict.TryAdd(key, ParseValue()))
                {
                    throw Error($"the key '{key}' appears twice", keyPosition);
                }

                if (!TryConsume(','))
                {
                    Expect('}');
                    break;
                }
            }

            SkipSpace();
            if (position < text.Length)
            {
                throw Error("text after the closing '}'", position);
            }

            return dict;
        }

        // string, True/False, integer, tuple or list; a parenthesised single value without a comma is that value, not a tuple.
        private object ParseValue()
        {
            SkipSpace();
            if (position >= text.Length)
            {
                throw Error("the header ends where a value should be", position);
            }

            var c = text[position];
            if (c is '\'' or '"')
            {
                return ParseString(c);
            }

            if (c is '(' or '[')
            {
                return ParseSequence(c, c == '(' ? ')' : ']');
            }

            if (c == '-' || char.IsAsciiDigit(c))
            {
                return ParseInteger();
            }

            if (char.IsAsciiLetter(c))
            {
                var start = position;
                var word = ReadWhile(char.IsAsciiLetterOrDigit);
                return word switch
                {
                    "True" => true,
                    "False" => false,
                    _ => throw Error($"unexpected '{word}'", start),
                };
            }

            throw Error($"unexpected '{c}'", position);
        }

        private string ParseString(char quote)
        {
            var start = position++;
            var value = new StringBuilder();
            while (position < text.Length && text[position] != quote)
            {
                if (text[position] == '\\' && position + 1 < text.Length)
                {
                    position++;
                }

                value.Append(text[position++]);
            }

            if (position >= text.Length)
            {
                throw Error("a string is not closed", start);
            }

            position++;
            return value.ToString();
        }

        private object ParseSequence(char open, char close)
        {
            Expect(open);
            var items = new List<object>();
            var sawComma = false;
            while (!TryConsume(close))
            {
                items.Add(ParseValue());
                sawComma = TryConsume(',');
                if (!sawComma)
                {
                    Expect(close);
                    break;
                }
            }

            if (open == '[')
            {
                return new PythonList(items);
            }

            return items.Count == 1 && !sawComma ? items[0] : new PythonTuple(items);
        }

        private long ParseInteger()
        {
            var start = position;
            var negative = text[position] == '-';
            if (negative)
            {
                position++;
            }

            var digits = ReadWhile(char.IsAsciiDigit);
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw Error(digits.Length == 0 ? "'-' without digits" : $"the integer {digits} is out of range", start);
            }

            TryConsume('L');
            return negative ? -value : value;
        }

        private string ReadWhile(Func<char, bool> predicate)
        {
            var start = position;
            while (position < text.Length && predicate(text[position]))
            {
                position++;
            }

            return text[start..position];
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw Error(position < text.Length ? $"expected '{c}' but found '{text[position]}'" : $"expected '{c}' but the header ends", position);
            }
        }

        private bool TryConsume(char c)
        {
            SkipSpace();
            if (position < text.Length && text[position] == c)
            {
                position++;
                return true;
            }

            return false;
        }

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        private NpyFormatException Error(string problem, int at) =>
            new($"malformed header: {Shown(problem)} at character {at + 1} of {Shown(text)}");
    }
}
