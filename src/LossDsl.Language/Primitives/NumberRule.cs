using System.Collections.Generic;
using System.Globalization;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>The range a numeric parameter must lie in, as data, so the check and its message come from one place.</summary>
internal sealed record NumberRule(double? Minimum = null, bool MinimumExclusive = false, double? Maximum = null, bool MaximumExclusive = false, bool Integer = false, bool Odd = false)
{
    public static NumberRule NonNegative { get; } = new(Minimum: 0);

    public static NumberRule Positive { get; } = new(Minimum: 0, MinimumExclusive: true);

    public static NumberRule UnitInterval { get; } = new(Minimum: 0, Maximum: 1);

    public static NumberRule OddAtLeast(int minimum) => new(Minimum: minimum, Integer: true, Odd: true);

    public bool Accepts(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return false;
        }

        if (Integer && value != System.Math.Floor(value))
        {
            return false;
        }

        if (Odd && System.Math.Abs(value % 2) != 1)
        {
            return false;
        }

        if (Minimum is { } min && (MinimumExclusive ? value <= min : value < min))
        {
            return false;
        }

        return Maximum is not { } max || (MaximumExclusive ? value < max : value <= max);
    }

    /// <summary>
    /// The accepted value nearest <paramref name="value"/>, at most <paramref name="ceiling"/> (a window's static limit):
    /// the quick fix for an argument out of range. An even window goes up to the next odd one (ssim's 10 to 11) unless
    /// that passes the top. Null where no value is nearest (beyond an exclusive bound).
    /// </summary>
    public double? Nearest(double value, double? ceiling = null)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return null;
        }

        var top = ceiling is { } limit && !(Maximum < limit) ? limit : Maximum;
        var topExclusive = MaximumExclusive && top == Maximum;
        if (Minimum is { } min && value < min)
        {
            value = MinimumExclusive ? double.NaN : min;
        }

        if (top is { } max && value > max)
        {
            value = topExclusive ? double.NaN : max;
        }

        value = Integer ? System.Math.Round(value, System.MidpointRounding.AwayFromZero) : value;
        if (Odd && System.Math.Abs(value % 2) != 1)
        {
            value = top is { } highest && value + 1 > highest ? value - 1 : value + 1;
        }

        return Accepts(value) && !(value > top) ? value : null;
    }

    /// <summary>"must be an odd integer ≥ 3", completing "Parameter 'window' of 'ssim' …".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Minimum is { } min)
        {
            parts.Add((MinimumExclusive ? "> " : "≥ ") + NumberText.Format(min));
        }

        if (Maximum is { } max)
        {
            parts.Add((MaximumExclusive ? "< " : "≤ ") + NumberText.Format(max));
        }

        var kind = Odd ? "an odd integer" : Integer ? "an integer" : "a number";
        return parts.Count == 0 ? $"must be {kind}" : $"must be {kind} {string.Join(" and ", parts)}";
    }

}
