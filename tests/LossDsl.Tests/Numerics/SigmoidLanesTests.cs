using System.Runtime.Intrinsics;
using LossDsl.Kernels.Cpu;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The fused kernel's own exponential and log1p against the runtime's scalar functions, over their whole ranges: a few
/// units in the last place, in float64 and float32, down to where eˣ leaves the normal numbers and log1p(e) ≈ e.
/// </summary>
public sealed class SigmoidLanesTests
{
    [Fact]
    public void The_exponential_of_non_positive_numbers_is_within_a_few_ulps()
    {
        var points = Enumerable.Range(0, 200_001).Select(i => -745.0 * i / 200_000).Concat(new[] { -1e-300, -1e-12, -0.3465, -0.3466 }).ToArray();
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var x in points)
        {
            var exact = Math.Exp(x);
            var ofDouble = SigmoidLanes<double>.ExpOfNonPositive(Vector256.Create(x)).GetElement(0);
            var ofSingle = SigmoidLanes<float>.ExpOfNonPositive(Vector256.Create((float)x)).GetElement(0);
            var exactSingle = Math.Exp((float)x);
            if (x >= -708)
            {
                worstDouble = Math.Max(worstDouble, Math.Abs(ofDouble - exact) / exact);
            }
            else
            {
                Assert.True(ofDouble == 0, $"exp({x:R}) = {ofDouble:R}: below the normal numbers is 0");
            }

            if (x >= -87)
            {
                worstSingle = Math.Max(worstSingle, Math.Abs(ofSingle - exactSingle) / exactSingle);
            }
            else
            {
                Assert.True(ofSingle == 0, $"exp({(float)x:R}) = {ofSingle:R} in float32: below the normal numbers is 0");
            }
        }

        Assert.True(worstDouble <= 4 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        Assert.True(worstSingle <= 4 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
        Assert.True(double.IsNaN(SigmoidLanes<double>.ExpOfNonPositive(Vector256.Create(double.NaN)).GetElement(0)));
    }

    [Fact]
    public void Log1p_of_the_unit_interval_is_within_a_few_ulps_even_for_tiny_arguments()
    {
        var points = Enumerable.Range(0, 100_001).Select(i => i / 100_000.0)
            .Concat(Enumerable.Range(1, 300).Select(k => Math.Pow(10, -k))).ToArray();
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var e in points)
        {
            var exact = Log1p(e);
            var ofDouble = SigmoidLanes<double>.Log1pOfUnit(Vector256.Create(e)).GetElement(0);
            worstDouble = Math.Max(worstDouble, e == 0 ? Math.Abs(ofDouble) : Math.Abs(ofDouble - exact) / exact);
            var single = (float)e;
            if (single > 0 && float.IsNormal(single))
            {
                var exactSingle = Log1p(single);
                var ofSingle = SigmoidLanes<float>.Log1pOfUnit(Vector256.Create(single)).GetElement(0);
                worstSingle = Math.Max(worstSingle, Math.Abs(ofSingle - exactSingle) / exactSingle);
            }
        }

        Assert.True(worstDouble <= 8 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        Assert.True(worstSingle <= 4 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
    }

    // Scalar, a formula of its own (Goldberg's): log(u)·e/(u − 1) with u = 1 + e rounded, e itself where u is 1. .NET's
    // double.LogP1 is log(1 + e), which loses the digits of tiny arguments.
    private static double Log1p(double e)
    {
        var u = 1 + e;
        return u == 1 ? e : Math.Log(u) * e / (u - 1);
    }
}
