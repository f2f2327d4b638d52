using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;

namespace LossDsl.Language.Semantics;

/// <summary>How the levels of a deep-supervised loss are weighted (LOSSES.md, "Deep supervision").</summary>
internal enum LevelWeighting
{
    /// <summary>w_k = 1 (BASNet).</summary>
    Same,

    /// <summary>w_k = max(0.5^k, 0.0625).</summary>
    Exp,

    /// <summary>w_0 = 1, w_k = 0.5 for k ≥ 1.</summary>
    Two,

    /// <summary>An explicit list, one weight per level.</summary>
    List,
}

/// <summary>Which side is resized when a level's size differs from the target's.</summary>
internal enum ResizePolicy
{
    /// <summary>The target (and any weight map and valid mask) to the prediction, by nearest neighbour (nearest-exact).</summary>
    Target,

    /// <summary>The prediction to the target, by multilinear interpolation (align_corners=False).</summary>
    Pred,
}

/// <summary>
/// The side outputs a loss declares for <c>pred</c>: <c>levels K weights exp resize target stride 2</c>.
/// <see cref="Count"/> is the static K, or null when K is taken from the call; <see cref="List"/> holds the explicit
/// weights; <see cref="Stride"/>, when declared, fixes each level's spatial size: floor(S / stride^k) at level k.
/// </summary>
internal sealed record SignatureLevels(int? Count, LevelWeighting Weighting, ImmutableArray<double> List, ResizePolicy Resize)
{
    /// <summary>How many times smaller each level is than the one above, per spatial dim; null when sizes are free.</summary>
    public int? Stride { get; init; }

    /// <summary>Level <paramref name="level"/>'s size of a dim of size <paramref name="size"/> at level 0, by the declared stride.</summary>
    public long SizeAt(int level, long size) => Stride is { } stride ? size / (long)Math.Pow(stride, level) : size;

    /// <summary>The words of <see cref="LevelWeighting"/> in the language, list excepted.</summary>
    public static ImmutableArray<string> WeightingNames { get; } = ImmutableArray.Create("same", "exp", "two");

    /// <summary>The words of <see cref="ResizePolicy"/> in the language.</summary>
    public static ImmutableArray<string> ResizeNames { get; } = ImmutableArray.Create("target", "pred");

    /// <summary>The weight of level <paramref name="level"/> (0 = the main output).</summary>
    public double Weight(int level) => Weighting switch
    {
        LevelWeighting.Same => 1.0,
        LevelWeighting.Exp => Math.Max(Math.Pow(0.5, level), 0.0625),
        LevelWeighting.Two => level == 0 ? 1.0 : 0.5,
        _ => List[level],
    };

    /// <summary>Reads as written after pred's shape: <c>levels K weights [1, 0.5] resize pred</c>.</summary>
    public string Display()
    {
        var count = Count?.ToString(CultureInfo.InvariantCulture) ?? "K";
        var weights = Weighting == LevelWeighting.List
            ? "[" + string.Join(", ", List.Select(NumberText.Format)) + "]"
            : WeightingNames[(int)Weighting];
        var stride = Stride is { } s ? $" stride {s.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        return $"levels {count} weights {weights} resize {ResizeNames[(int)Resize]}{stride}";
    }

    public bool Equals(SignatureLevels? other) =>
        other is not null && Count == other.Count && Weighting == other.Weighting && Resize == other.Resize && Stride == other.Stride
        && List.IsDefault == other.List.IsDefault && (List.IsDefault || List.SequenceEqual(other.List));

    public override int GetHashCode() => ((Count ?? -1) * 31 + (int)Weighting) * 31 + (int)Resize;
}
