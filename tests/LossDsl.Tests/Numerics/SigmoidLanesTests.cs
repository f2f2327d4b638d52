using System.Runtime.Intrinsics;
using LossDsl.Kernels.Cpu;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The fused kernel's own exponential, log1p, log and focal power against the runtime's scalar functions, over their
/// whole ranges: a few units in the last place, in float64 and float32, down to where eˣ leaves the normal numbers and
/// log1p(e) ≈ e.
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

    [Fact]
    public void The_log_of_normal_numbers_is_within_a_few_ulps()
    {
        // Every binade from the smallest normal number to 2¹⁰²³, and densely around 1, where the log goes to 0.
        var points = Enumerable.Range(-1022, 2046).SelectMany(k => new[] { 1.0, 1.1, 1.4142, 1.4143, 1.9999 }.Select(f => Math.ScaleB(f, k)))
            .Concat(Enumerable.Range(-50_000, 100_001).Select(i => 1 + (i * 1e-5)))
            .Where(m => m > 0).ToArray();
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var m in points)
        {
            var exact = Math.Log(m);
            var ofDouble = SigmoidLanes<double>.LogOfNormal(Vector256.Create(m)).GetElement(0);
            worstDouble = Math.Max(worstDouble, m == 1 ? Math.Abs(ofDouble) : Math.Abs(ofDouble - exact) / Math.Abs(exact));
            var single = (float)m;
            if (float.IsNormal(single) && single != 1)
            {
                var exactSingle = Math.Log(single);
                var ofSingle = SigmoidLanes<float>.LogOfNormal(Vector256.Create(single)).GetElement(0);
                worstSingle = Math.Max(worstSingle, Math.Abs(ofSingle - exactSingle) / Math.Abs(exactSingle));
            }
        }

        Assert.True(worstDouble <= 4 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        Assert.True(worstSingle <= 4 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(0.5)]
    [InlineData(1.5)]
    [InlineData(2.5)]
    [InlineData(9.0)]  // whole but past the products: through exp and log
    public void The_focal_power_of_the_unit_interval_follows_math_pow(double gamma)
    {
        // The error of exp(γ·log m) grows with |γ·log m| (the error of its argument), to ~700 at the smallest normal m.
        var points = Enumerable.Range(0, 20_001).Select(i => i / 20_000.0).Concat(Enumerable.Range(1, 307).Select(k => Math.Pow(10, -k)))
            .Select(m => Math.Max(m, double.Epsilon * Math.ScaleB(1, 52))).ToArray();
        foreach (var m in points)
        {
            var exact = Math.Pow(m, gamma);
            var ofDouble = SigmoidLanes<double>.PowerOfUnit(Vector256.Create(m), gamma).GetElement(0);
            var allowed = 8 * Math.ScaleB(1, -52) * Math.Max(1, Math.Abs(gamma * Math.Log(m)));
            if (gamma * Math.Log(m) < -708)
            {
                Assert.True(ofDouble <= 1e-300, $"{m:R}^{gamma} = {ofDouble:R}: below the normal numbers");
                continue;
            }

            Assert.True(Math.Abs(ofDouble - exact) <= allowed * exact, $"{m:R}^{gamma} = {ofDouble:R}, Math.Pow {exact:R}");
            var single = (float)m;
            if (float.IsNormal(single) && gamma * Math.Log(single) >= -87)
            {
                var exactSingle = Math.Pow(single, gamma);
                var ofSingle = SigmoidLanes<float>.PowerOfUnit(Vector256.Create(single), gamma).GetElement(0);
                var allowedSingle = 8 * Math.ScaleB(1, -23) * Math.Max(1, Math.Abs(gamma * Math.Log(single)));
                Assert.True(Math.Abs(ofSingle - exactSingle) <= allowedSingle * exactSingle, $"{single:R}^{gamma} = {ofSingle:R} in float32, Math.Pow {exactSingle:R}");
            }
        }
    }

    // Scalar, a formula of its own (Goldberg's): log(u)·e/(u − 1) with u = 1 + e rounded, e itself where u is 1. .NET's
    // double.LogP1 is log(1 + e), which loses the digits of tiny arguments.
    private static double Log1p(double e)
    {
        var u = 1 + e;
        return u == 1 ? e : Math.Log(u) * e / (u - 1);
    }
}
