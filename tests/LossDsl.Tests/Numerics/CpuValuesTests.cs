using LossDsl.Kernels.Cpu;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The managed kernels' reader of small CPU tensors: every element in row-major order as float64, read in place for a
/// contiguous tensor and through a dense copy for a broadcast, transposed or offset one.
/// </summary>
public sealed class CpuValuesTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Every_layout_reads_as_its_elements_in_row_major_order(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var matrix = tensor(new[] { 1.5, -2.25, 3.0, 4.125, -5.5, 6.0 }, new long[] { 2, 3 }, dtype);

        Assert.Equal(new[] { 1.5, -2.25, 3.0, 4.125, -5.5, 6.0 }, CpuValues.Read(matrix));
        Assert.Equal(new[] { 1.5, 4.125, -2.25, -5.5, 3.0, 6.0 }, CpuValues.Read(matrix.t()));
        Assert.Equal(new[] { 4.125, -5.5, 6.0 }, CpuValues.Read(matrix[1]));
        Assert.Equal(new[] { 7.0, 7.0, 7.0, 7.0 }, CpuValues.Read(tensor(7.0, dtype).expand(2, 2)));
        Assert.Empty(CpuValues.Read(empty(0, dtype: dtype)));
    }

    [Fact]
    public void A_broadcast_tensor_that_requires_grad_reads_as_its_values()
    {
        using var scope = NewDisposeScope();
        var weights = tensor(new[] { 0.5f, 2f }).requires_grad_();

        Assert.Equal(new[] { 0.5, 0.5, 2.0, 2.0 }, CpuValues.Read(weights.unsqueeze(1).expand(2, 2)));
    }
}
