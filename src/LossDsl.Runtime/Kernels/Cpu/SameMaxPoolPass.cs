using System;
using System.Linq;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// Max pooling with stride 1 and "same" padding (an odd window k per spatial dim, padding (k − 1)/2 that never wins) of
/// contiguous float32/float64 CPU tensors, with the index of each maximum for the backward pass. The window's maximum is
/// separable: one 1-D pass per dim, the last dim first, each a few vector compares per element, where libtorch's CPU
/// kernel visits all k² (or k³) elements of a window one at a time (most of a boundary-loss step). Each pass takes a
/// later element only when it is larger (or NaN), so the maximum kept is the first in row-major order, the one libtorch
/// keeps: the two give the same values and route the gradient to the same elements. Indices are flat positions in an
/// image's plane (or volume), held in the values' dtype (exact below 2²⁴ in float32).
/// </summary>
internal static unsafe class SameMaxPoolPass
{
    /// <summary>Whether the pass takes <paramref name="x"/>, [N, C, *spatial] with 2 or 3 spatial dims and one odd window per dim.</summary>
    public static bool Takes(Tensor x, long[] kernel) =>
        x.device_type == TorchSharp.DeviceType.CPU && (x.dtype == ScalarType.Float32 || x.dtype == ScalarType.Float64) && x.is_contiguous()
        && x.dim() == kernel.Length + 2 && kernel.Length is 2 or 3 && kernel.All(k => k >= 1 && k % 2 == 1)
        && x.shape.Skip(2).Aggregate(1L, (a, b) => a * b) < (x.dtype == ScalarType.Float32 ? 1L << 24 : int.MaxValue)
        && x.numel() * x.element_size() <= int.MaxValue;

    /// <summary>The pooled values and the plane index of each one's maximum, both of x's shape and dtype.</summary>
    /// <param name="x">The input, which <see cref="Takes"/> accepts.</param>
    /// <param name="kernel">The window of each spatial dim.</param>
    /// <param name="wide">512-bit lanes (<see cref="CpuRows.Wide"/>); null for what the CPU accelerates. Tests run either on any CPU.</param>
    public static (Tensor Values, Tensor Indices) Forward(Tensor x, long[] kernel, bool? wide = null) =>
        (x.dtype == ScalarType.Float32, wide ?? System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) switch
        {
            (true, true) => Forward<Lanes512<float>, float>(x, kernel),
            (true, false) => Forward<Lanes256<float>, float>(x, kernel),
            (false, true) => Forward<Lanes512<double>, double>(x, kernel),
            (false, false) => Forward<Lanes256<double>, double>(x, kernel),
        };

    /// <summary>The gradient with respect to the pooled input: each output's gradient added to its maximum's element, in output order.</summary>
    public static Tensor Backward(Tensor gradOutput, Tensor indices)
    {
        using var incoming = gradOutput.to_type(indices.dtype).contiguous();
        var gradient = zeros_like(indices);
        var plane = (int)indices.shape.Skip(2).Aggregate(1L, (a, b) => a * b);
        var planes = plane == 0 ? 0 : (int)(indices.numel() / plane);
        var (g, at, result) = (CpuRows.Address(incoming), CpuRows.Address(indices), CpuRows.Address(gradient));
        Action<int> scatter = indices.dtype == ScalarType.Float32
            ? p => Scatter((float*)g + ((long)p * plane), (float*)at + ((long)p * plane), (float*)result + ((long)p * plane), plane)
            : p => Scatter((double*)g + ((long)p * plane), (double*)at + ((long)p * plane), (double*)result + ((long)p * plane), plane);
        TorchThreads.For(planes, scatter);
        return gradient;
    }

