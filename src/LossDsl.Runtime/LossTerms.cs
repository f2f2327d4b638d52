using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// A loss's total and each term's value by name (as written in the loss text; a repeated primitive is numbered,
/// <c>dice</c>, <c>dice_2</c>). Returned by <c>Terms(pred, target)</c> of generated and run-time compiled losses alike.
/// The tensors are owned by this object: dispose it when done. Generated losses return a subclass with a property
/// per term. Asked for with <c>Terms(inputs, unreduced: true)</c>, <see cref="Unreduced"/> holds each term's values
/// before its reduction.
/// </summary>
public class LossTerms : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly KeyValuePair<string, Tensor>[] terms;
    private readonly KeyValuePair<string, Tensor>[] unreduced;

    /// <summary>Creates the set from the total and the terms in loss-text order.</summary>
    public LossTerms(Tensor total, IEnumerable<KeyValuePair<string, Tensor>> terms)
        : this(total, terms, null)
    {
    }

    /// <summary>Creates the set from the total, the terms in loss-text order and, when asked for, their unreduced values.</summary>
    public LossTerms(Tensor total, IEnumerable<KeyValuePair<string, Tensor>> terms, IEnumerable<KeyValuePair<string, Tensor>>? unreduced)
    {
        Total = total;
        this.terms = terms.ToArray();
        this.unreduced = unreduced?.ToArray() ?? Array.Empty<KeyValuePair<string, Tensor>>();
        Unreduced = new System.Collections.ObjectModel.ReadOnlyDictionary<string, Tensor>(this.unreduced.ToDictionary(t => t.Key, t => t.Value));
    }

    /// <summary>
    /// Each term's values before its reduction, by term name (docs/language.md, "Unreduced values"): pixel terms per
    /// element, overlap terms per channel (per image and channel with <c>per_image</c>), structure terms their scalar.
    /// Empty unless asked for with <c>Terms(inputs, unreduced: true)</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Unreduced { get; }

    /// <summary>The loss value: the same number <c>forward</c> returns.</summary>
    public Tensor Total { get; }

    /// <summary>Term names in loss-text order.</summary>
    public IEnumerable<string> Keys => terms.Select(t => t.Key);

    /// <summary>Term values in loss-text order.</summary>
    public IEnumerable<Tensor> Values => terms.Select(t => t.Value);

    /// <inheritdoc/>
    public int Count => terms.Length;

    /// <inheritdoc/>
    public Tensor this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The loss has no term '{key}'; its terms are {string.Join(", ", Keys)}.");

    /// <inheritdoc/>
    public bool ContainsKey(string key) => terms.Any(t => t.Key == key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out Tensor value)
    {
        foreach (var term in terms)
        {
            if (term.Key == key)
            {
                value = term.Value;
                return true;
            }
        }

        value = null!;
        return false;
    }

    /// <summary>The values as numbers, for logging: <c>total</c> first, then each term.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> ToNumbers() =>
        new[] { new KeyValuePair<string, double>("total", Total.ToDouble()) }
            .Concat(terms.Select(t => new KeyValuePair<string, double>(t.Key, t.Value.ToDouble())))
            .ToArray();

    /// <summary>Keeps the tensors alive past the dispose scope they were made in (generated code calls this).</summary>
    public LossTerms MoveToOuterDisposeScope()
    {
        foreach (var tensor in AllTensors())
        {
            tensor.MoveToOuterDisposeScope();
        }

        return this;
    }

    /// <summary><c>total=0.8123 bce=0.6931 iou=0.1192</c>.</summary>
    public override string ToString() =>
        string.Join(" ", ToNumbers().Select(t => t.Key + "=" + t.Value.ToString("0.####", CultureInfo.InvariantCulture)));

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, Tensor>>)terms).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every tensor (once, even where the total is a term itself).</summary>
    public void Dispose()
    {
        foreach (var tensor in AllTensors())
        {
            tensor.Dispose();
        }
    }

    /// <summary>Every tensor this set owns, each once.</summary>
    // A loss of one term returns that term as its total: the same tensor must be moved and disposed once.
    internal IEnumerable<Tensor> AllTensors() => Tensors().Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>();

    /// <summary>The tensors this set owns (repeats allowed): the total, the terms, the unreduced values.</summary>
    protected virtual IEnumerable<Tensor> Tensors() =>
        new[] { Total }.Concat(terms.Select(t => t.Value)).Concat(unreduced.Select(t => t.Value));
}
