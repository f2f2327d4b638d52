using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator.Model;

/// <summary>
/// Where loss text lives in a file. <see cref="Positions"/> maps each text offset (and the end) to its file position,
/// so a diagnostic can underline the exact characters even across escapes; when it is empty (the text is not a plain
/// literal) every diagnostic falls back to <see cref="Fallback"/>, the whole argument.
/// </summary>
internal sealed record TextOrigin(string FilePath, TextSpan Fallback, EquatableArray<int> Positions)
{
    /// <summary>Whether <see cref="Map"/> gives the exact characters (a plain literal), not the fallback.</summary>
    public bool IsExact => !Positions.IsEmpty;

    public TextSpan Map(int start, int end)
    {
        if (Positions.IsEmpty || start < 0 || end >= Positions.Length || end < start)
        {
            return Fallback;
        }

        return TextSpan.FromBounds(Positions[start], Positions[end]);
    }
}
