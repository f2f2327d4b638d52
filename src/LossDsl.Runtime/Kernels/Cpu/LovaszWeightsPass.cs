using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// The Lovász extension's weights (<see cref="StructureLosses.LovaszExtension"/>) of every row of contiguous float32 or
/// float64 CPU tensors, without torch's comparison sort: each row's decreasing order by a radix sort
/// (<see cref="DescendingOrder"/>), then one walk in that order that accumulates the target's two running sums in float64
/// and writes each error's weight <c>J_i − J_{i−1}</c> at the error's own position. The torch path sorts, gathers, takes two
/// cumulative sums, the ratio and its differences, then scatters back: about 30 passes over the data, and a sort that
/// took most of the loss's time (36 ms a step of 8 × 256 × 256 on one thread).
/// </summary>
internal static unsafe class LovaszWeightsPass
{
    /// <summary>Whether the pass takes these tensors: CPU, one float dtype (32 or 64 bits), contiguous, one shape, rows that a span holds.</summary>
    public static bool Takes(Tensor errors, Tensor truth) =>
        errors.device_type == TorchSharp.DeviceType.CPU && truth.device_type == TorchSharp.DeviceType.CPU
        && (errors.dtype == ScalarType.Float32 || errors.dtype == ScalarType.Float64) && truth.dtype == errors.dtype
        && errors.is_contiguous() && truth.is_contiguous() && errors.dim() >= 1 && errors.shape.SequenceEqual(truth.shape)
        && errors.size(-1) <= int.MaxValue;

    /// <summary>Each error's weight, in the errors' order, for tensors <see cref="Takes"/> accepts; no gradient.</summary>
    public static Tensor Compute(Tensor errors, Tensor truth)
    {
        var weights = empty_like(errors);
        var length = (int)errors.size(-1);
        var rows = length == 0 ? 0 : checked((int)(errors.numel() / length));
        var (e, t, w) = (CpuRows.Address(errors), CpuRows.Address(truth), CpuRows.Address(weights));
        Action<int> row = errors.dtype == ScalarType.Float32
            ? r => Row(new ReadOnlySpan<float>((float*)e + ((long)r * length), length), new ReadOnlySpan<float>((float*)t + ((long)r * length), length), new Span<float>((float*)w + ((long)r * length), length))
            : r => Row(new ReadOnlySpan<double>((double*)e + ((long)r * length), length), new ReadOnlySpan<double>((double*)t + ((long)r * length), length), new Span<double>((double*)w + ((long)r * length), length));
        TorchThreads.For(rows, row);
        return weights;
    }

    // g_i = J_i − J_{i−1} (J_0 = 0) with J_i = 1 − (G − Σ_{k≤i} t_k) / (G + Σ_{k≤i} (1 − t_k)) over the decreasing order.
    private static void Row<T>(ReadOnlySpan<T> errors, ReadOnlySpan<T> truth, Span<T> weights)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var orderBuffer = System.Buffers.ArrayPool<int>.Shared.Rent(errors.Length);
        try
        {
            var order = orderBuffer.AsSpan(0, errors.Length);
            DescendingOrder.Sort(errors, order);
            var positives = 0.0;
            foreach (var value in truth)
            {
                positives += double.CreateTruncating(value);
            }

            var (intersected, outside, previous) = (0.0, 0.0, 0.0);
            foreach (var at in order)
            {
                var target = double.CreateTruncating(truth[at]);
                intersected += target;
                outside += 1 - target;
                var jaccard = 1 - ((positives - intersected) / (positives + outside));
                weights[at] = T.CreateTruncating(jaccard - previous);
                previous = jaccard;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(orderBuffer);
        }
    }
}
