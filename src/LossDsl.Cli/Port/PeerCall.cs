using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;

namespace LossDsl.Cli.Port;

/// <summary>A Python value as a peer's call writes it: the literals a loss is configured with, names, and nested calls.</summary>
internal abstract record PeerValue
{
    /// <summary>The value as it was written, for messages.</summary>
    public abstract string Text { get; }
}

internal sealed record PeerNumber(double Value, string Written) : PeerValue
{
    public override string Text => Written;
}

/// <summary><c>True</c> or <c>False</c>.</summary>
internal sealed record PeerBoolean(bool Value) : PeerValue
{
    public override string Text => Value ? "True" : "False";
}

internal sealed record PeerNone : PeerValue
{
    public static PeerNone Instance { get; } = new();

    public override string Text => "None";
}

internal sealed record PeerString(string Value) : PeerValue
{
    public override string Text => "'" + Value + "'";
}

/// <summary>A list or tuple of values.</summary>
internal sealed record PeerList(ImmutableArray<PeerValue> Items) : PeerValue
{
    public override string Text => "[" + string.Join(", ", Items.Select(i => i.Text)) + "]";
}

/// <summary>A dotted name: a variable (<c>pred</c>), a constant (<c>smp.losses.BINARY_MODE</c>) or a function (<c>torch.tanh</c>).</summary>
internal sealed record PeerName(string Name) : PeerValue
{
    public override string Text => Name;

    /// <summary>The last part of the dotted name.</summary>
    public string Last => Name[(Name.LastIndexOf('.') + 1)..];
}

/// <summary>
/// A call, <c>monai.losses.DiceLoss(sigmoid=True)</c>, with its positional and keyword arguments in order; also a
/// value (<c>weight=torch.tensor([1, 2])</c>).
/// </summary>
internal sealed record PeerCall(string Callee, ImmutableArray<PeerValue> Positional, ImmutableArray<(string Name, PeerValue Value)> Keywords) : PeerValue
{
    public override string Text =>
        Callee + "(" + string.Join(", ", Positional.Select(p => p.Text).Concat(Keywords.Select(k => k.Name + "=" + k.Value.Text))) + ")";

    /// <summary>Parses one call expression; a message naming the position and what was expected when it is not one.</summary>
    public static PeerCall Parse(string text)
    {
        var parser = new Parser(text);
        var value = parser.Value();
        parser.End();
        return value as PeerCall ?? throw new PortException($"expected a call such as monai.losses.DiceLoss(sigmoid=True), not '{text.Trim()}'");
    }

    /// <summary>A recursive-descent reader of the Python expressions loss configurations use.</summary>
    private sealed class Parser(string text)
    {
        private int position;

        public void End()
        {
            SkipSpace();
            if (position < text.Length)
            {
                throw Error($"unexpected '{text[position]}'");
            }
        }

        public PeerValue Value()
        {
            SkipSpace();
            if (position >= text.Length)
            {
                throw Error("expected a value");
            }

            var c = text[position];
            if (c is '[' or '(')
            {
                position++;
                var items = Sequence(c == '[' ? ']' : ')').Select(a => a.Name is null ? a.Value : throw Error("a list has no keyword arguments"));
                return new PeerList(items.ToImmutableArray());
            }

            if (c is '\'' or '"')
            {
                return new PeerString(QuotedString(c));
            }

            if (char.IsDigit(c) || c is '-' or '+' or '.')
            {
                return Number();
            }

            if (char.IsLetter(c) || c == '_')
            {
                var name = DottedName();
                SkipSpace();
                if (position < text.Length && text[position] == '(')
                {
                    position++;
                    var arguments = Sequence(')');
                    var positional = arguments.TakeWhile(a => a.Name is null).Select(a => a.Value).ToImmutableArray();
                    if (arguments.Skip(positional.Length).Any(a => a.Name is null))
                    {
                        throw Error("a positional argument follows a keyword argument");
                    }

                    return new PeerCall(name, positional, arguments.Skip(positional.Length).Select(a => (a.Name!, a.Value)).ToImmutableArray());
                }

                return name switch
                {
                    "True" => new PeerBoolean(true),
                    "False" => new PeerBoolean(false),
                    "None" => PeerNone.Instance,
                    _ => new PeerName(name),
                };
            }

            throw Error($"unexpected '{c}'");
        }

        // Comma-separated values up to the closing character, each possibly keyword=value; a trailing comma is allowed.
        private List<(string? Name, PeerValue Value)> Sequence(char close)
        {
            var items = new List<(string?, PeerValue)>();
            while (true)
            {
                SkipSpace();
                if (position < text.Length && text[position] == close)
                {
                    position++;
                    return items;
                }

                string? keyword = null;
                var start = position;
                if (position < text.Length && (char.IsLetter(text[position]) || text[position] == '_'))
                {
                    var name = Identifier();
                    SkipSpace();
                    if (position < text.Length && text[position] == '=' && (position + 1 >= text.Length || text[position + 1] != '='))
                    {
                        position++;
                        keyword = name;
                    }
                    else
                    {
                        position = start;
                    }
                }

                items.Add((keyword, Value()));
                SkipSpace();
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                }
                else if (position >= text.Length || text[position] != close)
                {
                    throw Error($"expected ',' or '{close}'");
                }
            }
        }

        private PeerNumber Number()
        {
            var start = position;
            while (position < text.Length && (char.IsDigit(text[position]) || text[position] is '.' or 'e' or 'E' or '_'
                       || (text[position] is '-' or '+' && (position == start || text[position - 1] is 'e' or 'E'))))
            {
                position++;
            }

            var written = text[start..position];
            return double.TryParse(written.Replace("_", string.Empty), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? new PeerNumber(value, written)
                : throw Error($"'{written}' is not a number");
        }

        private string QuotedString(char quote)
        {
            var builder = new StringBuilder();
            for (position++; position < text.Length && text[position] != quote; position++)
            {
                builder.Append(text[position]);
            }

            if (position >= text.Length)
            {
                throw Error("unterminated string");
            }

            position++;
            return builder.ToString();
        }

        private string DottedName()
        {
            var name = Identifier();
            while (position + 1 < text.Length && text[position] == '.' && (char.IsLetter(text[position + 1]) || text[position + 1] == '_'))
            {
                position++;
                name += "." + Identifier();
            }

            return name;
        }

        private string Identifier()
        {
            var start = position;
            while (position < text.Length && (char.IsLetterOrDigit(text[position]) || text[position] == '_'))
            {
                position++;
            }

            return text[start..position];
        }

        private void SkipSpace()
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        private PortException Error(string problem) => new($"{problem} at column {position + 1} of '{text.Trim()}'");
    }
}
