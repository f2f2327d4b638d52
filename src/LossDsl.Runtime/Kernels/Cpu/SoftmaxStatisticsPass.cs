using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SoftmaxStatistics"/> as one pass over the data each way, for tensors that <see cref="CpuRows.OfLabels"/>
/// accepts. Forward reads the logits, the class indices (and the valid mask) once and writes nothing of their size: per
/// pixel the softmax over the classes (its exponentials kept on the stack), then TP, P and T per class and the summed
/// cross-entropy <c>−log p_y</c> in float64 lanes per block. Backward reads them once more and writes the gradient once:
/// <c>∂/∂x_c = p_c (G_c − Σ_k p_k G_k) + g_CE·v·(p_c − [c = y])</c> with <c>G_c = v·(g_P,c + g_TP,c·[c = y])</c>.
/// </summary>
internal static unsafe class SoftmaxStatisticsPass
{
    /// <summary>TP (classes per statistic), then P, then T, then the cross-entropy sum.</summary>
    public static double[] Forward(CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid) =>
        logits.dtype == ScalarType.Float32 ? Forward<float>(pixels, logits, labels, valid) : Forward<double>(pixels, logits, labels, valid);

    /// <summary>The gradient with respect to the logits, given the gradients of TP and P (classes per statistic) and of the cross-entropy sum.</summary>
    public static Tensor Backward(CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid, double[] truePositiveGrad, double[] predictedGrad, double crossEntropyGrad)
    {
        var gradient = empty_like(logits);
        if (logits.dtype == ScalarType.Float32)
        {
            Backward<float>(pixels, logits, labels, valid, gradient, truePositiveGrad, predictedGrad, crossEntropyGrad);
        }
        else
        {
            Backward<double>(pixels, logits, labels, valid, gradient, truePositiveGrad, predictedGrad, crossEntropyGrad);
        }

        return gradient;
    }

    private static double[] Forward<T>(CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid)
        where T : unmanaged
    {
        var classes = (int)logits.shape[1];
        var (x, y, v) = (CpuRows.Address(logits), CpuRows.Address(labels), valid is null ? 0 : CpuRows.Address(valid));
        // Per block: TP, P and T of every class, then the cross-entropy.
        var width = (3 * classes) + 1;
        var blockSums = new double[pixels.Rows * pixels.BlocksPerRow * width];
        pixels.ForEachBlock((item, image, start, length) =>
        {
            var (at, _) = pixels.Offsets(image, start);
            var logitsAt = (image * classes * pixels.RowLength) + start;
            BlockSums((T*)x + logitsAt, (long*)y + at, v == 0 ? null : (T*)v + at, pixels.RowLength, classes, length, new Span<double>(blockSums, item * width, width));
        });

        // Added in image and block order: the same bits for every thread count.
        var statistics = pixels.Statistics * classes;
        var result = new double[(3 * statistics) + 1];
        for (var item = 0L; item < blockSums.Length / width; item++)
        {
            var first = pixels.Statistic(item / pixels.BlocksPerRow) * classes;
            for (var sum = 0; sum < 3; sum++)
            {
                for (var c = 0; c < classes; c++)
                {
                    result[(sum * statistics) + first + c] += blockSums[(item * width) + (sum * classes) + c];
                }
            }

            result[3 * statistics] += blockSums[(item * width) + width - 1];
        }

        return result;
    }

    private static void Backward<T>(
        CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid, Tensor gradient, double[] truePositiveGrad, double[] predictedGrad, double crossEntropyGrad)
        where T : unmanaged
    {
        var classes = (int)logits.shape[1];
        var (x, y, v, g) = (CpuRows.Address(logits), CpuRows.Address(labels), valid is null ? 0 : CpuRows.Address(valid), CpuRows.Address(gradient));
        pixels.ForEachBlock((_, image, start, length) =>
        {
            var (at, _) = pixels.Offsets(image, start);
            var logitsAt = (image * classes * pixels.RowLength) + start;
            var first = (int)(pixels.Statistic(image) * classes);
            BlockGradient((T*)x + logitsAt, (long*)y + at, v == 0 ? null : (T*)v + at, (T*)g + logitsAt, pixels.RowLength, classes, length,
                new ReadOnlySpan<double>(truePositiveGrad, first, classes), new ReadOnlySpan<double>(predictedGrad, first, classes), crossEntropyGrad);
        });
    }

