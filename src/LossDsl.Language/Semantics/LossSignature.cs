using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Semantics;

/// <summary>Whether <c>pred</c> holds raw scores, probabilities or log-probabilities (the values of <c>LossDsl.LossInput</c>).</summary>
internal enum InputKind
{
    Logits,
    Probabilities,
    LogProbabilities,
}

/// <summary>What <c>target</c> holds: a float mask shaped like pred, or int64 class labels without the class dim.</summary>
internal enum TargetKind
{
    Mask,
    Labels,
}

/// <summary>
/// The shape of a declared per-pixel input (a pixel weight map or a valid mask, LOSSES.md "Beyond pred and target"):
/// one value per pixel broadcast over the channels (<c>[N, 1, *spatial]</c>; <c>[N, *spatial]</c> beside labels), or one
/// per element of a mask (<c>[N, C, *spatial]</c>).
/// </summary>
internal enum PixelMap
{
    PerPixel,
    PerChannel,
}

/// <summary>
/// The dtype the training loop passes pred in, when declared (<c>dtype float16</c> after pred's shape, <c>Dtype</c> in
/// [Loss] and LossOptions): the compiler checks what float16 cannot hold. Half-precision preds are evaluated in float32
/// whether declared or not; the loss comes back in pred's dtype.
/// </summary>
internal enum PredDtype
{
    Float16,
    BFloat16,
    Float32,
    Float64,
}

/// <summary>
/// The declared inputs of a loss: the "signature" of LOSSES.md. <see cref="Classes"/> is the static C (null = symbolic);
/// <see cref="Spatial"/> holds the static spatial sizes (null entries are symbolic), or is default when any rank is accepted.
/// </summary>
internal sealed record LossSignature(InputKind Input, TargetKind Target, int? Classes, int? IgnoreIndex, ImmutableArray<int?> Spatial)
{
    /// <summary>Two symbolic spatial dims, <c>H, W</c>: the default rank.</summary>
    public static ImmutableArray<int?> DefaultSpatial { get; } = ImmutableArray.Create<int?>(null, null);

    /// <summary>Logits against a binary mask <c>[N, 1, H, W]</c>: what <c>[Loss("...")]</c> means with no other settings.</summary>
    public static LossSignature Default { get; } = new(InputKind.Logits, TargetKind.Mask, 1, null, DefaultSpatial);

    /// <summary>The static batch size N, when declared.</summary>
    public int? Batch { get; init; }

    /// <summary>The declared pixel weight map <c>w</c>, or null when the loss takes none.</summary>
    public PixelMap? PixelWeight { get; init; }

    /// <summary>The declared valid mask, or null when the loss takes none.</summary>
    public PixelMap? Valid { get; init; }

    /// <summary>The side outputs pred declares (deep supervision), or null for one prediction.</summary>
    public SignatureLevels? Levels { get; init; }

    /// <summary>
    /// The run-time scalars the loss declares (<c>a: scalar</c>), in declaration order: numbers the training loop sets
    /// between calls (a schedule's weight), used by name in the expression.
    /// </summary>
    public ImmutableArray<string> Scalars { get; init; } = ImmutableArray<string>.Empty;

    /// <summary>pred's declared dtype, or null when not declared.</summary>
    public PredDtype? Dtype { get; init; }

    /// <summary>The words a <c>.loss</c> signature writes a <see cref="PredDtype"/> with, in the enum's order.</summary>
    public static ImmutableArray<string> DtypeNames { get; } = ImmutableArray.Create("float16", "bfloat16", "float32", "float64");

    public bool AnySpatialRank => Spatial.IsDefault;

    /// <summary>The task of LOSSES.md: binary and multilabel both take masks, told apart by C.</summary>
    public string TaskName => Target == TargetKind.Labels ? "multiclass labels" : Classes == 1 ? "a binary mask" : "a multilabel mask";

