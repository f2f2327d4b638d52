using System;

namespace LossDsl.Language.Primitives;

/// <summary>
/// The values a term or an expression can take on real inputs: <c>[Lower, Upper]</c>, each bound either reached or only
/// approached. "Reached" counts what floating point makes of a limit: dice is 0 for a perfect prediction, and sigmoid
/// saturates to exactly 1 in float32 at a logit of 17, so a bound approached by confident predictions is reached. A bound
/// approached only as an input tends to infinity (<c>exp</c> towards 0) is not. The analysis reads the closure alone to
/// find where a function leaves its domain, and the flags to tell a value that can be 0 from one that only comes near it.
/// </summary>
internal readonly record struct ValueRange(double Lower, double Upper, bool LowerReached = true, bool UpperReached = true)
{
    public static ValueRange Unbounded { get; } = new(double.NegativeInfinity, double.PositiveInfinity, false, false);

    /// <summary>[0, ∞): cross-entropy and the other means of per-pixel losses, 0 for a perfect, confident prediction.</summary>
    public static ValueRange NonNegative { get; } = new(0, double.PositiveInfinity, true, false);

    /// <summary>[0, 1]: a loss of the form 1 − score with a score in [0, 1].</summary>
    public static ValueRange Unit { get; } = new(0, 1);

    public static ValueRange Point(double value) => new(value, value);

    /// <summary>Whether the range holds <paramref name="value"/> itself, not only values near it.</summary>
    public bool Reaches(double value) =>
        (Lower < value && value < Upper) || (Lower == value && LowerReached) || (Upper == value && UpperReached);

    /// <summary>Whether some value in the range is below <paramref name="value"/>.</summary>
    public bool GoesBelow(double value) => Lower < value;

    public static ValueRange operator -(ValueRange x) => new(-x.Upper, -x.Lower, x.UpperReached, x.LowerReached);

    public static ValueRange operator +(ValueRange x, ValueRange y) =>
        new(x.Lower + y.Lower, x.Upper + y.Upper, x.LowerReached && y.LowerReached, x.UpperReached && y.UpperReached);

    public static ValueRange operator -(ValueRange x, ValueRange y) => x + -y;

    /// <summary>The product's hull: the extremes are among the four products of bounds (0 · ∞ counts as 0, a term that is 0).</summary>
    public static ValueRange operator *(ValueRange x, ValueRange y)
    {
        var products = new[]
        {
            (Product(x.Lower, y.Lower), x.LowerReached && y.LowerReached),
            (Product(x.Lower, y.Upper), x.LowerReached && y.UpperReached),
            (Product(x.Upper, y.Lower), x.UpperReached && y.LowerReached),
            (Product(x.Upper, y.Upper), x.UpperReached && y.UpperReached),
        };
        var lower = double.PositiveInfinity;
        var upper = double.NegativeInfinity;
        bool lowerReached = false, upperReached = false;
        foreach (var (value, reached) in products)
        {
            (lower, lowerReached) = value < lower ? (value, reached) : (lower, lowerReached || (value == lower && reached));
            (upper, upperReached) = value > upper ? (value, reached) : (upper, upperReached || (value == upper && reached));
        }

        // A factor that can be 0 makes the product 0 whichever bound the other sits at.
        var zero = x.Reaches(0) || y.Reaches(0);
        return new(lower, upper, lowerReached || (lower == 0 && zero), upperReached || (upper == 0 && zero));
    }

    /// <summary>1 / x; null when x can be 0 or comes near it from both sides (the caller reports a division by it).</summary>
    public ValueRange? Reciprocal() => Lower > 0 || Upper < 0
        ? new(1 / Upper, 1 / Lower, UpperReached && !double.IsInfinity(Upper), LowerReached)
        : null;

    /// <summary>The image of a function increasing on the range.</summary>
    public ValueRange MapIncreasing(Func<double, double> f) => new(f(Lower), f(Upper),
        LowerReached && !double.IsInfinity(Lower), UpperReached && !double.IsInfinity(Upper));

    /// <summary>|x|, and any function even and increasing away from 0 (cosh), through its value on |x|.</summary>
    public ValueRange MapEven(Func<double, double> f)
    {
        if (Lower >= 0)
        {
            return MapIncreasing(f);
        }

        if (Upper <= 0)
        {
            return (-this).MapIncreasing(f);
        }

        var (far, farReached) = -Lower > Upper ? (-Lower, LowerReached) : (Upper, UpperReached || (-Lower == Upper && LowerReached));
        return new(f(0), f(far), true, farReached && !double.IsInfinity(far));
    }

    private static double Product(double a, double b) => a == 0 || b == 0 ? 0 : a * b;
}
