using LossDsl.Language.Primitives;

namespace LossDsl.Tests.Language;

/// <summary>The nearest accepted value, which the quick fix for an argument out of range writes.</summary>
public sealed class NumberRuleTests
{
    [Theory]
    [InlineData(10, null, 11)]    // an even window goes up
    [InlineData(2, null, 3)]      // below the minimum: the minimum
    [InlineData(11, 8.0, 7)]      // above a static size: the largest odd window that fits
    [InlineData(9, 9.0, 9)]
    [InlineData(4.4, null, 5)]    // a fraction rounds, then goes to the odd one
    [InlineData(7.6, 8.0, 7)]     // rounds to 8, which is even and the top: down
    public void An_odd_window(double given, double? ceiling, double nearest) =>
        Assert.Equal(nearest, NumberRule.OddAtLeast(3).Nearest(given, ceiling));

    [Fact]
    public void Closed_bounds_clamp_and_exclusive_ones_have_no_nearest_value()
    {
        Assert.Equal(0, NumberRule.NonNegative.Nearest(-1));
        Assert.Equal(1, NumberRule.UnitInterval.Nearest(1.5));
        Assert.Equal(0.25, NumberRule.UnitInterval.Nearest(0.25));
        Assert.Null(NumberRule.Positive.Nearest(-1));
        Assert.Null(new NumberRule(Maximum: 100, MaximumExclusive: true).Nearest(150));
        Assert.Null(NumberRule.OddAtLeast(3).Nearest(4, ceiling: 2));
        Assert.Null(NumberRule.NonNegative.Nearest(double.NaN));
    }
}
