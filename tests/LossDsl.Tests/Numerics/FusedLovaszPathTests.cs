using CsCheck;
using LossDsl.Kernels;
using LossDsl.Kernels.Cpu;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The Lovász extension's CPU pass (a radix sort, then one walk) against torch's stable sort and its torch-operation
/// path: the same order on rows with ties, ±0, NaN, ±∞ and negative values, and the same weights, value and gradient on
/// random rows. The torch path runs on the same values in float64 made non-contiguous, which the pass refuses.
/// </summary>
public sealed class FusedLovaszPathTests
{
    /// <summary>What a row's values are drawn from: spread out, few distinct values (ties), or every special value too.</summary>
    public enum Values
    {
        Spread,
        Ties,
        Special,
    }

    /// <summary>Rows of 0 to past 70,000 values (each byte of the keys varies), in both dtypes.</summary>
    private static readonly Gen<(int Length, ScalarType Dtype, Values Values, int Seed)> Rows =
        from length in Gen.OneOf(Gen.Int[0, 40], Gen.Int[41, 3000], Gen.Int[65000, 70000])
        from dtype in FusedCpuPathTests.Dtypes
        from values in Gen.Enum<Values>()
        from seed in Gen.Int[0, 1 << 20]
        select (length, dtype, values, seed);

    [Fact]
    public void The_radix_order_is_torch_s_stable_descending_order() => PropertyRun.ForAll(Rows, sample =>
    {
        using var scope = NewDisposeScope();
        var row = RowOf(sample.Length, sample.Dtype, sample.Values, new TorchSharp.torch.Generator((ulong)sample.Seed));
        var expected = row.sort(-1, descending: true, stable: true).Indices.data<long>().Select(i => (int)i).ToArray();

        var order = new int[sample.Length];
        if (sample.Dtype == ScalarType.Float32)
        {
            DescendingOrder.Sort<float>(row.data<float>().ToArray(), order);
        }
        else
        {
            DescendingOrder.Sort<double>(row.data<double>().ToArray(), order);
        }

        Assert.Equal(expected, order);
    }, iterations: 60, seed: 21, print: sample => sample.ToString());

    [Fact]
    public void NaN_ranks_first_and_minus_zero_ties_with_zero()
    {
        double[] values = { 0.0, -0.0, 2, double.NaN, -1, double.PositiveInfinity, -0.0, double.NegativeInfinity, 2, double.Epsilon };
        var order = new int[values.Length];

        DescendingOrder.Sort<double>(values, order);

        Assert.Equal(new[] { 3, 5, 2, 8, 9, 0, 1, 6, 4, 7 }, order);
    }

    /// <summary>
    /// 2 to 4 rows (one row of one error has no non-contiguous view) of 1 to 3,000 (or past 65,000) errors, non-negative
    /// with ties and zeros as hinge errors have, a mask or soft targets.
    /// </summary>
    private static readonly Gen<Case> Cases =
        from rows in Gen.Int[2, 4]
        from length in Gen.OneOf(Gen.Int[1, 3000], Gen.Int[65000, 70000])
        from dtype in FusedCpuPathTests.Dtypes
        from ties in Gen.Bool
        from softTarget in Gen.Bool
        from seed in Gen.Int[0, 1 << 20]
        select new Case(rows, length, dtype, ties, softTarget, seed);

    [Fact]
    public void The_pass_and_the_torch_operations_agree() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        long[] shape = { sample.Rows, sample.Length };
        var spread = randn(shape, dtype: sample.Dtype, generator: generator).add(0.5).relu();
        var errors = sample.Ties ? spread.mul(4).round().div(4) : spread;
        var uniform = rand(shape, dtype: sample.Dtype, generator: generator);
        var truth = sample.SoftTarget ? uniform : uniform.gt(0.7).to_type(sample.Dtype);
        Assert.True(LovaszWeightsPass.Takes(errors, truth));
        // The torch path in float64 on the same values (exact in float64, so in the same order): in float32 it takes its
        // cumulative sums and Jaccard values in float32, and each weight, a difference of two of them, is off by their
        // rounding; the pass keeps float64 and rounds each weight once.
        var (strided, stridedTruth) = (FixedInputs.Strided(errors.to_type(ScalarType.Float64)), FixedInputs.Strided(truth.to_type(ScalarType.Float64)));
        Assert.False(LovaszWeightsPass.Takes(strided, stridedTruth));

