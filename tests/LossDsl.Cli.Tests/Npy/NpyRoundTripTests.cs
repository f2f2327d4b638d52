using LossDsl.Cli.Npy;

namespace LossDsl.Cli.Tests.Npy;

public sealed class NpyRoundTripTests
{
    [Fact]
    public void Float32_round_trips_every_bit_pattern_kind()
    {
        var values = new[] { 0f, -0f, 1.5f, -3.25e-3f, float.Epsilon, float.MaxValue, float.NegativeInfinity, float.NaN, 1e-40f, 0.1f, -7f, 2f };
        var read = RoundTrip(NpyArray.Create(values, 3, 4));

        Assert.Same(NpyDType.Float32, read.DType);
        Assert.Equal(new long[] { 3, 4 }, read.Shape);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), read.As<float>().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Float64_round_trips_every_bit_pattern_kind()
    {
        var values = new[] { 0.0, -0.0, Math.PI, -1e-300, double.Epsilon, double.MaxValue, double.PositiveInfinity, double.NaN };
        var read = RoundTrip(NpyArray.Create(values, 2, 2, 2));

        Assert.Same(NpyDType.Float64, read.DType);
        Assert.Equal(new long[] { 2, 2, 2 }, read.Shape);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), read.As<double>().Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Int64_round_trips_extremes()
    {
        var values = new[] { long.MinValue, -1L, 0L, 1L, 255L, long.MaxValue };
        var read = RoundTrip(NpyArray.Create(values, 6));

        Assert.Same(NpyDType.Int64, read.DType);
        Assert.Equal(new long[] { 6 }, read.Shape);
        Assert.Equal(values, read.As<long>());
    }

    [Fact]
    public void Int32_round_trips_extremes()
    {
        var values = new[] { int.MinValue, -1, 0, int.MaxValue };
        var read = RoundTrip(NpyArray.Create(values, 1, 4));

        Assert.Same(NpyDType.Int32, read.DType);
        Assert.Equal(values, read.As<int>());
    }

    [Fact]
    public void Bool_round_trips_as_one_byte_each()
    {
        var values = new[] { true, false, false, true, true };
        var bytes = Write(NpyArray.Create(values, 5));
        var read = NpyReader.Read(new MemoryStream(bytes));

        Assert.Same(NpyDType.Bool, read.DType);
        Assert.Equal(values, read.As<bool>());
        Assert.Equal(new byte[] { 1, 0, 0, 1, 1 }, bytes[^5..]);
    }

    [Fact]
    public void UInt8_round_trips()
    {
        var values = new byte[] { 0, 1, 127, 128, 255, 3 };
        var read = RoundTrip(NpyArray.Create(values, 2, 3));

        Assert.Same(NpyDType.UInt8, read.DType);
        Assert.Equal(values, read.As<byte>());
    }

    [Fact]
    public void Scalar_and_empty_arrays_round_trip()
    {
        var scalar = RoundTrip(NpyArray.Create(new[] { 2.5 }));
        Assert.Empty(scalar.Shape);
        Assert.Equal(new[] { 2.5 }, scalar.As<double>());

        var empty = RoundTrip(NpyArray.Create(Array.Empty<float>(), 0, 3));
        Assert.Equal(new long[] { 0, 3 }, empty.Shape);
        Assert.Empty(empty.As<float>());
    }

    [Fact]
    public void Writes_the_header_numpy_writes_with_the_data_aligned_to_64_bytes()
    {
        var bytes = Write(NpyArray.Create(new float[6], 2, 3));
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = System.Text.Encoding.Latin1.GetString(bytes, 10, headerLength);

        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        Assert.Equal("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", header.TrimEnd(' ', '\n'));
        Assert.EndsWith("\n", header);
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal(10 + headerLength + 24, bytes.Length);
    }

    [Fact]
    public void A_header_longer_than_64_KiB_is_written_as_version_2()
    {
        // 30,000 dimensions of 1 print as "1, " each: a 90,000-character header, too long for version 1.0's 2-byte length.
        var shape = Enumerable.Repeat(1L, 30_000).ToArray();
        var bytes = Write(NpyArray.Create(new[] { 7L }, shape));
        var read = NpyReader.Read(new MemoryStream(bytes));

        Assert.Equal(2, bytes[6]);
        Assert.Equal(0u, (12 + BitConverter.ToUInt32(bytes, 8)) % 64);
        Assert.Equal(shape, read.Shape);
        Assert.Equal(new[] { 7L }, read.As<long>());
    }

    [Fact]
    public void Files_round_trip_through_the_disk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lossdsl-npy-{Guid.NewGuid():N}.npy");
        try
        {
            NpyWriter.WriteFile(path, NpyArray.Create(new[] { 1f, 2f }, 2));
            Assert.Equal(new[] { 1f, 2f }, NpyReader.ReadFile(path).As<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Create_rejects_data_that_does_not_fill_the_shape()
    {
        var error = Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[5], 2, 3));
        Assert.StartsWith("Shape (2, 3) holds 6 element(s), the data has 5.", error.Message);
    }

    private static byte[] Write(NpyArray array)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, array);
        return stream.ToArray();
    }

    private static NpyArray RoundTrip(NpyArray array) => NpyReader.Read(new MemoryStream(Write(array)));
}