    public bool Equals(LossSignature? other) =>
        other is not null && Input == other.Input && Target == other.Target && Classes == other.Classes && IgnoreIndex == other.IgnoreIndex
        && Batch == other.Batch && PixelWeight == other.PixelWeight && Valid == other.Valid && Equals(Levels, other.Levels) && Scalars.SequenceEqual(other.Scalars) && Dtype == other.Dtype && Spatial.IsDefault == other.Spatial.IsDefault && (Spatial.IsDefault || Spatial.SequenceEqual(other.Spatial));

    public override int GetHashCode() =>
        (((((((int)Input * 31) + (int)Target) * 31) + (Classes ?? -1)) * 31 + (IgnoreIndex ?? -1)) * 31 + (int)(PixelWeight ?? (PixelMap)(-1))) * 31 + (int)(Valid ?? (PixelMap)(-1));

    /// <summary>
    /// The smallest static spatial size any level is computed at, which bounds window parameters; null when none is
    /// static. With side outputs resized to (<c>resize target</c>) and a stride, that is the last level's.
    /// </summary>
    public int? SmallestStaticSpatial => AnySpatialRank ? null
        : SmallestLevel is { } level ? Spatial.Where(d => d.HasValue).Min(d => (int?)Levels!.SizeAt(level, d!.Value))
        : Spatial.Where(d => d.HasValue).Min();

    /// <summary>The level whose static sizes bound windows when it is not level 0: the last of a strided, static count computed at its own size.</summary>
    public int? SmallestLevel => !AnySpatialRank && Levels is { Resize: ResizePolicy.Target, Stride: not null, Count: > 1 and var count } ? count - 1 : null;

    /// <summary>
    /// Reads as a <c>.loss</c> signature: <c>pred: logits[N, 1, H, W], target: mask[N, 1, H, W]</c>, then the per-pixel
    /// inputs it declares (<c>, pixel_weight: map[N, 1, H, W]</c>).
    /// </summary>
    public string Display()
    {
        var spatial = AnySpatialRank ? "*" : string.Join(", ", Spatial.Select((d, i) => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? SpatialName(i, Spatial.Length)));
        var classes = Classes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "C";
        var batch = Batch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "N";
        var tail = spatial.Length == 0 ? string.Empty : ", " + spatial;
        var pred = $"pred: {InputName(Input)}[{batch}, {classes}{tail}]" + (Levels is null ? string.Empty : " " + Levels.Display())
            + (Dtype is { } dtype ? $" {Syntax.SignatureClauses.Dtype} {DtypeNames[(int)dtype]}" : string.Empty);
        var target = Target == TargetKind.Mask
            ? $"target: mask[{batch}, {classes}{tail}]"
            : $"target: labels[{batch}{tail}]" + (IgnoreIndex is { } ignore ? $" ignore {ignore}" : string.Empty);
        return pred + ", " + target + Map("pixel_weight", "map", PixelWeight) + Map("valid", "mask", Valid)
            + string.Concat(Scalars.Select(name => $", {name}: {ScalarKind}"));

        string Map(string role, string kind, PixelMap? map) => map switch
        {
            null => string.Empty,
            PixelMap.PerChannel => $", {role}: {kind}[{batch}, {classes}{tail}]",
            _ when Target == TargetKind.Labels => $", {role}: {kind}[{batch}{tail}]",
            _ => $", {role}: {kind}[{batch}, 1{tail}]",
        };
    }

    /// <summary>The kind word of a run-time scalar input: <c>a: scalar</c>.</summary>
    public const string ScalarKind = "scalar";

    /// <summary>The kind as a <c>.loss</c> signature writes it.</summary>
    public static string InputName(InputKind input) => input switch
    {
        InputKind.Probabilities => "probs",
        InputKind.LogProbabilities => "log_probs",
        _ => "logits",
    };

    private static string SpatialName(int index, int rank) => rank switch
    {
        2 => index == 0 ? "H" : "W",
        3 => index == 0 ? "D" : index == 1 ? "H" : "W",
        _ => "S" + index,
    };
}
