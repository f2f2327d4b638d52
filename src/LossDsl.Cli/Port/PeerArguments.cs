using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Cli.Port;

/// <summary>
/// A peer call's arguments bound to the peer's parameters, in its positional order, for a translator to read with the
/// peer's own defaults. An argument the peer does not take is an error naming the ones it does; every argument a
/// translator does not read is reported, so none is dropped silently.
/// </summary>
internal sealed class PeerArguments
{
    private readonly Dictionary<string, PeerValue> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    /// <param name="call">The parsed call.</param>
    /// <param name="peer">The peer's name for messages, <c>monai.losses.DiceLoss</c>.</param>
    /// <param name="parameters">The peer's parameters in positional order (functions start with their inputs, <c>pred</c> and <c>target</c>).</param>
    public PeerArguments(PeerCall call, string peer, params string[] parameters)
    {
        Peer = peer;
        if (call.Positional.Length > parameters.Length)
        {
            throw new PortException($"{peer} takes at most {parameters.Length} positional arguments ({string.Join(", ", parameters)}), not {call.Positional.Length}");
        }

        for (var i = 0; i < call.Positional.Length; i++)
        {
            values[parameters[i]] = call.Positional[i];
        }

        foreach (var (name, value) in call.Keywords)
        {
            if (!parameters.Contains(name))
            {
                throw new PortException($"{peer} has no parameter '{name}'; it takes {string.Join(", ", parameters)}");
            }

            if (!values.TryAdd(name, value))
            {
                throw new PortException($"{peer}: '{name}' is given twice");
            }
        }
    }

    public string Peer { get; }

    /// <summary>Arguments given but never read: the translator does not know them, so the port cannot promise their effect.</summary>
    public IEnumerable<string> Unread => values.Keys.Where(k => !read.Contains(k));

    /// <summary>Whether the argument is given and not <c>None</c>.</summary>
    public bool Given(string name) => Get(name) is not null and not PeerNone;

    public PeerValue? Get(string name)
    {
        read.Add(name);
        return values.GetValueOrDefault(name);
    }

    public bool Bool(string name, bool defaultValue) => Get(name) switch
    {
        null => defaultValue,
        PeerBoolean b => b.Value,
        PeerNumber n when n.Value is 0 or 1 => n.Value == 1,
        var other => throw Wrong(name, other, "True or False"),
    };

    public double Number(string name, double defaultValue) => OptionalNumber(name) ?? defaultValue;

    public double? OptionalNumber(string name) => Get(name) switch
    {
        null or PeerNone => null,
        PeerNumber n => n.Value,
        // A one-element tensor or list is a number to the peer (pos_weight=torch.tensor([3.0])).
        var other when Numbers(other) is [var single] => single,
        var other => throw Wrong(name, other, "a number"),
    };

    /// <summary>A string argument or a named constant (<c>smp.losses.BINARY_MODE</c> is <c>'binary'</c>), lower-case.</summary>
    public string Word(string name, string defaultValue) => Get(name) switch
    {
        null => defaultValue,
        PeerString s => s.Value,
        PeerName n => n.Last.Replace("_MODE", string.Empty, StringComparison.Ordinal).ToLowerInvariant(),
        var other => throw Wrong(name, other, "a string"),
    };

    /// <summary>A list of numbers (a list, a tuple, or <c>torch.tensor([...])</c>), or null when absent or None.</summary>
    public IReadOnlyList<double>? NumberList(string name) => Get(name) switch
    {
        null or PeerNone => null,
        PeerNumber n => [n.Value],
        var other => Numbers(other) ?? throw Wrong(name, other, "a list of numbers"),
    };

    private static IReadOnlyList<double>? Numbers(PeerValue value) => value switch
    {
        PeerList list when list.Items.All(i => i is PeerNumber) => list.Items.Cast<PeerNumber>().Select(n => n.Value).ToList(),
        PeerCall { Positional: [var inner] } call when call.Callee.EndsWith("tensor", StringComparison.OrdinalIgnoreCase) || call.Callee.EndsWith("Tensor", StringComparison.Ordinal) => Numbers(inner),
        _ => null,
    };

    private PortException Wrong(string name, PeerValue value, string expected) =>
        new($"{Peer}: '{name}' is {value.Text}; the port reads {expected} there");
}
