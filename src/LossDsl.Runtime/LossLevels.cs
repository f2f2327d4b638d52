using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl;

/// <summary>How the levels of a deep-supervised loss are weighted (docs/language.md, "Deep supervision").</summary>
public enum LossLevelWeights
{
    /// <summary>Every level 1 (BASNet).</summary>
    Same = 0,

    /// <summary>Level k weighs max(0.5^k, 0.0625).</summary>
    Exp = 1,

    /// <summary>The main output 1, every side output 0.5.</summary>
    Two = 2,
}

/// <summary>Which side is resized when a level's size differs from the target's.</summary>
public enum LossResize
{
    /// <summary>The target, weight map and valid mask to each prediction, by nearest neighbour (nearest-exact): MONAI, nnU-Net.</summary>
    Target = 0,

    /// <summary>Each prediction to the target, bilinearly (linear, trilinear by rank; align_corners=False): BASNet.</summary>
    Pred = 1,
}

/// <summary>
/// The side outputs a deep-supervised loss takes for pred (docs/language.md, "Deep supervision"): how many (null: as
/// many as the call gives), their weights, and the resize policy. The loss is Σ_k w_k · loss(pred_k, target_k).
/// </summary>
/// <param name="Count">The number of predictions, the main one included; null takes it from the call.</param>
public sealed record LossLevels(int? Count)
{
    /// <summary>The value of <see cref="LossAttribute.Levels"/> that takes the number of levels from the call.</summary>
    public const int FromCall = -1;

    /// <summary>The weighting rule (default <see cref="LossLevelWeights.Same"/>); ignored when <see cref="WeightList"/> is set.</summary>
    public LossLevelWeights Weights { get; init; }

    /// <summary>Explicit weights, one per level, the main output's first; overrides <see cref="Weights"/>.</summary>
    public IReadOnlyList<double>? WeightList { get; init; }

    /// <summary>The resize policy (default <see cref="LossResize.Target"/>).</summary>
    public LossResize Resize { get; init; }

    /// <summary>
    /// When set, each level is this many times smaller than the one above in every spatial dim (level k of a dim of
    /// size S has floor(S / stride^k)): calls are checked against it, so side outputs given in another order are an
    /// error, and the compiler bounds windows by the last level's static size.
    /// </summary>
    public int? Stride { get; init; }

    /// <summary>The compiler's form of these settings.</summary>
    internal SignatureLevels ToSignature() => new(
        Count,
        WeightList is null ? (LevelWeighting)Weights : LevelWeighting.List,
        WeightList?.ToImmutableArray() ?? ImmutableArray<double>.Empty,
        (ResizePolicy)Resize)
    {
        Stride = Stride,
    };

    /// <summary>The public form of a signature's levels.</summary>
    internal static LossLevels? FromSignature(SignatureLevels? levels) => levels is null ? null : new LossLevels(levels.Count)
    {
        Weights = levels.Weighting == LevelWeighting.List ? LossLevelWeights.Same : (LossLevelWeights)levels.Weighting,
        WeightList = levels.Weighting == LevelWeighting.List ? levels.List.ToArray() : null,
        Resize = (LossResize)levels.Resize,
        Stride = levels.Stride,
    };
}
