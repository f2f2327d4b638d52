using System.Collections.Generic;

namespace LossDsl;

/// <summary>The signature of a loss compiled at run time: the same settings as <see cref="LossAttribute"/>.</summary>
public sealed record LossOptions
{
    /// <summary>Logits (default) or probabilities.</summary>
    public LossInput Input { get; init; }

    /// <summary>A mask (default) or class labels.</summary>
    public LossTarget Target { get; init; }

    /// <summary>The static number of channels/classes; null means 1 for a mask and any for labels.</summary>
    public int? Classes { get; init; }

    /// <summary>A label value to leave out of every term (labels only).</summary>
    public int? IgnoreIndex { get; init; }

    /// <summary>
    /// The spatial dims: a static size, or null for a symbolic one. Null (the default) means two symbolic dims,
    /// <c>[N, C, H, W]</c>; give three entries for volumes.
    /// </summary>
    public IReadOnlyList<int?>? Spatial { get; init; }

    /// <summary>Whether the loss takes a pixel weight map, and its shape (<see cref="LossAttribute.PixelWeight"/>).</summary>
    public LossPixelMap PixelWeight { get; init; }

    /// <summary>Whether the loss takes a valid mask, and its shape (<see cref="LossAttribute.ValidMask"/>).</summary>
    public LossPixelMap ValidMask { get; init; }

    /// <summary>The side outputs pred takes (deep supervision), or null (the default) for one prediction.</summary>
    public LossLevels? Levels { get; init; }

    /// <summary>Run-time scalar inputs the loss text uses by name (<see cref="LossAttribute.Scalars"/>).</summary>
    public IReadOnlyList<string>? Scalars { get; init; }

    /// <summary>The dtype pred comes in (<see cref="LossAttribute.Dtype"/>).</summary>
    public LossDtype Dtype { get; init; }

    /// <summary>The loss's name in error messages.</summary>
    public string Name { get; init; } = "loss";
}
