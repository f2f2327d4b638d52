namespace LossDsl.Tests.Infrastructure;

/// <summary>LOSSES.md's contract: values and gradients to 1e-5 relative in float32, 1e-9 in float64.</summary>
public static class Tolerance
{
    public const double Float32 = 1e-5;
    public const double Float64 = 1e-9;

    public static void Close(double expected, double actual, double relative, string what)
    {
        var scale = Math.Max(Math.Abs(expected), 1e-3);
        Assert.True(Math.Abs(expected - actual) <= relative * scale,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / scale:E2}, allowed {relative:E0})");
    }

    public static void Close(double[] expected, double[] actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(expected.Max(Math.Abs), 1e-3);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (allowed {relative:E0} of {scale:R})");
        }
    }
}
