using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// The tensors of one call of a loss: <see cref="Pred"/> and <see cref="Target"/>, and the per-pixel inputs its
/// signature declares (docs/language.md, "Pixel weight maps and valid masks"). A loss takes exactly what it declares:
/// a declared input left null, or an undeclared one given, is an error rather than a different number.
/// </summary>
/// <param name="Pred">The prediction, [N, C, *spatial].</param>
/// <param name="Target">The mask or the labels.</param>
public sealed record LossInputs(Tensor Pred, Tensor Target)
{
    /// <summary>The pixel weight map <c>w</c>, when the loss declares one.</summary>
    public Tensor? PixelWeight { get; init; }

    /// <summary>The valid mask (0 or 1), when the loss declares one.</summary>
    public Tensor? ValidMask { get; init; }
}
