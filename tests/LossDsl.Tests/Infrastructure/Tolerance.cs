using static TorchSharp.torch;

namespace LossDsl.Tests.Infrastructure;

/// <summary>
/// LOSSES.md's contract: values and gradients to 1e-5 relative in float32, 1e-9 in float64. A gradient is compared
/// element by element (<see cref="Gradient"/>), as docs/losses.md "Accuracy" states it.
/// </summary>
public static class Tolerance
{
    public const double Float32 = 1e-5;
    public const double Float64 = 1e-9;

    /// <summary>
    /// The gradient's error floor as a fraction of its natural size, a tenth of the relative tolerance: about 16 float32
    /// ulps, or 900 float64 ulps, of the gradient's largest element.
    /// </summary>
    public const double FloorFraction = 0.1;

    /// <summary>
    /// A half-precision pred's gradient comes back in its dtype, so each element is the float32 result rounded once:
    /// half a unit in the last place (2⁻¹¹ for float16's 11-bit significand, 2⁻⁸ for bfloat16's 8 bits) on top of
    /// float32's contract.
    /// </summary>
    public static double For(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 => Float64,
        ScalarType.Float16 => Math.ScaleB(1, -11) + Float32,
        ScalarType.BFloat16 => Math.ScaleB(1, -8) + Float32,
        _ => Float32,
    };

    public static void Close(double expected, double actual, double relative, string what)
    {
        var scale = Math.Max(Math.Abs(expected), 1e-3);
        Assert.True(Math.Abs(expected - actual) <= relative * scale,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / scale:E2}, allowed {relative:E0})");
    }

    /// <summary>
    /// Every element to <paramref name="relative"/> of the largest expected element (at least <paramref name="floor"/>):
    /// for comparisons whose error is absolute by nature, such as central differences and two implementations'
    /// cross-checks. A caller whose values have a natural size (a region loss, 1 − a ratio, is rounded to an ulp of 1
    /// however small it is) gives it as the floor.
    /// </summary>
    public static void CloseToLargest(double[] expected, double[] actual, double relative, string what, double floor = 1e-3)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(expected.Max(Math.Abs), floor);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * scale,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (allowed {relative:E0} of {scale:R})");
        }
    }

    /// <summary>
    /// The contract for a gradient, per element: |g − e| ≤ r·|e| + f·r·S, with r the dtype's tolerance and S the
    /// gradient's natural size max(max|e|, 1/n) (a mean over n elements has gradients of order 1/n even where the loss
    /// is flat). f is <see cref="FloorFraction"/> unless a caller names why its family needs more. float16 adds half
    /// the spacing of its subnormals.
    /// </summary>
    public static void Gradient(double[] expected, double[] actual, ScalarType dtype, string what, double floorFraction = FloorFraction)
    {
        Assert.Equal(expected.Length, actual.Length);
        var relative = For(dtype);
        var size = Math.Max(expected.Max(Math.Abs), 1.0 / expected.Length);
        // float16's subnormals (below 2⁻¹⁴) are spaced 2⁻²⁴ apart: a mean over 10⁵ elements has gradients down there.
        var floor = floorFraction * relative * size + (dtype == ScalarType.Float16 ? Math.ScaleB(1, -25) : 0);
        for (var i = 0; i < expected.Length; i++)
        {
            var allowed = relative * Math.Abs(expected[i]) + floor;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed,
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {Math.Abs(expected[i] - actual[i]):E2}, allowed {relative:E0}·|e| + {floor:E2})");
        }
    }
}
