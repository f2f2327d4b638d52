using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SigmoidStatistics"/> as one pass over the data each way, for CPU tensors that <see cref="CpuRows.Of"/>
/// accepts. Forward reads x, t (and the scale) once and writes nothing of their size: TP, P, T and the cross-entropy
/// sum are added per block in float64 lanes. Backward reads them once more and writes the gradient once, from the same
/// closed form as the torch-operation path.
/// </summary>
internal static unsafe class SigmoidStatisticsPass
{
    /// <summary>TP (one per statistic), then P, then T, then the cross-entropy sum when asked for.</summary>
    public static double[] Forward(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, bool crossEntropy, double positiveWeight) =>
        logits.dtype == ScalarType.Float32
            ? Forward<float>(rows, logits, target, scale, crossEntropy, positiveWeight)
            : Forward<double>(rows, logits, target, scale, crossEntropy, positiveWeight);

    /// <summary>The gradient with respect to the logits, given the gradients of TP and P (one per statistic) and of the cross-entropy sum.</summary>
    public static Tensor Backward(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, double[] truePositiveGrad, double[] predictedGrad, double crossEntropyGrad, double positiveWeight)
    {
        var gradient = empty_like(logits);
        if (logits.dtype == ScalarType.Float32)
        {
            Backward<float>(rows, logits, target, scale, gradient, truePositiveGrad, predictedGrad, crossEntropyGrad, positiveWeight);
        }
        else
        {
            Backward<double>(rows, logits, target, scale, gradient, truePositiveGrad, predictedGrad, crossEntropyGrad, positiveWeight);
        }

        return gradient;
    }

    private static double[] Forward<T>(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, bool crossEntropy, double positiveWeight)
        where T : unmanaged
    {
        var (x, t, s) = (Address(logits), Address(target), scale is null ? 0 : Address(scale));
        var blockSums = new double[rows.Rows * rows.BlocksPerRow * 4];
        rows.ForEachBlock((item, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var sums = BlockSums((T*)x + at, (T*)t + at, s == 0 ? null : (T*)s + scaleAt, length, crossEntropy, positiveWeight);
            (blockSums[4 * item], blockSums[(4 * item) + 1], blockSums[(4 * item) + 2], blockSums[(4 * item) + 3]) = sums;
        });

        // Added in row and block order: the same bits for every thread count.
        var statistics = rows.Statistics;
        var result = new double[(3 * statistics) + (crossEntropy ? 1 : 0)];
        for (var item = 0L; item < blockSums.Length / 4; item++)
        {
            var statistic = rows.Statistic(item / rows.BlocksPerRow);
            for (var sum = 0; sum < 3; sum++)
            {
                result[(sum * statistics) + statistic] += blockSums[(4 * item) + sum];
            }

            if (crossEntropy)
            {
                result[3 * statistics] += blockSums[(4 * item) + 3];
            }
        }

        return result;
    }

    private static void Backward<T>(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, Tensor gradient, double[] truePositiveGrad, double[] predictedGrad, double crossEntropyGrad, double positiveWeight)
        where T : unmanaged
    {
        var (x, t, s, g) = (Address(logits), Address(target), scale is null ? 0 : Address(scale), Address(gradient));
        rows.ForEachBlock((_, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var statistic = rows.Statistic(row);
            BlockGradient((T*)x + at, (T*)t + at, s == 0 ? null : (T*)s + scaleAt, (T*)g + at, length,
                truePositiveGrad[statistic], predictedGrad[statistic], crossEntropyGrad, positiveWeight);
        });
    }

