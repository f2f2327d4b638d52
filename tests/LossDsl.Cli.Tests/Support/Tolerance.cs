namespace LossDsl.Cli.Tests.Support;

public static class Tolerance
{
    public const double Float32 = 1e-5;
    public const double Float64 = 1e-9;

    /// <summary>|actual − expected| ≤ relative · max(|expected|, floor): relative, but not below the floor's scale near 0.</summary>
    public static void Close(double expected, double actual, double relative, string what, double floor = 1)
    {
        var allowed = relative * Math.Max(Math.Abs(expected), floor);
        Assert.True(Math.Abs(actual - expected) <= allowed, $"{what}: expected {expected:R}, got {actual:R} (allowed difference {allowed:G3})");
    }

    public static void Close(double[] expected, double[] actual, double relative, string what, double floor = 1)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Close(expected[i], actual[i], relative, $"{what}[{i}]", floor);
        }
    }
}
