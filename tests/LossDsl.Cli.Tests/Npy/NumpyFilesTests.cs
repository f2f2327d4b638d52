using LossDsl.Cli.Npy;

namespace LossDsl.Cli.Tests.Npy;

/// <summary>Files numpy itself wrote (TestData/make_test_data.py); expected values are the formulas the script used.</summary>
public sealed class NumpyFilesTests
{
    private static readonly float[] QuarterSteps = Enumerable.Range(0, 6).Select(i => i / 4f).ToArray();

    [Theory]
    [InlineData("f4_2x3.npy")]
    [InlineData("f4_2x3_v2.npy")]
    [InlineData("f4_2x3_v3.npy")]
    public void Float32_in_every_format_version(string file)
    {
        var array = Read(file);

        Assert.Same(NpyDType.Float32, array.DType);
        Assert.Equal(new long[] { 2, 3 }, array.Shape);
        Assert.Equal(QuarterSteps, array.As<float>());
    }

    [Fact]
    public void Float64_vector()
    {
        var array = Read("f8_3.npy");

        Assert.Same(NpyDType.Float64, array.DType);
        Assert.Equal(new long[] { 3 }, array.Shape);
        Assert.Equal(new[] { -1.5, 0.25, 1e300 }, array.As<double>());
    }

    [Fact]
    public void Float64_scalar()
    {
        var array = Read("f8_scalar.npy");

        Assert.Empty(array.Shape);
        Assert.Equal(new[] { 2.5 }, array.As<double>());
    }

    [Fact]
    public void Int64_labels()
    {
        var array = Read("i8_2x2x2.npy");

        Assert.Same(NpyDType.Int64, array.DType);
        Assert.Equal(new long[] { 2, 2, 2 }, array.Shape);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)(i % 3)), array.As<long>());
    }

    [Fact]
    public void Int32_vector()
    {
        var array = Read("i4_4.npy");

        Assert.Same(NpyDType.Int32, array.DType);
        Assert.Equal(new[] { 0, -7, -14, -21 }, array.As<int>());
    }

    [Fact]
    public void Bool_mask()
    {
        var array = Read("b1_1x1x2x2.npy");

        Assert.Same(NpyDType.Bool, array.DType);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, array.Shape);
        Assert.Equal(new[] { false, true, false, true }, array.As<bool>());
    }

    [Fact]
    public void UInt8_vector()
    {
        Assert.Equal(new byte[] { 0, 1, 255 }, Read("u1_3.npy").As<byte>());
    }

    [Theory]
    [InlineData("f4_2x3_fortran.npy", "the array of shape (2, 3) is stored in Fortran (column-major) order; only C order is supported (in numpy: np.save(path, np.ascontiguousarray(a)))")]
    [InlineData("f4_big_endian.npy", "the data is big-endian ('>f4'); only little-endian is supported (in numpy: a.astype('<f4'))")]
    [InlineData("f2_3.npy", "unsupported dtype '<f2'; supported: <f4, <f8, <i4, <i8, |b1, |u1")]
    public void Files_the_reader_rejects(string file, string message)
    {
        var error = Assert.Throws<NpyFormatException>(() => Read(file));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void What_the_writer_writes_reads_back_like_what_numpy_wrote()
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, NpyArray.Create(QuarterSteps, 2, 3));
        var ours = NpyReader.Read(new MemoryStream(stream.ToArray()));
        var numpys = Read("f4_2x3.npy");

        Assert.Equal(numpys.Shape, ours.Shape);
        Assert.Equal(numpys.As<float>(), ours.As<float>());
        Assert.Equal(File.ReadAllBytes(TestData.Path("f4_2x3.npy"))[^24..], stream.ToArray()[^24..]);
    }

    internal static NpyArray Read(string file) => NpyReader.ReadFile(TestData.Path(file));
}
