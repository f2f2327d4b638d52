using System;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>The parameters a primitive takes with one target kind; <c>focal</c> has a different list for masks and labels.</summary>
internal sealed record PrimitiveVariant(TargetKind Target, ImmutableArray<ParameterDefinition> Parameters)
{
    public ParameterDefinition? Find(string name) => Parameters.FirstOrDefault(p => p.Name == name);
}

/// <summary>
/// One row of LOSSES.md, whole: the names and parameters the binder checks, and the lowering the planner runs, which
/// picks the term's kernel through the typed call factories (<c>Primitives/Kernels</c>) and the shared steps it reads.
/// </summary>
internal sealed record PrimitiveDefinition(
    string Name,
    ImmutableArray<PrimitiveVariant> Variants,
    string Summary,
    Func<IPlanInputs, BoundTerm, KernelCall> Lower)
{
    public ImmutableArray<string> Aliases { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>
    /// The values the term takes on real inputs, given its arguments and the signature (static sizes bound a distance),
    /// for the numerics analysis (<see cref="Semantics.ValueRangeAnalysis"/>); null where the catalog cannot bound them
    /// (statistics of raw scores).
    /// </summary>
    public required Func<BoundTerm, LossSignature, ValueRange?> Range { get; init; }

    /// <summary>
    /// The call giving the term's values before its reduction (LOSSES.md, "Unreduced values"), reading the same shared
    /// inputs as <see cref="Lower"/>; null for terms that report their scalar only (structure terms, generalized_dice).
    /// </summary>
    public Func<IPlanInputs, BoundTerm, KernelCall>? LowerUnreduced { get; init; }

    /// <summary>
    /// How the term's value on one shard of a batch becomes the whole batch's across a data-parallel group
    /// (<c>LossModule.Group</c>; docs/data-parallel.md): the call that does it, reading the term's own value (the last
    /// argument), or null when the term is a function of the batch's region statistics only, which the planner sums
    /// across the group before any term reads them.
    /// </summary>
    public required Func<IPlanInputs, BoundTerm, LocalValue, KernelCall?> AcrossGroup { get; init; }

    /// <summary>Needs raw scores (lovasz_hinge works on hinge errors of logits).</summary>
    public bool RequiresLogits { get; init; }

    /// <summary>Only a single-channel mask (C = 1).</summary>
    public bool RequiresSingleChannel { get; init; }

    /// <summary>The numbers of spatial dims it is defined for (its filters' dimensionality); empty for any number.</summary>
    public ImmutableArray<int> SpatialRanks { get; init; } = ImmutableArray<int>.Empty;

    /// <summary>Whether it is defined for <paramref name="rank"/> spatial dims.</summary>
    public bool Supports(int rank) => SpatialRanks.IsEmpty || SpatialRanks.Contains(rank);

    /// <summary>The ranks as a sentence says them: <c>2</c>, <c>2 or 3</c>.</summary>
    public string SpatialRanksText => string.Join(" or ", SpatialRanks);

    /// <summary>
    /// Filters over neighbouring pixels (ssim's window, boundary's pooling, active_contour's differences): they would mix
    /// left-out pixels into kept ones, so the term takes no ignore index, no valid mask and no pixel weight map.
    /// </summary>
    public bool SpatialFilters { get; init; }

    /// <summary>Whether a pixel weight map can weigh the term: pixel and region terms, not the structure ones (LOSSES.md).</summary>
    public bool AllowsPixelWeight
    {
        get => allowsPixelWeight && !SpatialFilters;
        init => allowsPixelWeight = value;
    }

    private readonly bool allowsPixelWeight = true;

    /// <summary>Parameters that bound a window size; checked against static spatial sizes.</summary>
    public ImmutableArray<ParameterDefinition> WindowParameters { get; init; } = ImmutableArray<ParameterDefinition>.Empty;

    /// <summary>
    /// The list whose length is the number of scales (ms_ssim's scale_weights): each scale after the first halves every
    /// spatial side, so the window parameters must fit the coarsest.
    /// </summary>
    public ParameterDefinition? ScaleParameter { get; init; }

    /// <summary>Arguments that cannot be given together (average: micro pools the classes, so no class weights).</summary>
    public ImmutableArray<ParameterConflict> Conflicts { get; init; } = ImmutableArray<ParameterConflict>.Empty;

    /// <summary>A single-channel mask counts as background and foreground (generalized_dice), so it has a channel 0 to drop.</summary>
    public bool AddsBackgroundToSingleChannel { get; init; }

    public PrimitiveVariant? VariantFor(TargetKind target) => Variants.FirstOrDefault(v => v.Target == target);

    public bool Supports(TargetKind target) => VariantFor(target) is not null;
}
