using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// Small CPU tensors read as float64 numbers, for the kernels that work on them in managed code: a statistics node's
/// incoming gradients, the statistics an overlap term reads, class weights.
/// </summary>
internal static class CpuValues
{
    /// <summary>The values of a float32 or float64 CPU tensor (a broadcast one too) as float64 numbers, in row-major order.</summary>
    public static double[] Read(Tensor values)
    {
        if (values.numel() == 0)
        {
            return Array.Empty<double>();
        }

        using var dense = values.detach().contiguous();
        return dense.dtype == ScalarType.Float64 ? dense.data<double>().ToArray() : dense.data<float>().ToArray().Select(value => (double)value).ToArray();
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

        if (weight.device_type != TorchSharp.DeviceType.CPU || weight.dim() != 1 || weight.shape[0] != classes)
        {
            return false;
        }

        using var exact = weight.to_type(ScalarType.Float64);
        numbers = Read(exact);
        return true;
    }
}
