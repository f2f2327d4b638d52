using System.Text;
using LossDsl.Cli.Npy;
using LossDsl.Cli.Tests.Support;

namespace LossDsl.Cli.Tests.Npy;

/// <summary>The reader on files built byte by byte: every format version, odd but legal headers, and every way to be broken.</summary>
public sealed class NpyReaderTests
{
    private const string Header2x3 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";

    private static readonly byte[] Data2x3 = NpyBytes.Float32(0, 0.25f, 0.5f, 0.75f, 1, 1.25f);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reads_format_versions_1_2_and_3(int major)
    {
        var array = Read(NpyBytes.File(major, Header2x3, Data2x3));

        Assert.Equal(new long[] { 2, 3 }, array.Shape);
        Assert.Equal(new[] { 0, 0.25f, 0.5f, 0.75f, 1, 1.25f }, array.As<float>());
    }

    [Fact]
    public void Reads_a_version_3_header_in_UTF_8()
    {
        // Version 3.0 exists for UTF-8 headers: a non-ASCII character before the dict must not shift the parse.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }        \u00a0\n";
        var array = Read(NpyBytes.File(3, header, Data2x3, Encoding.UTF8));

        Assert.Equal(new long[] { 2, 3 }, array.Shape);
    }

    [Fact]
    public void Reads_an_unpadded_header_with_unusual_spacing()
    {
        var array = Read(NpyBytes.File(1, "{ 'fortran_order':False,'shape':(2,3,),'descr':'<f4' }", Data2x3));

        Assert.Equal(new[] { 0, 0.25f, 0.5f, 0.75f, 1, 1.25f }, array.As<float>());
    }

    [Fact]
    public void Fortran_order_is_fine_for_one_dimension_where_it_is_the_same_layout()
    {
        var array = Read(NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (6,), }\n", Data2x3));

        Assert.Equal(new long[] { 6 }, array.Shape);
    }

    [Theory]
    [InlineData("<f2", "unsupported dtype '<f2'; supported: <f4, <f8, <i4, <i8, |b1, |u1")]
    [InlineData("|O", "unsupported dtype '|O'; supported: <f4, <f8, <i4, <i8, |b1, |u1")]
    [InlineData("<c8", "unsupported dtype '<c8'; supported: <f4, <f8, <i4, <i8, |b1, |u1")]
    [InlineData(">f8", "the data is big-endian ('>f8'); only little-endian is supported (in numpy: a.astype('<f8'))")]
    [InlineData(">i4", "the data is big-endian ('>i4'); only little-endian is supported (in numpy: a.astype('<i4'))")]
    public void Unsupported_dtypes_are_named(string descr, string message)
    {
        AssertRejected(NpyBytes.File(1, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (6,), }}\n", new byte[48]), message);
    }

    [Theory]
    [InlineData("<b1")]
    [InlineData("|b1")]
    [InlineData("=b1")]
    public void One_byte_types_accept_any_byte_order_mark(string descr)
    {
        var array = Read(NpyBytes.File(1, $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (2,), }}\n", new byte[] { 0, 7 }));

        Assert.Equal(new[] { false, true }, array.As<bool>());
    }

    [Fact]
    public void An_empty_file_is_not_a_npy_file()
    {
        AssertRejected(Array.Empty<byte>(), "not a .npy file: the file is empty");
    }

    [Fact]
    public void A_zip_file_is_not_a_npy_file()
    {
        // An .npz archive is a zip: the most likely wrong file to be given.
        AssertRejected(new byte[] { (byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0, 8, 0 }, "not a .npy file: it does not start with the .npy magic string \\x93NUMPY");
    }

    [Fact]
    public void A_text_file_is_not_a_npy_file()
    {
        AssertRejected(Encoding.ASCII.GetBytes("0.1,0.2,0.3\n"), "not a .npy file: it does not start with the .npy magic string \\x93NUMPY");
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void Unknown_format_versions_are_rejected(int major, int minor)
    {
        var bytes = NpyBytes.File(1, Header2x3, Data2x3);
        bytes[6] = (byte)major;
        bytes[7] = (byte)minor;

        AssertRejected(bytes, $"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");
    }

    [Fact]
    public void A_file_cut_in_the_preamble_is_truncated()
    {
        var bytes = NpyBytes.File(1, Header2x3, Data2x3);

        AssertRejected(bytes[..7], "truncated: the file ends inside the format version");
        AssertRejected(bytes[..9], "truncated: the file ends inside the header length");
    }

    [Fact]
    public void A_file_cut_in_the_header_is_truncated()
    {
        AssertRejected(NpyBytes.File(1, Header2x3, Data2x3)[..40], $"truncated: the header should be {Header2x3.Length} bytes, the file has 30 after the preamble");
    }

    [Fact]
    public void A_file_cut_in_the_data_is_truncated()
    {
        AssertRejected(NpyBytes.File(1, Header2x3, Data2x3[..20]), "truncated data: shape (2, 3) of <f4 needs 24 bytes, the file has 20");
    }

    [Fact]
    public void Bytes_after_the_data_are_rejected()
    {
        AssertRejected(NpyBytes.File(1, Header2x3, Data2x3.Concat(new byte[] { 0 }).ToArray()), "the file goes on after the 24 bytes of data that shape (2, 3) of <f4 needs");
    }

    [Fact]
    public void Fortran_order_is_rejected_for_two_or_more_dimensions()
    {
        AssertRejected(
            NpyBytes.File(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", Data2x3),
            "the array of shape (2, 3) is stored in Fortran (column-major) order; only C order is supported (in numpy: np.save(path, np.ascontiguousarray(a)))");
    }

    [Fact]
    public void A_shape_too_large_to_load_is_rejected_before_reading_data()
    {
        AssertRejected(
            NpyBytes.File(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 2), }\n", Array.Empty<byte>()),
            "the shape (9223372036854775807, 2) is too large to load");
    }

    [Fact]
    public void A_malformed_header_inside_a_file_is_reported_by_the_header_parser()
    {
        AssertRejected(NpyBytes.File(1, "{'descr': '<f4'\n", Data2x3), "malformed header: expected '}' but the header ends at character 17 of {'descr': '<f4'");
    }

    private static NpyArray Read(byte[] bytes) => NpyReader.Read(new MemoryStream(bytes));

    private static void AssertRejected(byte[] bytes, string message)
    {
        var error = Assert.Throws<NpyFormatException>(() => Read(bytes));
        Assert.Equal(message, error.Message);
    }
}
