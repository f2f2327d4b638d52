using CsCheck;
using LossDsl.Kernels.Cpu;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The value checks' managed range against libtorch's <c>aminmax</c>: the same smallest and largest value of finite
/// tensors, at both lane widths and every thread count, and no range (the caller takes aminmax) where a value is NaN or
/// infinite, or for a tensor it does not read.
/// </summary>
public sealed class RangePassTests
{
    /// <summary>What a case puts at one random element: nothing, NaN, +∞ or −∞.</summary>
    public enum Planted
    {
        Nothing,
        NaN,
        PositiveInfinity,
        NegativeInfinity,
    }

    // 1 element to past two chunks (65,536 each), so chunks with only a tail, a tail after pairs of vectors, and several.
    private static readonly Gen<(int Length, ScalarType Dtype, bool Wide, Planted Planted, int Seed)> Cases =
        from length in Gen.OneOf(Gen.Int[1, 70], Gen.Int[70, 5000], Gen.Int[60000, 140000])
        from dtype in FusedCpuPathTests.Dtypes
        from wide in Gen.Bool
        from planted in Gen.Enum<Planted>()
        from seed in Gen.Int[0, 1 << 20]
        select (length, dtype, wide, planted, seed);

    [Fact]
    public void The_range_is_aminmax_of_finite_values_and_absent_otherwise() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        var values = randn(sample.Length, dtype: sample.Dtype, generator: generator) * 1e3;
        if (sample.Planted != Planted.Nothing)
        {
            var at = randint(sample.Length, 1, generator: generator).item<long>();
            values[at] = sample.Planted switch
            {
                Planted.NaN => double.NaN,
                Planted.PositiveInfinity => double.PositiveInfinity,
                _ => double.NegativeInfinity,
            };
        }

        var read = RangePass.TryRead(values, out var min, out var max, sample.Wide);

        Assert.Equal(sample.Planted == Planted.Nothing, read);
        if (read)
        {
            var (expectedMin, expectedMax) = aminmax(values);
            Assert.Equal(expectedMin.ToDouble(), min);
            Assert.Equal(expectedMax.ToDouble(), max);
        }
    }, iterations: 200, seed: 41, print: sample => sample.ToString());

    [Fact]
    public void Every_thread_count_gives_the_same_range()
    {
        using var scope = NewDisposeScope();
        var values = randn(300001, generator: new TorchSharp.torch.Generator(43));
        var threads = get_num_threads();
        try
        {
            var ranges = new[] { 1, 2, 3 }.Select(count =>
            {
                set_num_threads(count);
                Assert.True(RangePass.TryRead(values, out var min, out var max));
                return (min, max);
            }).ToArray();

            Assert.Equal(ranges[0], ranges[1]);
            Assert.Equal(ranges[0], ranges[2]);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Tensors_it_does_not_read_are_left_to_aminmax()
    {
        using var scope = NewDisposeScope();
        var matrix = randn(8, 8);

        Assert.False(RangePass.TryRead(matrix.t(), out _, out _));
        Assert.False(RangePass.TryRead(empty(0), out _, out _));
        Assert.False(RangePass.TryRead(ones(4, dtype: ScalarType.Int64), out _, out _));
        Assert.False(RangePass.TryRead(ones(4, dtype: ScalarType.Float16), out _, out _));
        Assert.True(RangePass.TryRead(matrix, out var min, out var max));
        Assert.Equal(matrix.min().ToDouble(), min);
        Assert.Equal(matrix.max().ToDouble(), max);
    }
}