    // TP, P and T of each class and Σ v·(−log p_y) over one block of pixels; the lanes past its end are not kept (v = 0).
    // Optimized at once: the first steps of a training run would otherwise run the vector code unoptimized (tier 0).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockSums<T>(T* x, long* y, T* v, long stride, int classes, int length, Span<double> sums)
        where T : unmanaged
    {
        Span<Vector256<double>> lanes = stackalloc Vector256<double>[(3 * classes) + 1];
        lanes.Clear();
        Span<Vector256<T>> exponentials = stackalloc Vector256<T>[classes];
        var count = Vector256<T>.Count;
        for (var i = 0; i < length; i += count)
        {
            var (label, keep) = LabelsAndKept(y + i, v is null ? null : v + i, length - i);
            var (inverse, logSum, shiftedY) = Softmax(x + i, stride, classes, label, length - i, exponentials);
            for (var c = 0; c < classes; c++)
            {
                var isY = Vector256.Equals(label, SigmoidLanes<T>.Broadcast(c));
                var kept = exponentials[c] * inverse * keep;
                lanes[c] += SigmoidLanes<T>.Widen(Vector256.ConditionalSelect(isY, kept, Vector256<T>.Zero));
                lanes[classes + c] += SigmoidLanes<T>.Widen(kept);
                lanes[(2 * classes) + c] += SigmoidLanes<T>.Widen(Vector256.ConditionalSelect(isY, keep, Vector256<T>.Zero));
            }

            lanes[3 * classes] += SigmoidLanes<T>.Widen((logSum - shiftedY) * keep);
        }

        for (var k = 0; k < lanes.Length; k++)
        {
            sums[k] = Vector256.Sum(lanes[k]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockGradient<T>(
        T* x, long* y, T* v, T* g, long stride, int classes, int length, ReadOnlySpan<double> truePositiveGrad, ReadOnlySpan<double> predictedGrad, double crossEntropyGrad)
        where T : unmanaged
    {
        Span<Vector256<T>> exponentials = stackalloc Vector256<T>[classes];
        Span<Vector256<T>> pulls = stackalloc Vector256<T>[classes];
        var gCrossEntropy = SigmoidLanes<T>.Broadcast(crossEntropyGrad);
        var count = Vector256<T>.Count;
        var written = stackalloc T[count];
        for (var i = 0; i < length; i += count)
        {
            var remaining = length - i;
            var (label, keep) = LabelsAndKept(y + i, v is null ? null : v + i, remaining);
            var (inverse, _, _) = Softmax(x + i, stride, classes, label, remaining, exponentials);
            // G_c = v·(g_P + g_TP·[c = y]) and Σ_k p_k G_k.
            var dot = Vector256<T>.Zero;
            for (var c = 0; c < classes; c++)
            {
                exponentials[c] *= inverse;
                var isY = Vector256.Equals(label, SigmoidLanes<T>.Broadcast(c));
                var pull = keep * (SigmoidLanes<T>.Broadcast(predictedGrad[c])
                    + Vector256.ConditionalSelect(isY, SigmoidLanes<T>.Broadcast(truePositiveGrad[c]), Vector256<T>.Zero));
                pulls[c] = pull;
                dot += exponentials[c] * pull;
            }

            var crossEntropyScale = gCrossEntropy * keep;
            for (var c = 0; c < classes; c++)
            {
                var p = exponentials[c];
                var isY = Vector256.Equals(label, SigmoidLanes<T>.Broadcast(c));
                var gradient = (p * (pulls[c] - dot)) + (crossEntropyScale * (p - Vector256.ConditionalSelect(isY, Vector256<T>.One, Vector256<T>.Zero)));
                var to = g + (c * stride) + i;
                if (remaining >= count)
                {
                    gradient.Store(to);
                }
                else
                {
                    gradient.Store(written);
                    new ReadOnlySpan<T>(written, remaining).CopyTo(new Span<T>(to, remaining));
                }
            }
        }
    }

    // One pixel vector's softmax: e_c = exp(x_c − max) into exponentials, 1 / Σ e, log Σ e and x_y − max.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<T> Inverse, Vector256<T> LogSum, Vector256<T> ShiftedY) Softmax<T>(
        T* x, long stride, int classes, Vector256<T> label, int remaining, Span<Vector256<T>> exponentials)
        where T : unmanaged
    {
        var max = Load(x, remaining);
        for (var c = 1; c < classes; c++)
        {
            max = Vector256.Max(max, Load(x + (c * stride), remaining));
        }

        var (sum, shiftedY) = (Vector256<T>.Zero, Vector256<T>.Zero);
        for (var c = 0; c < classes; c++)
        {
            var shifted = Load(x + (c * stride), remaining) - max;
            exponentials[c] = SigmoidLanes<T>.ExpOfNonPositive(shifted);
            sum += exponentials[c];
            shiftedY = Vector256.ConditionalSelect(Vector256.Equals(label, SigmoidLanes<T>.Broadcast(c)), shifted, shiftedY);
        }

        // Σ e ≥ 1 (the largest class contributes e⁰): its log is of a normal number.
        return (Vector256<T>.One / sum, SigmoidLanes<T>.LogOfNormal(sum), shiftedY);
    }

    // The class indices as T and the kept pixels (the valid mask, or 1), both 0 in the lanes past the block's end.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<T> Label, Vector256<T> Keep) LabelsAndKept<T>(long* y, T* v, int remaining)
        where T : unmanaged
    {
        if (remaining < Vector256<T>.Count)
        {
            return LabelsAndKeptTail(y, v, remaining);
        }

        var label = typeof(T) == typeof(double)
            ? Vector256.ConvertToDouble(Vector256.Load(y)).As<double, T>()
            : Vector256.ConvertToSingle(Vector256.Narrow(Vector256.Load(y), Vector256.Load(y + 4))).As<float, T>();
        return (label, v is null ? Vector256<T>.One : Vector256.Load(v));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Vector256<T> Label, Vector256<T> Keep) LabelsAndKeptTail<T>(long* y, T* v, int remaining)
        where T : unmanaged
    {
        Span<T> label = stackalloc T[Vector256<T>.Count];
        Span<T> keep = stackalloc T[Vector256<T>.Count];
        for (var k = 0; k < remaining; k++)
        {
            label[k] = typeof(T) == typeof(double) ? (T)(object)(double)y[k] : (T)(object)(float)y[k];
            keep[k] = v is null ? Vector256<T>.One.ToScalar() : v[k];
        }

        return (Vector256.Create<T>(label), Vector256.Create<T>(keep));
    }

    // A whole vector, or the last elements of a block padded with 0 (apart, so that the whole case inlines).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Load<T>(T* at, int remaining)
        where T : unmanaged => remaining >= Vector256<T>.Count ? Vector256.Load(at) : LoadTail(at, remaining);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<T> LoadTail<T>(T* at, int remaining)
        where T : unmanaged
    {
        Span<T> padded = stackalloc T[Vector256<T>.Count];
        new ReadOnlySpan<T>(at, remaining).CopyTo(padded);
        return Vector256.Create<T>(padded);
    }
}
