using LossDsl.Kernels.Cpu;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The fused kernel's own exponential, log1p, log and focal power against the runtime's scalar functions, over their
/// whole ranges: a few units in the last place, in float64 and float32, down to where eˣ leaves the normal numbers and
/// log1p(e) ≈ e; at both lane widths on every machine (512-bit lanes run in software where the CPU has none).
/// </summary>
public sealed class LaneFunctionsTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void The_exponential_of_non_positive_numbers_is_within_a_few_ulps(int bits)
    {
        var lanes = Functions.Of(bits);
        var points = Enumerable.Range(0, 200_001).Select(i => -745.0 * i / 200_000).Concat(new[] { -1e-300, -1e-12, -0.3465, -0.3466 }).ToArray();
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var x in points)
        {
            var exact = Math.Exp(x);
            var ofDouble = lanes.Exp(x);
            var ofSingle = lanes.ExpSingle((float)x);
            var exactSingle = Math.Exp((float)x);
            if (x >= -708)
            {
                worstDouble = Math.Max(worstDouble, Math.Abs(ofDouble - exact) / exact);
            }
            else
            {
                Assert.True(ofDouble == lanes.Exp(-708), $"exp({x:R}) = {ofDouble:R}: below -708 it stays at exp(-708)");
            }

            if (x >= -87)
            {
                worstSingle = Math.Max(worstSingle, Math.Abs(ofSingle - exactSingle) / exactSingle);
            }
            else
            {
                Assert.True(ofSingle == lanes.ExpSingle(-87), $"exp({(float)x:R}) = {ofSingle:R} in float32: below -87 it stays at exp(-87)");
            }
        }

        Assert.True(worstDouble <= 4 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        Assert.True(worstSingle <= 4 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
        Assert.True(double.IsNaN(lanes.Exp(double.NaN)));
        // The floors are normal numbers, within the same few ulps of the exponential there.
        Assert.True(Math.Abs(lanes.Exp(-708) - Math.Exp(-708)) <= 4 * Math.ScaleB(Math.Exp(-708), -52) && lanes.Exp(-708) >= 2.2250738585072014E-308);
        Assert.True(Math.Abs(lanes.ExpSingle(-87) - Math.Exp(-87.0)) <= 4 * Math.ScaleB(Math.Exp(-87.0), -23) && lanes.ExpSingle(-87) >= 1.17549435E-38f);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void Log1p_of_the_unit_interval_is_within_a_few_ulps_even_for_tiny_arguments(int bits)
    {
        var lanes = Functions.Of(bits);
        var points = Enumerable.Range(0, 100_001).Select(i => i / 100_000.0)
            .Concat(Enumerable.Range(1, 300).Select(k => Math.Pow(10, -k))).ToArray();
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var e in points)
        {
            var exact = Log1p(e);
            var ofDouble = lanes.Log1p(e);
            worstDouble = Math.Max(worstDouble, e == 0 ? Math.Abs(ofDouble) : Math.Abs(ofDouble - exact) / exact);
            var single = (float)e;
            if (single > 0 && float.IsNormal(single))
            {
                var exactSingle = Log1p(single);
                var ofSingle = lanes.Log1pSingle(single);
                worstSingle = Math.Max(worstSingle, Math.Abs(ofSingle - exactSingle) / exactSingle);
            }
        }

        Assert.True(worstDouble <= 8 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        // float32's is a fitted polynomial: 1.4 ulps at most.
        Assert.True(worstSingle <= 2 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void The_log_of_a_product_of_eight_one_plus_e_is_the_sum_of_their_log1p(int bits)
    {
        // How bce's fused pass adds log(1 + e) over a group of vectors: u ← u + e + u·e, then log1p(u) once. Eight e
        // drawn from the unit interval, from tiny values (where 1 + e rounds to 1) and from both ends, and the extremes.
        var lanes = Functions.Of(bits);
        var random = new Random(18);
        double Draw() => random.Next(4) switch
        {
            0 => random.NextDouble(),
            1 => Math.Pow(10, -random.Next(1, 38)) * random.NextDouble(),
            2 => 1 - (random.NextDouble() * 1e-3),
            _ => Math.Exp(-87),
        };

        var groups = Enumerable.Range(0, 20_000).Select(_ => Enumerable.Range(0, 8).Select(_ => Draw()).ToArray())
            .Append(Enumerable.Repeat(1.0, 8).ToArray()).Append(new double[8]).ToArray();
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var group in groups)
        {
            var exact = group.Sum(Log1p);
            var ofDouble = lanes.LogOfProduct(group);
            worstDouble = Math.Max(worstDouble, exact == 0 ? Math.Abs(ofDouble) : Math.Abs(ofDouble - exact) / exact);
            var single = group.Select(e => (float)e).ToArray();
            var exactSingle = single.Sum(e => Log1p(e));
            var ofSingle = lanes.LogOfProductSingle(single);
            worstSingle = Math.Max(worstSingle, exactSingle == 0 ? Math.Abs(ofSingle) : Math.Abs(ofSingle - exactSingle) / exactSingle);
        }

        // At most two ulps a step of the product and the log1p's own few; about two in all, measured.
        Assert.True(worstDouble <= 8 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        Assert.True(worstSingle <= 8 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
        Assert.True(double.IsNaN(lanes.LogOfProduct(new[] { 0.5, double.NaN, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5 })));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void The_log_of_normal_numbers_is_within_a_few_ulps(int bits)
    {
        var lanes = Functions.Of(bits);
        // Every binade from the smallest normal number to 2¹⁰²³, and densely around 1, where the log goes to 0.
        var points = Enumerable.Range(-1022, 2046).SelectMany(k => new[] { 1.0, 1.1, 1.4142, 1.4143, 1.9999 }.Select(f => Math.ScaleB(f, k)))
            .Concat(Enumerable.Range(-50_000, 100_001).Select(i => 1 + (i * 1e-5)))
            .Where(m => m > 0).ToArray();
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var m in points)
        {
            var exact = Math.Log(m);
            var ofDouble = lanes.Log(m);
            worstDouble = Math.Max(worstDouble, m == 1 ? Math.Abs(ofDouble) : Math.Abs(ofDouble - exact) / Math.Abs(exact));
            var single = (float)m;
            if (float.IsNormal(single) && single != 1)
            {
                var exactSingle = Math.Log(single);
                var ofSingle = lanes.LogSingle(single);
                worstSingle = Math.Max(worstSingle, Math.Abs(ofSingle - exactSingle) / Math.Abs(exactSingle));
            }
        }

        Assert.True(worstDouble <= 4 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        Assert.True(worstSingle <= 4 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
    }

    [Theory]
    [InlineData(0.0, 256)]
    [InlineData(1.0, 256)]
    [InlineData(2.0, 256)]
    [InlineData(3.0, 256)]
    [InlineData(0.5, 256)]
    [InlineData(1.5, 256)]
    [InlineData(2.5, 256)]
    [InlineData(9.0, 256)]  // whole but past the products: through exp and log
    [InlineData(2.0, 512)]
    [InlineData(2.5, 512)]
    [InlineData(9.0, 512)]
    public void The_focal_power_of_the_unit_interval_follows_math_pow(double gamma, int bits)
    {
        var lanes = Functions.Of(bits);
        // The error of exp(γ·log m) grows with |γ·log m| (the error of its argument), to ~700 at the smallest normal m.
        var points = Enumerable.Range(0, 20_001).Select(i => i / 20_000.0).Concat(Enumerable.Range(1, 307).Select(k => Math.Pow(10, -k)))
            .Select(m => Math.Max(m, double.Epsilon * Math.ScaleB(1, 52))).ToArray();
        foreach (var m in points)
        {
            var exact = Math.Pow(m, gamma);
            var ofDouble = lanes.Power(m, gamma);
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
                var ofSingle = lanes.PowerSingle(single, gamma);
                var allowedSingle = 8 * Math.ScaleB(1, -23) * Math.Max(1, Math.Abs(gamma * Math.Log(single)));
                Assert.True(Math.Abs(ofSingle - exactSingle) <= allowedSingle * exactSingle, $"{single:R}^{gamma} = {ofSingle:R} in float32, Math.Pow {exactSingle:R}");
            }
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void Sigmoids_numerator_is_one_where_x_is_not_negative_and_the_other_value_elsewhere(int bits)
    {
        // VFIXUPIMM classifies x (±0, +1, ±∞, NaN, denormals and normals of each sign) where AVX-512 is there; a comparison and a selection elsewhere.
        var lanes = Functions.Of(bits);
        double[] points = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 3e-310, -3e-310, 1e-40, -1e-40, 1e300, -1e300, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.MaxValue, double.MinValue];
        foreach (var x in points.Where(x => !double.IsNaN(x)))
        {
            Assert.Equal(x >= 0 ? 1.0 : 0.25, lanes.OneWhereNotNegative(x, 0.25));
            var single = (float)x;
            Assert.Equal(single >= 0 ? 1.0f : 0.25f, lanes.OneWhereNotNegativeSingle(single, 0.25f));
        }

        // NaN: NaN from VFIXUPIMM, the other value from a selection.
        Assert.True(lanes.OneWhereNotNegative(double.NaN, 0.25) is var numerator && (double.IsNaN(numerator) || numerator == 0.25));
        Assert.True(lanes.OneWhereNotNegativeSingle(float.NaN, 0.25f) is var numeratorSingle && (float.IsNaN(numeratorSingle) || numeratorSingle == 0.25f));

        // σ(x) from it and e = exp(−|x|): within a few ulps of 1 / (1 + exp(−x)) on both sides of 0, NaN for NaN.
        foreach (var x in Enumerable.Range(-400, 801).Select(i => i / 10.0))
        {
            var exact = 1 / (1 + Math.Exp(-x));
            Assert.True(Math.Abs(lanes.Sigmoid(x) - exact) <= 4 * Math.ScaleB(exact, -52), $"σ({x:R}) = {lanes.Sigmoid(x):R}, exactly {exact:R}");
            var exactSingle = 1 / (1 + Math.Exp(-(float)x));
            Assert.True(Math.Abs(lanes.SigmoidSingle((float)x) - exactSingle) <= 4 * Math.ScaleB(exactSingle, -23), $"σ({(float)x:R}) = {lanes.SigmoidSingle((float)x):R} in float32, exactly {exactSingle:R}");
        }

        Assert.True(double.IsNaN(lanes.Sigmoid(double.NaN)) && float.IsNaN(lanes.SigmoidSingle(float.NaN)));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void Exp_of_minus_abs_is_the_exponential_of_the_clamped_negated_magnitude_on_every_kind_of_value(int bits)
    {
        // VRANGEP (the smaller magnitude of x and the floor, its sign set) where AVX-512 DQ is there; −|x| and a maximum
        // elsewhere: the same bits as exp of max(−|x|, floor), on signed zeros, denormals, the floor, ±∞ and NaN.
        var lanes = Functions.Of(bits);
        double[] points = [0.0, -0.0, 1.0, -1.0, 0.3466, -0.3466, 3e-310, -3e-310, 1e-40, -1e-40, 86.9, -86.9, 87.0, -87.0, 87.5, -87.5,
            707.9, -707.9, 708.0, -708.0, 709.5, -709.5, 1e300, -1e300, double.MaxValue, double.MinValue, double.PositiveInfinity, double.NegativeInfinity];
        foreach (var x in points)
        {
            Assert.Equal(lanes.Exp(-Math.Abs(x)), lanes.ExpOfMinusAbs(x));
            var narrow = (float)x;
            Assert.Equal(lanes.ExpSingle(-Math.Abs(narrow)), lanes.ExpOfMinusAbsSingle(narrow));
        }

        // NaN has no magnitude to clamp: VRANGEP gives the floor's exponential, −|x| and a maximum NaN; σ and softplus
        // are NaN either way.
        Assert.True(lanes.ExpOfMinusAbs(double.NaN) is var e && (double.IsNaN(e) || e == lanes.Exp(-708)));
        Assert.True(lanes.ExpOfMinusAbsSingle(float.NaN) is var single && (float.IsNaN(single) || single == lanes.ExpSingle(-87)));
        Assert.True(double.IsNaN(lanes.Sigmoid(double.NaN)) && float.IsNaN(lanes.SigmoidSingle(float.NaN)));
        Assert.True(double.IsNaN(lanes.Softplus(double.NaN)) && float.IsNaN(lanes.SoftplusSingle(float.NaN)));
        Assert.Equal(Math.Exp(-1.0), lanes.ExpOfMinusAbs(1.0), 15);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void Negated_and_subtracting_multiply_adds_give_the_bits_of_the_multiply_add_of_the_negated_operand(int bits)
    {
        // One instruction (VFNMADD, VFMSUB) where the CPU has them: the same single rounding as (−a)·b + c and a·b + (−c),
        // signed zeros included.
        var lanes = Functions.Of(bits);
        var random = new Random(18);
        var values = Enumerable.Range(0, 2000).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-30, 30)))
            .Concat([0.0, -0.0, 1.0, -1.0, 1e-310, double.PositiveInfinity]).ToArray();
        for (var i = 0; i + 2 < values.Length; i++)
        {
            var (a, b, c) = (values[i], values[i + 1], values[i + 2]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(lanes.MultiplyAdd(-a, b, c)), BitConverter.DoubleToInt64Bits(lanes.MultiplyAddNegated(a, b, c)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(lanes.MultiplyAdd(a, b, -c)), BitConverter.DoubleToInt64Bits(lanes.MultiplySubtract(a, b, c)));
            var (x, y, z) = ((float)a, (float)b, (float)c);
            Assert.Equal(BitConverter.SingleToInt32Bits(lanes.MultiplyAddSingle(-x, y, z)), BitConverter.SingleToInt32Bits(lanes.MultiplyAddNegatedSingle(x, y, z)));
            Assert.Equal(BitConverter.SingleToInt32Bits(lanes.MultiplyAddSingle(x, y, -z)), BitConverter.SingleToInt32Bits(lanes.MultiplySubtractSingle(x, y, z)));
        }

        // Not a product added: 2·3 taken from 7, and 2·3 less 7.
        Assert.Equal(1.0, lanes.MultiplyAddNegated(2, 3, 7));
        Assert.Equal(-1.0f, lanes.MultiplySubtractSingle(2, 3, 7));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void The_cross_entropy_of_logits_keeps_the_bits_of_its_logarithm_where_the_prediction_is_confident_and_right(int bits)
    {
        // ce = (max(x, 0) − t·x) + log1p(e): for t = 1 and x ≫ 0 (or t = 0 and x ≪ 0) the first part is exactly 0 and ce is
        // its logarithm, e itself for large |x|, which softplus(x) − t·x would have rounded to the ulps of x (0 from x = 17
        // in float32). Everywhere else ce is at least the binary entropy of t, and within a few ulps of it.
        var lanes = Functions.Of(bits);
        var (worstDouble, worstSingle) = (0.0, 0.0);
        foreach (var x in Enumerable.Range(-8000, 16_001).Select(i => i / 200.0))
        {
            foreach (var t in new[] { 0.0, 1.0, 0.3 })
            {
                var exact = Math.Max(x, 0) - (t * x) + Log1p(Math.Exp(-Math.Abs(x)));
                worstDouble = Math.Max(worstDouble, Math.Abs(lanes.CrossEntropy(x, t) - exact) / exact);
                var (xs, ts) = ((float)x, (float)t);
                var exactSingle = Math.Max(xs, 0) - ((double)ts * xs) + Log1p(Math.Exp(-Math.Abs((double)xs)));
                worstSingle = Math.Max(worstSingle, Math.Abs(lanes.CrossEntropySingle(xs, ts) - exactSingle) / exactSingle);
            }
        }

        Assert.True(worstDouble <= 16 * Math.ScaleB(1, -52), $"float64: worst relative error {worstDouble:E2}");
        Assert.True(worstSingle <= 4 * Math.ScaleB(1, -23), $"float32: worst relative error {worstSingle:E2}");
        Assert.Equal(Log1p(Math.Exp(-30.0)), lanes.CrossEntropy(30, 1), 1e-25);
    }

    // Scalar, a formula of its own (Goldberg's): log(u)·e/(u − 1) with u = 1 + e rounded, e itself where u is 1. .NET's
    // double.LogP1 is log(1 + e), which loses the digits of tiny arguments.
    private static double Log1p(double e)
    {
        var u = 1 + e;
        return u == 1 ? e : Math.Log(u) * e / (u - 1);
    }

    /// <summary>The functions at one lane width, in float64 and float32, on a vector of one value: its first lane.</summary>
    private abstract class Functions
    {
        public static Functions Of(int bits) => bits == 512 ? new At<Lanes512<double>, Lanes512<float>>() : new At<Lanes256<double>, Lanes256<float>>();

        public abstract double Exp(double x);

        public abstract float ExpSingle(float x);

        public abstract double Log1p(double e);

        public abstract float Log1pSingle(float e);

        public abstract double LogOfProduct(double[] e);

        public abstract float LogOfProductSingle(float[] e);

        public abstract double Log(double m);

        public abstract float LogSingle(float m);

        public abstract double Power(double m, double gamma);

        public abstract float PowerSingle(float m, double gamma);

        public abstract double OneWhereNotNegative(double x, double otherwise);

        public abstract float OneWhereNotNegativeSingle(float x, float otherwise);

        public abstract double Sigmoid(double x);

        public abstract double ExpOfMinusAbs(double x);

        public abstract double Softplus(double x);

        public abstract float SoftplusSingle(float x);

        public abstract double CrossEntropy(double x, double t);

        public abstract float CrossEntropySingle(float x, float t);

        public abstract float ExpOfMinusAbsSingle(float x);

        public abstract double MultiplyAdd(double a, double b, double c);

        public abstract float MultiplyAddSingle(float a, float b, float c);

        public abstract double MultiplyAddNegated(double a, double b, double c);

        public abstract float MultiplyAddNegatedSingle(float a, float b, float c);

        public abstract double MultiplySubtract(double a, double b, double c);

        public abstract float MultiplySubtractSingle(float a, float b, float c);

        public abstract float SigmoidSingle(float x);

        private sealed class At<TDouble, TSingle> : Functions
            where TDouble : unmanaged, ILanes<TDouble, double>
            where TSingle : unmanaged, ILanes<TSingle, float>
        {
            public override double Exp(double x) => LaneFunctions<TDouble, double>.ExpOfNonPositive(TDouble.Create(x))[0];

            public override float ExpSingle(float x) => LaneFunctions<TSingle, float>.ExpOfNonPositive(TSingle.Create(x))[0];

            public override double Log1p(double e) => LaneFunctions<TDouble, double>.Log1pOfUnitPlus(TDouble.Create(e), TDouble.Zero)[0];

            public override float Log1pSingle(float e) => LaneFunctions<TSingle, float>.Log1pOfUnitPlus(TSingle.Create(e), TSingle.Zero)[0];

            public override double LogOfProduct(double[] e) =>
                LaneFunctions<TDouble, double>.Log1p(e.Aggregate(TDouble.Zero, (u, ei) => LaneFunctions<TDouble, double>.OnePlusProductMinusOne(u, TDouble.Create(ei))))[0];

            public override float LogOfProductSingle(float[] e) =>
                LaneFunctions<TSingle, float>.Log1p(e.Aggregate(TSingle.Zero, (u, ei) => LaneFunctions<TSingle, float>.OnePlusProductMinusOne(u, TSingle.Create(ei))))[0];

            public override double Log(double m) => LaneFunctions<TDouble, double>.LogOfNormal(TDouble.Create(m))[0];

            public override float LogSingle(float m) => LaneFunctions<TSingle, float>.LogOfNormal(TSingle.Create(m))[0];

            public override double Power(double m, double gamma) => LaneFunctions<TDouble, double>.PowerOfUnit(TDouble.Create(m), gamma)[0];

            public override float PowerSingle(float m, double gamma) => LaneFunctions<TSingle, float>.PowerOfUnit(TSingle.Create(m), gamma)[0];

            public override double OneWhereNotNegative(double x, double otherwise) => TDouble.OneWhereNotNegative(TDouble.Create(x), TDouble.Create(otherwise))[0];

            public override float OneWhereNotNegativeSingle(float x, float otherwise) => TSingle.OneWhereNotNegative(TSingle.Create(x), TSingle.Create(otherwise))[0];

            public override double Softplus(double x) => LaneFunctions<TDouble, double>.SoftplusWith(TDouble.Create(x), LaneFunctions<TDouble, double>.ExpOfMinusAbs(TDouble.Create(x)))[0];

            public override float SoftplusSingle(float x) => LaneFunctions<TSingle, float>.SoftplusWith(TSingle.Create(x), LaneFunctions<TSingle, float>.ExpOfMinusAbs(TSingle.Create(x)))[0];

            public override double CrossEntropy(double x, double t) =>
                LaneFunctions<TDouble, double>.CrossEntropyWith(TDouble.Create(x), TDouble.Create(t), LaneFunctions<TDouble, double>.ExpOfMinusAbs(TDouble.Create(x)))[0];

            public override float CrossEntropySingle(float x, float t) =>
                LaneFunctions<TSingle, float>.CrossEntropyWith(TSingle.Create(x), TSingle.Create(t), LaneFunctions<TSingle, float>.ExpOfMinusAbs(TSingle.Create(x)))[0];

            public override double ExpOfMinusAbs(double x) => LaneFunctions<TDouble, double>.ExpOfMinusAbs(TDouble.Create(x))[0];

            public override float ExpOfMinusAbsSingle(float x) => LaneFunctions<TSingle, float>.ExpOfMinusAbs(TSingle.Create(x))[0];

            public override double MultiplyAdd(double a, double b, double c) => TDouble.MultiplyAdd(TDouble.Create(a), TDouble.Create(b), TDouble.Create(c))[0];

            public override float MultiplyAddSingle(float a, float b, float c) => TSingle.MultiplyAdd(TSingle.Create(a), TSingle.Create(b), TSingle.Create(c))[0];

            public override double MultiplyAddNegated(double a, double b, double c) => TDouble.MultiplyAddNegated(TDouble.Create(a), TDouble.Create(b), TDouble.Create(c))[0];

            public override float MultiplyAddNegatedSingle(float a, float b, float c) => TSingle.MultiplyAddNegated(TSingle.Create(a), TSingle.Create(b), TSingle.Create(c))[0];

            public override double MultiplySubtract(double a, double b, double c) => TDouble.MultiplySubtract(TDouble.Create(a), TDouble.Create(b), TDouble.Create(c))[0];

            public override float MultiplySubtractSingle(float a, float b, float c) => TSingle.MultiplySubtract(TSingle.Create(a), TSingle.Create(b), TSingle.Create(c))[0];

            public override double Sigmoid(double x) => LaneFunctions<TDouble, double>.SigmoidWith(TDouble.Create(x), LaneFunctions<TDouble, double>.ExpOfMinusAbs(TDouble.Create(x)))[0];

            public override float SigmoidSingle(float x) => LaneFunctions<TSingle, float>.SigmoidWith(TSingle.Create(x), LaneFunctions<TSingle, float>.ExpOfMinusAbs(TSingle.Create(x)))[0];
        }
    }
}
