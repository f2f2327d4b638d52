using System;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// Small CPU tensors read as float64 numbers, for the kernels that work on them in managed code (a statistics node's
/// incoming gradients, the statistics an overlap term reads, class weights), and their results written back.
/// </summary>
internal static class CpuValues
{
    /// <summary>
    /// The values of a float32 or float64 CPU tensor (a broadcast one too) as float64 numbers, in row-major order. A
    /// contiguous one is read where it lies: TorchSharp's element accessor asks libtorch for the sizes and strides and
    /// builds an array per call, several microseconds a read, and a loss step reads a dozen small tensors.
    /// </summary>
    public static unsafe double[] Read(Tensor values)
    {
        var count = values.numel();
        if (count == 0)
        {
            return Array.Empty<double>();
        }

        if (!values.is_contiguous())
        {
            using var noGrad = no_grad();
            using var dense = values.contiguous();
            return Read(dense);
        }

        var numbers = new double[count];
        var at = CpuRows.Address(values);
        if (values.dtype == ScalarType.Float64)
        {
            new ReadOnlySpan<double>((double*)at, (int)count).CopyTo(numbers);
        }
        else
        {
            var singles = new ReadOnlySpan<float>((float*)at, (int)count);
            for (var i = 0; i < singles.Length; i++)
            {
                numbers[i] = singles[i];
            }
        }

        return numbers;
    }

    /// <summary>
    /// float64 numbers as a new CPU tensor of <paramref name="dtype"/> (float32 or float64) and <paramref name="shape"/>
    /// (none for a scalar), rounded here as libtorch's conversion rounds them: one allocation, where a float64 tensor
    /// made from a managed array (pinned for the tensor's life) and then converted is two operations and a handle.
    /// </summary>
    public static unsafe Tensor Write(ReadOnlySpan<double> numbers, ScalarType dtype, params long[] shape)
    {
        var values = empty(shape, dtype);
        var at = CpuRows.Address(values);
        if (dtype == ScalarType.Float64)
        {
            numbers.CopyTo(new Span<double>((double*)at, numbers.Length));
        }
        else
        {
            var singles = new Span<float>((float*)at, numbers.Length);
            for (var i = 0; i < numbers.Length; i++)
            {
                singles[i] = (float)numbers[i];
            }
        }

        return values;
    }

    /// <summary>
    /// Class weights as numbers for a CPU kernel: true with null without weights, true with the numbers for a CPU tensor
    /// of one weight per class, false for any other (another device, another length: the torch operations take them,
    /// and say what is wrong).
    /// </summary>
    public static bool TryReadClassWeights(Tensor? weight, long classes, out double[]? numbers)
    {
        numbers = null;
        if (weight is null)
        {
            return true;
        }

        if (weight.device_type != TorchSharp.DeviceType.CPU || weight.dim() != 1 || weight.size(0) != classes)
        {
            return false;
        }

        using var exact = weight.to_type(ScalarType.Float64);
        numbers = Read(exact);
        return true;
    }
}
