using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using LossDsl.Language.Semantics;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// The run-time scalar inputs a loss declares (<c>a: scalar</c> in a <c>.loss</c> signature, <c>Scalars</c> in
/// <see cref="LossAttribute"/> or <see cref="LossOptions"/>): numbers the training loop sets between calls, such as the
/// weight of a schedule in <c>(1 - a) * dice + a * boundary_dist</c>. Every declared scalar must be set before the
/// loss is called, and only declared ones can be: either mistake would be a silently different loss.
/// </summary>
public sealed class LossScalars
{
    private readonly string loss;
    private readonly string[] names;
    private readonly double?[] values;

    internal LossScalars(string loss, IReadOnlyList<string> names)
    {
        this.loss = loss;
        this.names = names.ToArray();
        values = new double?[this.names.Length];
    }

    /// <summary>The declared names, in declaration order.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>A scalar's current value; setting it takes effect from the next call. Values must be finite.</summary>
    /// <exception cref="ArgumentException">The loss declares no scalar of that name.</exception>
    /// <exception cref="InvalidOperationException">Read before it was set.</exception>
    public double this[string name]
    {
        get => values[IndexOf(name)] ?? throw new InvalidOperationException($"{loss}: the scalar input '{name}' has not been set yet.");
        set
        {
            var index = IndexOf(name);
            if (!double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"{loss}: the scalar input '{name}' must be a finite number.");
            }

            values[index] = value;
        }
    }

    /// <summary>Whether <paramref name="name"/> has been given a value.</summary>
    public bool IsSet(string name) => values[IndexOf(name)] is not null;

    /// <summary>A scalar as a 0-d tensor in <paramref name="like"/>'s dtype and on its device, for the loss's total.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Tensor ValueLike(string name, Tensor like) => tensor(this[name], dtype: like.dtype, device: like.device);

    // Before a call: every declared scalar is set.
    internal void CheckSet()
    {
        var unset = names.Where((_, i) => values[i] is null).ToList();
        if (unset.Count > 0)
        {
            throw new InvalidOperationException(
                $"{loss}: the loss declares the scalar input{(unset.Count == 1 ? string.Empty : "s")} {string.Join(", ", unset.Select(n => $"'{n}'"))}; "
                + $"set {(unset.Count == 1 ? "it" : "each")} before calling it: loss.Scalars[\"{unset[0]}\"] = ...");
        }
    }

    private int IndexOf(string name)
    {
        var index = Array.IndexOf(names, name);
        if (index < 0)
        {
            throw new ArgumentException(
                names.Length == 0
                    ? $"{loss}: the loss declares no scalar input, so it has no '{name}'; declare it ('{name}: scalar' in a .loss signature, Scalars in [Loss] or LossOptions)."
                    : $"{loss}: the loss declares no scalar input '{name}'; it declares {string.Join(", ", names.Select(n => $"'{n}'"))}{NameSuggester.Suffix(name, names)}",
                nameof(name));
        }

        return index;
    }
}