    // Σ p·s·t, Σ p·s, Σ s·t and Σ s·ce over one block; s is 1 without a scale, and 0 in the lanes past the block's end.
    // Optimized at once: the first steps of a training run would otherwise run the vector code unoptimized (tier 0).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double TruePositive, double Predicted, double Target, double CrossEntropy) BlockSums<T>(
        T* x, T* t, T* s, int length, bool crossEntropy, double positiveWeight)
        where T : unmanaged
    {
        var (truePositive, predicted, targetSum, crossEntropySum) = (Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero);
        var weightMinusOne = SigmoidLanes<T>.Broadcast(positiveWeight - 1);
        var lanes = Vector256<T>.Count;
        for (var i = 0; i < length; i += lanes)
        {
            var (logit, mask, elementScale) = i + lanes <= length
                ? (Vector256.Load(x + i), Vector256.Load(t + i), s is null ? Vector256<T>.One : Vector256.Load(s + i))
                : Tail(x + i, t + i, s is null ? null : s + i, length - i);
            var (probability, softplus) = SigmoidLanes<T>.Evaluate(logit);
            var scaled = probability * elementScale;
            truePositive += SigmoidLanes<T>.Widen(scaled * mask);
            predicted += SigmoidLanes<T>.Widen(scaled);
            targetSum += SigmoidLanes<T>.Widen(mask * elementScale);
            if (crossEntropy)
            {
                // w·t·softplus(−x) + (1 − t)·softplus(x), softplus(−x) = softplus(x) − x.
                var elementLoss = softplus + (mask * ((weightMinusOne * (softplus - logit)) - logit));
                crossEntropySum += SigmoidLanes<T>.Widen(elementLoss * elementScale);
            }
        }

        return (Vector256.Sum(truePositive), Vector256.Sum(predicted), Vector256.Sum(targetSum), Vector256.Sum(crossEntropySum));
    }

    // ∂/∂x = σ'(x)·s·(g_TP·t + g_P) + g_CE·(p(1 + (w − 1)t) − w·t), σ' = p(1 − p).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockGradient<T>(
        T* x, T* t, T* s, T* g, int length, double truePositiveGrad, double predictedGrad, double crossEntropyGrad, double positiveWeight)
        where T : unmanaged
    {
        var (gTruePositive, gPredicted) = (SigmoidLanes<T>.Broadcast(truePositiveGrad), SigmoidLanes<T>.Broadcast(predictedGrad));
        var (gCrossEntropy, weight) = (SigmoidLanes<T>.Broadcast(crossEntropyGrad), SigmoidLanes<T>.Broadcast(positiveWeight));
        var one = Vector256<T>.One;
        var withCrossEntropy = crossEntropyGrad != 0;
        var lanes = Vector256<T>.Count;
        var written = stackalloc T[lanes];
        for (var i = 0; i < length; i += lanes)
        {
            var whole = i + lanes <= length;
            var (logit, mask, elementScale) = whole
                ? (Vector256.Load(x + i), Vector256.Load(t + i), s is null ? one : Vector256.Load(s + i))
                : Tail(x + i, t + i, s is null ? null : s + i, length - i);
            var (probability, _) = SigmoidLanes<T>.Evaluate(logit);
            var gradient = probability * (one - probability) * elementScale * ((gTruePositive * mask) + gPredicted);
            if (withCrossEntropy)
            {
                gradient += gCrossEntropy * ((probability * (one + ((weight - one) * mask))) - (weight * mask));
            }

            if (whole)
            {
                gradient.Store(g + i);
            }
            else
            {
                gradient.Store(written);
                new ReadOnlySpan<T>(written, length - i).CopyTo(new Span<T>(g + i, length - i));
            }
        }
    }

    // The last elements of a block padded to a whole vector: logits and targets 0 past the end, the scale (1 without one) 0.
    private static (Vector256<T> Logit, Vector256<T> Mask, Vector256<T> Keep) Tail<T>(T* x, T* t, T* s, int count)
        where T : unmanaged
    {
        var lanes = Vector256<T>.Count;
        Span<T> logit = stackalloc T[lanes];
        Span<T> mask = stackalloc T[lanes];
        Span<T> keep = stackalloc T[lanes];
        new ReadOnlySpan<T>(x, count).CopyTo(logit);
        new ReadOnlySpan<T>(t, count).CopyTo(mask);
        if (s is null)
        {
            keep[..count].Fill(Vector256<T>.One.ToScalar());
        }
        else
        {
            new ReadOnlySpan<T>(s, count).CopyTo(keep);
        }

        return (Vector256.Create<T>(logit), Vector256.Create<T>(mask), Vector256.Create<T>(keep));
    }

    // The first element of a contiguous CPU tensor: native memory, which does not move.
    private static nint Address(Tensor tensor) => (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
}
