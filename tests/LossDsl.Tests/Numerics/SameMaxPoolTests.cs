using CsCheck;
using LossDsl.Kernels;
using LossDsl.Kernels.Cpu;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The separable CPU max pooling (<see cref="SameMaxPoolPass"/>) against libtorch's max_pool2d/3d with indices: the same
/// values bit for bit (NaN where libtorch has NaN) and the same index of each maximum (the first in row-major order
/// among ties, the last NaN), at both lane widths on every CPU; and through <see cref="SameMaxPool"/>, the same gradient.
/// </summary>
public sealed class SameMaxPoolTests
{
    /// <summary>What the values are: spread out, few distinct values (ties everywhere), or with NaN and −∞ among them.</summary>
    public enum Values
    {
        Spread,
        Ties,
        Special,
    }

    /// <summary>
    /// 1 or 2 images and channels, 2 or 3 spatial dims of 1 to 40 (below and past a vector of lanes), each with a window
    /// of 1 to 7 (odd, and larger than the dim at times).
    /// </summary>
    private static readonly Gen<Case> Cases =
        from rank in Gen.Int[2, 3]
        from spatial in Gen.Int[1, 40].Array[rank]
        from kernel in Gen.OneOf(Gen.Const(1L), Gen.Const(3L), Gen.Const(5L), Gen.Const(7L)).Array[rank]
        from images in Gen.Int[1, 2]
        from channels in Gen.Int[1, 2]
        from dtype in FusedCpuPathTests.Dtypes
        from values in Gen.Enum<Values>()
        from wide in Gen.Bool
        from seed in Gen.Int[0, 1 << 20]
        select new Case(new long[] { images, channels }.Concat(spatial.Select(d => (long)d)).ToArray(), kernel, dtype, values, wide, seed);

    [Fact]
    public void Values_and_indices_are_libtorch_s() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var x = Input(sample);
        Assert.True(SameMaxPoolPass.Takes(x, sample.Kernel));
        var (expected, expectedIndices) = WithIndices(x, sample.Kernel);

        var (values, indices) = SameMaxPoolPass.Forward(x, sample.Kernel, sample.Wide);

        Assert.Equal(Bits(expected), Bits(values));
        Assert.Equal(expectedIndices.data<long>().ToArray(), indices.to_type(ScalarType.Int64).data<long>().ToArray());
    }, iterations: 150, seed: 23, print: sample => sample.ToString());

    [Fact]
    public void The_gradient_is_libtorch_s() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var x = Input(sample);
        var upstream = randn(x.shape, dtype: sample.Dtype, generator: new TorchSharp.torch.Generator((ulong)sample.Seed + 1));

        var gradient = GradientOf(input => SameMaxPool.Compute(input, sample.Kernel), x, upstream);
        var expected = GradientOf(input => Torch(input, sample.Kernel), x, upstream);

        Assert.Equal(Bits(expected), Bits(gradient));
    }, iterations: 100, seed: 24, print: sample => sample.ToString());

    [Fact]
    public void Tensors_the_pass_does_not_take_go_through_libtorch()
    {
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 2, 3, 9, 12 }, generator: new TorchSharp.torch.Generator(5));
        long[] kernel = { 3, 5 };
        var strided = FixedInputs.Strided(x);

        Assert.False(SameMaxPoolPass.Takes(strided, kernel));
        Assert.False(SameMaxPoolPass.Takes(x.to_type(ScalarType.Float16), kernel));
        Assert.False(SameMaxPoolPass.Takes(x, new long[] { 3, 4 }));
        Assert.Equal(Bits(Torch(x, kernel)), Bits(SameMaxPool.Compute(strided, kernel)));
    }

    private static Tensor Input(Case sample)
    {
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        var spread = randn(sample.Shape, dtype: ScalarType.Float64, generator: generator).mul(3);
        var x = sample.Values == Values.Spread ? spread : spread.round();
        if (sample.Values == Values.Special)
        {
            var draw = rand(sample.Shape, dtype: ScalarType.Float64, generator: generator);
            x = x.where(draw.gt(0.1), double.NaN).where(draw.lt(0.1).logical_or(draw.gt(0.2)), double.NegativeInfinity);
        }

        return x.to_type(sample.Dtype);
    }

    private static Tensor Torch(Tensor x, long[] kernel)
    {
        var (strides, padding) = (kernel.Select(_ => 1L).ToArray(), kernel.Select(k => (k - 1) / 2).ToArray());
        return kernel.Length == 2 ? nn.functional.max_pool2d(x, kernel, strides, padding) : nn.functional.max_pool3d(x, kernel, strides, padding);
    }

    private static (Tensor Values, Tensor Indices) WithIndices(Tensor x, long[] kernel)
    {
        var (strides, padding) = (kernel.Select(_ => 1L).ToArray(), kernel.Select(k => (k - 1) / 2).ToArray());
        return kernel.Length == 2
            ? nn.functional.max_pool2d_with_indices(x, kernel, strides, padding)
            : nn.functional.max_pool3d_with_indices(x, kernel, strides, padding);
    }

    private static Tensor GradientOf(Func<Tensor, Tensor> pool, Tensor x, Tensor upstream)
    {
        var input = x.detach().requires_grad_();
        return autograd.grad(new[] { pool(input).mul(upstream).sum() }, new[] { input })[0];
    }

    // Every element's bits, so NaN compares equal to NaN and −0 differs from +0.
    private static long[] Bits(Tensor tensor) =>
        tensor.to_type(ScalarType.Float64).contiguous().data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();

    private sealed record Case(long[] Shape, long[] Kernel, ScalarType Dtype, Values Values, bool Wide, int Seed)
    {
        public override string ToString() =>
            $"[{string.Join(", ", Shape)}] window [{string.Join(", ", Kernel)}] {Dtype} {Values}{(Wide ? ", 512-bit lanes" : ", 256-bit lanes")}, seed {Seed}";
    }
}