        var (value, gradient) = Extension(errors, truth);
        var (torchValue, torchGradient) = Extension(strided, stridedTruth);

        var what = sample.ToString();
        Tolerance.CloseToLargest(torchValue, value, Tolerance.For(sample.Dtype), what + ": Σ e·g per row");
        // A weight is J_i − J_{i−1} with J in [0, 1]: its error is absolute, a few roundings of 1 in float64, and the pass's
        // one rounding of the weight in float32.
        var allowed = sample.Dtype == ScalarType.Float32 ? 1e-7 : 1e-14;
        for (var i = 0; i < gradient.Length; i++)
        {
            Assert.True(Math.Abs(torchGradient[i] - gradient[i]) <= allowed, $"{what}: g[{i}] = {gradient[i]:R}, torch {torchGradient[i]:R}");
        }

        Assert.Equal(torchGradient.Select(g => g != 0), gradient.Select(g => g != 0));
    }, iterations: 60, seed: 22, print: sample => sample.ToString());

    [Fact]
    public void An_empty_target_puts_all_weight_on_the_largest_error_and_a_full_one_spreads_it()
    {
        using var scope = NewDisposeScope();
        var errors = tensor(new[] { 0.5, 2.0, 1.0, 2.0 });

        var empty = FixedInputs.ToArray(GradientOf(errors, zeros(4, dtype: ScalarType.Float64)));
        var full = FixedInputs.ToArray(GradientOf(errors, ones(4, dtype: ScalarType.Float64)));

        // No foreground: J_i = 1 for every prefix, so the first error in the order (the first 2.0) has weight 1.
        Assert.Equal(new[] { 0.0, 1.0, 0.0, 0.0 }, empty);
        // All foreground (G = 4): J_i = i / 4, each rank adds 1/4.
        Assert.Equal(new[] { 0.25, 0.25, 0.25, 0.25 }, full);
    }

    // The extension per row and its gradient with respect to the errors (the weights), as float64 arrays.
    private static (double[] Value, double[] Gradient) Extension(Tensor errors, Tensor truth)
    {
        var e = errors.detach().requires_grad_();
        var value = StructureLosses.LovaszExtension(e, truth);
        var gradient = autograd.grad(new[] { value.sum() }, new[] { e })[0];
        return (FixedInputs.ToArray(value), FixedInputs.ToArray(gradient));
    }

    private static Tensor GradientOf(Tensor errors, Tensor truth)
    {
        var e = errors.detach().requires_grad_();
        return autograd.grad(new[] { StructureLosses.LovaszExtension(e, truth).sum() }, new[] { e })[0];
    }

    // A row of values of the given kind; the special kind mixes in ±0, NaN, ±∞, subnormals and negative values.
    private static Tensor RowOf(int length, ScalarType dtype, Values values, TorchSharp.torch.Generator generator)
    {
        var spread = randn(length, dtype: ScalarType.Float64, generator: generator).mul(3);
        var row = values == Values.Spread ? spread : spread.round();
        if (values == Values.Special)
        {
            double[] special = { 0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, dtype == ScalarType.Float32 ? 1e-40 : 1e-310, -1e-40 };
            var pick = randint(special.Length, length, dtype: ScalarType.Int64, generator: generator);
            var where = rand(length, dtype: ScalarType.Float64, generator: generator).lt(0.3);
            row = row.where(where.logical_not(), tensor(special).index_select(0, pick));
        }

        return row.to_type(dtype);
    }

    private sealed record Case(int Rows, int Length, ScalarType Dtype, bool Ties, bool SoftTarget, int Seed)
    {
        public override string ToString() => $"[{Rows}, {Length}] {Dtype}{(Ties ? " ties" : string.Empty)}, {(SoftTarget ? "soft" : "mask")} target, seed {Seed}";
    }
}
