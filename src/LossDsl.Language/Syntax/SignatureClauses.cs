using System.Collections.Immutable;

namespace LossDsl.Language.Syntax;

/// <summary>
/// The words that may follow a signature parameter's shape: <c>ignore 255</c> on labels; <c>levels K</c>,
/// <c>weights exp</c>, <c>resize pred</c>, <c>stride 2</c> and <c>dtype float16</c> on pred. The parser reads them, the binder names them in messages, and the
/// editor grammar takes them from here.
/// </summary>
internal static class SignatureClauses
{
    public const string Ignore = "ignore";

    public const string Levels = "levels";

    public const string Weights = "weights";

    public const string Resize = "resize";

    public const string Stride = "stride";

    public const string Dtype = "dtype";

    /// <summary>The clauses of deep supervision, in the order docs/language.md writes them.</summary>
    public static ImmutableArray<string> LevelClauses { get; } = ImmutableArray.Create(Levels, Weights, Resize, Stride);
}
