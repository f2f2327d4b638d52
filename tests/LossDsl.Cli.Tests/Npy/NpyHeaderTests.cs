using LossDsl.Cli.Npy;

namespace LossDsl.Cli.Tests.Npy;

public sealed class NpyHeaderTests
{
    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}")]
    [InlineData("{  'descr' :  '<f4' ,'fortran_order':False,\t'shape' : ( 2 ,3 , ) , }   \n")]
    [InlineData("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}")]
    [InlineData("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }")]
    [InlineData("\n{\n  'descr': '<f4',\n  'fortran_order': False,\n  'shape': (2, 3),\n}\n")]
    public void Reads_every_spelling_of_the_same_header(string text)
    {
        var header = NpyHeader.Parse(text);

        Assert.Equal("<f4", header.Descr);
        Assert.False(header.FortranOrder);
        Assert.Equal(new long[] { 2, 3 }, header.Shape);
    }

    [Theory]
    [InlineData("()", new long[0])]
    [InlineData("(3,)", new long[] { 3 })]
    [InlineData("( 3 , )", new long[] { 3 })]
    [InlineData("(0, 4)", new long[] { 0, 4 })]
    [InlineData("(1, 2, 3, 4, 5)", new long[] { 1, 2, 3, 4, 5 })]
    public void Reads_shapes_of_every_rank(string shape, long[] expected)
    {
        var header = NpyHeader.Parse($"{{'descr': '<f8', 'fortran_order': True, 'shape': {shape}, }}");

        Assert.Equal(expected, header.Shape);
        Assert.True(header.FortranOrder);
    }

    [Fact]
    public void Formats_the_header_as_numpy_does()
    {
        Assert.Equal("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", new NpyHeader("<i8", false, new long[] { 3 }).Format());
        Assert.Equal("{'descr': '|b1', 'fortran_order': False, 'shape': (), }", new NpyHeader("|b1", false, Array.Empty<long>()).Format());
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "the header has no 'shape' key: {'descr': '<f4', 'fortran_order': False}")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "the header has an unexpected key 'extra' (a .npy header has exactly 'descr', 'fortran_order' and 'shape'): {'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}")]
    [InlineData("{'descr': '<f4', 'descr': '<f8'}", "malformed header: the key 'descr' appears twice at character 18 of {'descr': '<f4', 'descr': '<f8'}")]
    [InlineData("{'descr': '<f4, 'fortran_order': False}", "malformed header: expected '}' but found 'f' at character 18 of {'descr': '<f4, 'fortran_order': False}")]
    [InlineData("{'descr': '<f4", "malformed header: a string is not closed at character 11 of {'descr': '<f4")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", "malformed header: the header ends where a value should be at character 59 of {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3),")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", "malformed header: expected ')' but found '3' at character 54 of {'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x", "malformed header: text after the closing '}' at character 59 of {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x")]
    [InlineData("{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}", "malformed header: unexpected 'false' at character 35 of {'descr': '<f4', 'fortran_order': false, 'shape': (2,)}")]
    [InlineData("{3: '<f4'}", "malformed header: a dict key must be a string at character 2 of {3: '<f4'}")]
    [InlineData("descr: <f4", "malformed header: expected '{' but found 'd' at character 1 of descr: <f4")]
    [InlineData("", "malformed header: expected '{' but the header ends at character 1 of ")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "'fortran_order' must be True or False: {'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", "'shape' must be a tuple of non-negative integers such as (2, 3) or (3,): {'descr': '<f4', 'fortran_order': False, 'shape': (3)}")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", "'shape' must be a tuple of non-negative integers such as (2, 3) or (3,): {'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "'shape' must be a tuple of non-negative integers such as (2, 3) or (3,): {'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}")]
    [InlineData("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (2,)}", "'descr' must be a type string such as '<f4'; structured dtypes are not supported: {'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (2,)}")]
    public void Malformed_headers_are_rejected_with_the_problem_named(string text, string message)
    {
        var error = Assert.Throws<NpyFormatException>(() => NpyHeader.Parse(text));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_long_garbage_header_is_quoted_only_in_part()
    {
        var error = Assert.Throws<NpyFormatException>(() => NpyHeader.Parse("{" + new string('#', 5000)));

        Assert.Equal("malformed header: unexpected '#' at character 2 of {" + new string('#', 199) + "...", error.Message);
    }
}
