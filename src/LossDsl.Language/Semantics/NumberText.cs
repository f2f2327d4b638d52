using System.Globalization;

namespace LossDsl.Language.Semantics;

/// <summary>How numbers read in messages and docs: round-trip exact, invariant culture, as loss text writes them (<c>1e-06</c>).</summary>
internal static class NumberText
{
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");
}
