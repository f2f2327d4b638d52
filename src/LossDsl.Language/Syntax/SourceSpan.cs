namespace LossDsl.Language.Syntax;

/// <summary>A range of characters in the loss text: the unit every diagnostic points at.</summary>
internal readonly record struct SourceSpan(int Start, int Length)
{
    public int End => Start + Length;

    public static SourceSpan FromBounds(int start, int end) => new(start, end - start);

    /// <summary>The smallest span covering both.</summary>
    public SourceSpan Cover(SourceSpan other) =>
        FromBounds(Start < other.Start ? Start : other.Start, End > other.End ? End : other.End);

    public override string ToString() => $"[{Start}..{End})";
}
