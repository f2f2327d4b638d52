using System;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>
/// How each term's value on one shard of a batch becomes the whole batch's across a data-parallel group
/// (<see cref="PrimitiveDefinition.AcrossGroup"/>; docs/data-parallel.md). A mean is a sum over a count, both summed
/// across the group; a function of the batch's region statistics needs nothing of its own (the planner sums the
/// statistics); the rest are no sum of per-shard numbers, and say so.
/// </summary>
internal static partial class Catalog
{
    /// <summary>A mean over the kept elements: a mask's elements ([N, C, *spatial]), the labels' pixels; over every one with <c>mean_over: all</c>.</summary>
    private static KernelCall ElementMean(IPlanInputs inputs, LocalValue value, bool overAll) =>
        GroupReductionCalls.MeanOverElements(value, inputs.Signature.Target == TargetKind.Labels ? inputs.LabelIndices() : inputs.Pred,
            overAll ? null : inputs.ValidPixels(), PlanInputs.Group);

    /// <summary>Every image counts the same: per-image region losses and the structure losses' means over images and their elements.</summary>
    private static KernelCall ImageMean(IPlanInputs inputs, LocalValue value) => GroupReductionCalls.MeanOverImages(value, inputs.Pred, PlanInputs.Group);

    // Methods, not lambdas in static fields: the primitives above are built in field order, and these could come later.
    private static KernelCall? OverImages(IPlanInputs inputs, BoundTerm term, LocalValue value) => ImageMean(inputs, value);

    /// <summary>Per image, a mean over images; over the batch, a function of the statistics the planner sums.</summary>
    private static KernelCall? FromStatistics(IPlanInputs inputs, BoundTerm term, LocalValue value) => term.Boolean(PerImage) ? ImageMean(inputs, value) : null;

    private static Func<IPlanInputs, BoundTerm, LocalValue, KernelCall?> NotAcrossGroup(string reason) =>
        (_, term, value) => GroupReductionCalls.Unavailable(value, term.Name, reason, PlanInputs.Group);

    /// <summary>A Lovász term: each image's extension on its own is a mean over images; over the batch it sorts every pixel of it.</summary>
    private static Func<IPlanInputs, BoundTerm, LocalValue, KernelCall?> Lovasz(ParameterDefinition perImage) => (inputs, term, value) =>
        term.Boolean(perImage) ? ImageMean(inputs, value) : GroupReductionCalls.Unavailable(value, term.Name, SortsTheBatch, PlanInputs.Group);

    private const string SortsTheBatch = "over the batch it sorts the errors of every pixel of it, which no per-process sum gives; use per_image: true";
}
