using System.Collections.Generic;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// The tensors of one call of a loss: <see cref="Pred"/> and <see cref="Target"/>, and the inputs its signature
/// declares (docs/language.md): side outputs for deep supervision, a pixel weight map, a valid mask. A loss takes
/// exactly what it declares: a declared input left null, or an undeclared one given, is an error rather than a
/// different number.
/// </summary>
/// <param name="Pred">The prediction, [N, C, *spatial]; with deep supervision, the main (level 0) one.</param>
/// <param name="Target">The mask or the labels.</param>
public sealed record LossInputs(Tensor Pred, Tensor Target)
{
    private readonly IReadOnlyList<Tensor>? preds;

    /// <summary>The inputs of a deep-supervised loss: every level's prediction, the main output first.</summary>
    /// <param name="preds">pred_0 (full resolution) .. pred_{K-1}, each [N, C, *spatial_k].</param>
    /// <param name="target">The mask or the labels, at the main output's size.</param>
    public LossInputs(IReadOnlyList<Tensor> preds, Tensor target)
        : this(preds.Count > 0 ? preds[0] : throw new System.ArgumentException("Deep supervision takes at least one prediction, the main output.", nameof(preds)), target)
    {
        this.preds = preds;
    }

    /// <summary>Every level's prediction, the main output first: <c>[Pred]</c> unless the inputs were made from several.</summary>
    public IReadOnlyList<Tensor> Preds => preds ?? new[] { Pred };

    /// <summary>The pixel weight map <c>w</c>, when the loss declares one.</summary>
    public Tensor? PixelWeight { get; init; }

    /// <summary>The valid mask (0 or 1), when the loss declares one.</summary>
    public Tensor? ValidMask { get; init; }
}