    private static (Tensor Values, Tensor Indices) Forward<TLanes, T>(Tensor x, long[] kernel)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var values = empty_like(x);
        var indices = empty_like(x);
        var sizes = x.shape.Skip(2).Select(d => (int)d).ToArray();
        var plane = sizes.Aggregate(1, (a, b) => a * b);
        var planes = plane == 0 ? 0 : (int)(x.numel() / plane);
        var (source, output, outputIndex) = (CpuRows.Address(x), CpuRows.Address(values), CpuRows.Address(indices));
        TorchThreads.For(planes, p =>
        {
            var offset = (long)p * plane;
            Plane<TLanes, T>((T*)source + offset, (T*)output + offset, (T*)outputIndex + offset, sizes, kernel);
        });
        return (values, indices);
    }

    // One image's plane: a pass along each dim with a window over 1, the last dim first, through two scratch planes.
    private static void Plane<TLanes, T>(T* source, T* output, T* outputIndex, int[] sizes, long[] kernel)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var plane = sizes.Aggregate(1, (a, b) => a * b);
        var dims = Enumerable.Range(0, sizes.Length).Reverse().Where(d => kernel[d] > 1).ToArray();
        if (dims.Length == 0)
        {
            new ReadOnlySpan<T>(source, plane).CopyTo(new Span<T>(output, plane));
            for (var i = 0; i < plane; i++)
            {
                outputIndex[i] = T.CreateTruncating(i);
            }

            return;
        }

        var pool = System.Buffers.ArrayPool<T>.Shared;
        // Two scratch planes of values and indices, used in turn: a pass never writes the plane it reads.
        var scratch = pool.Rent(4 * plane);
        try
        {
            fixed (T* scratchAt = scratch)
            {
                T* from = source, fromIndex = null;
                for (var step = 0; step < dims.Length; step++)
                {
                    var dim = dims[step];
                    var last = step == dims.Length - 1;
                    var turn = scratchAt + (2 * plane * (step % 2));
                    T* to = last ? output : turn, toIndex = last ? outputIndex : turn + plane;
                    var inner = sizes.Skip(dim + 1).Aggregate(1, (a, b) => a * b);
                    Along<TLanes, T>(from, fromIndex, to, toIndex, plane / (sizes[dim] * inner), sizes[dim], inner, (int)(kernel[dim] / 2));
                    from = to;
                    fromIndex = toIndex;
                }
            }
        }
        finally
        {
            pool.Return(scratch);
        }
    }

    // One 1-D pass over a plane laid out as [outer, length, inner]: to[o, i, n] = the first largest of from[o, j, n] for
    // j within radius of i, and its index (fromIndex's, or the element's own plane position when fromIndex is null).
    // Vectors run along the inner dim, or along the line itself for the last dim (inner 1) away from its ends.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Along<TLanes, T>(T* from, T* fromIndex, T* to, T* toIndex, int outer, int length, int inner, int radius)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var lanes = TLanes.Count;
        var iota = stackalloc T[lanes];
        for (var l = 0; l < lanes; l++)
        {
            iota[l] = T.CreateTruncating(l);
        }

        var offsets = TLanes.Load(iota);
        for (var o = 0; o < outer; o++)
        {
            var line = o * length * inner;
            if (inner == 1)
            {
                // Outputs i .. i + lanes − 1 read from[i − radius .. i + radius + lanes − 1]: whole vectors where that stays in
                // the line, one output at a time near its ends.
                for (var i = 0; i < length;)
                {
                    if (i >= radius && i + lanes + radius <= length)
                    {
                        var (best, index) = Vector<TLanes, T>(from, fromIndex, line + i - radius, 1, (2 * radius) + 1, offsets);
                        best.Store(to + line + i);
                        index.Store(toIndex + line + i);
                        i += lanes;
                        continue;
                    }

                    var (first, end) = (Math.Max(0, i - radius), Math.Min(length, i + radius + 1));
                    (to[line + i], toIndex[line + i]) = Scalar(from, fromIndex, line + first, 1, end - first);
                    i++;
                }

                continue;
            }

            for (var i = 0; i < length; i++)
            {
                var (first, end) = (Math.Max(0, i - radius), Math.Min(length, i + radius + 1));
                var (start, output) = (line + (first * inner), line + (i * inner));
                if (inner < lanes)
                {
                    for (var n = 0; n < inner; n++)
                    {
                        (to[output + n], toIndex[output + n]) = Scalar(from, fromIndex, start + n, inner, end - first);
                    }

                    continue;
                }

                // Whole vectors along the inner dim; the last one ends at the dim's end, overlapping the one before.
                for (var n = 0; ; n += lanes)
                {
                    n = Math.Min(n, inner - lanes);
                    var (best, index) = Vector<TLanes, T>(from, fromIndex, start + n, inner, end - first, offsets);
                    best.Store(to + output + n);
                    index.Store(toIndex + output + n);
                    if (n == inner - lanes)
                    {
                        break;
                    }
                }
            }
        }
    }

    // The first largest (or NaN) of count vectors at start, start + stride, ..., with their indices; lane l of the
    // vector at position a is element a + l.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes Best, TLanes Index) Vector<TLanes, T>(T* from, T* fromIndex, int start, int stride, int count, TLanes offsets)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var best = TLanes.Load(from + start);
        var bestIndex = fromIndex is null ? TLanes.Create(start) + offsets : TLanes.Load(fromIndex + start);
        var allOnes = TLanes.EqualTo(offsets, offsets);
        for (var k = 1; k < count; k++)
        {
            var at = start + (k * stride);
            var value = TLanes.Load(from + at);
            // Larger, or NaN (the only value not equal to itself): as libtorch's `val > maxval || isnan(val)`.
            var take = TLanes.Select(TLanes.EqualTo(value, value), TLanes.LessThan(best, value), allOnes);
            best = TLanes.Select(take, value, best);
            bestIndex = TLanes.Select(take, fromIndex is null ? TLanes.Create(at) + offsets : TLanes.Load(fromIndex + at), bestIndex);
        }

        return (best, bestIndex);
    }

    // The same for one element: count elements at start, start + stride, ....
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (T Best, T Index) Scalar<T>(T* from, T* fromIndex, int start, int stride, int count)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var best = from[start];
        var bestIndex = fromIndex is null ? T.CreateTruncating(start) : fromIndex[start];
        for (var k = 1; k < count; k++)
        {
            var at = start + (k * stride);
            var value = from[at];
            if (value > best || T.IsNaN(value))
            {
                (best, bestIndex) = (value, fromIndex is null ? T.CreateTruncating(at) : fromIndex[at]);
            }
        }

        return (best, bestIndex);
    }

    // Each output's gradient into its maximum's element, in output order (as libtorch adds them).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Scatter<T>(T* gradOutput, T* indices, T* gradInput, int plane)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (var o = 0; o < plane; o++)
        {
            gradInput[int.CreateTruncating(indices[o])] += gradOutput[o];
        }
    }
}
