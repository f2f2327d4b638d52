using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Semantics;

/// <summary>Which primitive a bound term is; both back ends switch on it to pick the kernel.</summary>
internal enum PrimitiveKind
{
    Bce,
    Ce,
    Focal,
    Dice,
    Iou,
    Tversky,
    GeneralizedDice,
    SensitivitySpecificity,
    Ssim,
    LovaszHinge,
    LovaszSoftmax,
    Boundary,
    ActiveContour,
}

/// <summary>How a primitive reads the inputs: this decides which shared intermediates the planner prepares for it.</summary>
internal enum PrimitiveFamily
{
    /// <summary>A function of the per-channel statistics TP, P, T.</summary>
    Region,
    /// <summary>A mean over valid elements of a per-element value.</summary>
    Pixel,
    /// <summary>Works on the spatial layout (filters, sorting, pooling).</summary>
    Structure,
}

/// <summary>The parameters a primitive takes with one target kind; <c>focal</c> has a different list for masks and labels.</summary>
internal sealed record PrimitiveVariant(TargetKind Target, ImmutableArray<ParameterDefinition> Parameters)
{
    public ParameterDefinition? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

/// <summary>One row of LOSSES.md.</summary>
internal sealed record PrimitiveDefinition(
    string Name,
    PrimitiveKind Kind,
    PrimitiveFamily Family,
    ImmutableArray<PrimitiveVariant> Variants,
    string Summary)
{
    public ImmutableArray<string> Aliases { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>Needs raw scores (lovasz_hinge works on hinge errors of logits).</summary>
    public bool RequiresLogits { get; init; }

    /// <summary>Only a single-channel mask (C = 1).</summary>
    public bool RequiresSingleChannel { get; init; }

    /// <summary>Number of spatial dims it needs, when it needs a fixed number.</summary>
    public int? SpatialRank { get; init; }

    public bool AllowsIgnoreIndex { get; init; } = true;

    /// <summary>Parameters that bound a window size; checked against static spatial sizes.</summary>
    public ImmutableArray<string> WindowParameters { get; init; } = ImmutableArray<string>.Empty;

    public PrimitiveVariant? VariantFor(TargetKind target) => Variants.FirstOrDefault(v => v.Target == target);

    public bool Supports(TargetKind target) => VariantFor(target) is not null;
}
