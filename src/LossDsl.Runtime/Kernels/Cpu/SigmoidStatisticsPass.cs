using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SigmoidStatistics"/> as one pass over the data each way, for CPU tensors that <see cref="CpuRows.Of"/>
/// accepts. Forward reads x, t (and the scale) once and writes nothing of their size: TP, P, T and the pixel term's sum
/// (bce or focal, <see cref="SigmoidPixelSum"/>) are added per block in float64 lanes. Backward reads them once more and
/// writes the gradient once, from the same closed forms as the torch-operation path.
/// </summary>
internal static unsafe class SigmoidStatisticsPass
{
    /// <summary>TP (one per statistic), then P, then T, then the pixel term's sum when there is one.</summary>
    public static double[] Forward(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight) =>
        logits.dtype == ScalarType.Float32
            ? Forward<float>(rows, logits, target, scale, pixelSum, positiveWeight)
            : Forward<double>(rows, logits, target, scale, pixelSum, positiveWeight);

    /// <summary>The gradient with respect to the logits, given the gradients of TP and P (one per statistic) and of the pixel term's sum.</summary>
    public static Tensor Backward(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, double[] truePositiveGrad, double[] predictedGrad, SigmoidPixelSum pixelSum, double pixelSumGrad, double positiveWeight)
    {
        var gradient = empty_like(logits);
        if (logits.dtype == ScalarType.Float32)
        {
            Backward<float>(rows, logits, target, scale, gradient, truePositiveGrad, predictedGrad, pixelSum, pixelSumGrad, positiveWeight);
        }
        else
        {
            Backward<double>(rows, logits, target, scale, gradient, truePositiveGrad, predictedGrad, pixelSum, pixelSumGrad, positiveWeight);
        }

        return gradient;
    }

    private static double[] Forward<T>(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight)
        where T : unmanaged
    {
        var (x, t, s) = (CpuRows.Address(logits), CpuRows.Address(target), scale is null ? 0 : CpuRows.Address(scale));
        var blockSums = new double[rows.Rows * rows.BlocksPerRow * 4];
        var terms = new PixelTerms<T>(pixelSum, positiveWeight);
        rows.ForEachBlock((item, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var sums = BlockSums((T*)x + at, (T*)t + at, s == 0 ? null : (T*)s + scaleAt, length, terms);
            (blockSums[4 * item], blockSums[(4 * item) + 1], blockSums[(4 * item) + 2], blockSums[(4 * item) + 3]) = sums;
        });

        // Added in row and block order: the same bits for every thread count.
        var statistics = rows.Statistics;
        var withSum = pixelSum.Term != SigmoidPixelTerm.None;
        var result = new double[(3 * statistics) + (withSum ? 1 : 0)];
        for (var item = 0L; item < blockSums.Length / 4; item++)
        {
            var statistic = rows.Statistic(item / rows.BlocksPerRow);
            for (var sum = 0; sum < 3; sum++)
            {
                result[(sum * statistics) + statistic] += blockSums[(4 * item) + sum];
            }

            if (withSum)
            {
                result[3 * statistics] += blockSums[(4 * item) + 3];
            }
        }

        return result;
    }

    private static void Backward<T>(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, Tensor gradient, double[] truePositiveGrad, double[] predictedGrad,
        SigmoidPixelSum pixelSum, double pixelSumGrad, double positiveWeight)
        where T : unmanaged
    {
        var (x, t, s, g) = (CpuRows.Address(logits), CpuRows.Address(target), scale is null ? 0 : CpuRows.Address(scale), CpuRows.Address(gradient));
        // A term whose sum has no gradient adds nothing: left out of the loop.
        var terms = new PixelTerms<T>(pixelSumGrad == 0 ? SigmoidPixelSum.None : pixelSum, positiveWeight);
        rows.ForEachBlock((_, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var statistic = rows.Statistic(row);
            BlockGradient((T*)x + at, (T*)t + at, s == 0 ? null : (T*)s + scaleAt, (T*)g + at, length,
                truePositiveGrad[statistic], predictedGrad[statistic], pixelSumGrad, terms);
        });
    }

    // Σ p·s·t, Σ p·s, Σ s·t and Σ ℓ (the pixel term, unscaled) over one block; s is 1 without a scale, and 0 in the
    // lanes past the block's end. Optimized at once: the first steps of a training run would otherwise run the vector
    // code unoptimized (tier 0).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double TruePositive, double Predicted, double Target, double PixelSum) BlockSums<T>(T* x, T* t, T* s, int length, PixelTerms<T> terms)
        where T : unmanaged
    {
        var (truePositive, predicted, targetSum, pixelSum) = (Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero);
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
            if (terms.Term != SigmoidPixelTerm.None)
            {
                // The padding lanes' logit and target are 0 but their loss is not: the scale (0 there) masks them.
                pixelSum += SigmoidLanes<T>.Widen(terms.Loss(logit, mask, probability, softplus) * elementScale);
            }
        }

        return (Vector256.Sum(truePositive), Vector256.Sum(predicted), Vector256.Sum(targetSum), Vector256.Sum(pixelSum));
    }

    // ∂/∂x = σ'(x)·s·(g_TP·t + g_P) + g_ℓ·∂ℓ/∂x, σ' = p(1 − p).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BlockGradient<T>(
        T* x, T* t, T* s, T* g, int length, double truePositiveGrad, double predictedGrad, double pixelSumGrad, PixelTerms<T> terms)
        where T : unmanaged
    {
        var (gTruePositive, gPredicted, gPixelSum) = (SigmoidLanes<T>.Broadcast(truePositiveGrad), SigmoidLanes<T>.Broadcast(predictedGrad), SigmoidLanes<T>.Broadcast(pixelSumGrad));
        var one = Vector256<T>.One;
        var lanes = Vector256<T>.Count;
        var written = stackalloc T[lanes];
        for (var i = 0; i < length; i += lanes)
        {
            var whole = i + lanes <= length;
            var (logit, mask, elementScale) = whole
                ? (Vector256.Load(x + i), Vector256.Load(t + i), s is null ? one : Vector256.Load(s + i))
                : Tail(x + i, t + i, s is null ? null : s + i, length - i);
            var (probability, softplus) = SigmoidLanes<T>.Evaluate(logit);
            var gradient = probability * (one - probability) * elementScale * ((gTruePositive * mask) + gPredicted);
            if (terms.Term != SigmoidPixelTerm.None)
            {
                gradient += gPixelSum * terms.Slope(logit, mask, probability, softplus);
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

    /// <summary>A pixel term's element loss ℓ and its slope ∂ℓ/∂x on vectors, its constants broadcast once per pass.</summary>
    private readonly struct PixelTerms<T>(SigmoidPixelSum pixelSum, double positiveWeight)
        where T : unmanaged
    {
        private readonly Vector256<T> weight = SigmoidLanes<T>.Broadcast(positiveWeight);
        private readonly Vector256<T> alphaSlope = SigmoidLanes<T>.Broadcast(pixelSum.Alpha < 0 ? 0 : (2 * pixelSum.Alpha) - 1);
        private readonly Vector256<T> alphaBase = SigmoidLanes<T>.Broadcast(pixelSum.Alpha < 0 ? 1 : 1 - pixelSum.Alpha);
        private readonly Vector256<T> gamma = SigmoidLanes<T>.Broadcast(pixelSum.Gamma);
        private readonly double gammaValue = pixelSum.Gamma;

        public SigmoidPixelTerm Term { get; } = pixelSum.Term;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<T> Loss(Vector256<T> x, Vector256<T> t, Vector256<T> p, Vector256<T> softplus)
        {
            if (Term == SigmoidPixelTerm.CrossEntropy)
            {
                // w·t·softplus(−x) + (1 − t)·softplus(x), softplus(−x) = softplus(x) − x.
                return softplus + (t * (((weight - Vector256<T>.One) * (softplus - x)) - x));
            }

            var (alphaT, power, _) = Focal(t, p);
            return alphaT * power * (softplus - (t * x));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<T> Slope(Vector256<T> x, Vector256<T> t, Vector256<T> p, Vector256<T> softplus)
        {
            var one = Vector256<T>.One;
            if (Term == SigmoidPixelTerm.CrossEntropy)
            {
                return (p * (one + ((weight - one) * t))) - (weight * t);
            }

            // α_t (γ m^(γ−1) (1 − 2t) p(1 − p) ce + m^γ (p − t)), m^(γ−1) = m^γ / m (m at least the smallest normal).
            var (alphaT, power, m) = Focal(t, p);
            var towardsOther = one - (t + t);
            var crossEntropy = softplus - (t * x);
            var throughModulation = gamma * (power / m) * towardsOther * p * (one - p) * crossEntropy;
            return alphaT * (throughModulation + (power * (p - t)));
        }

        // α_t = t(2α − 1) + (1 − α) (1 without α), m = max(1 − p_t, smallest normal) = max(t + p(1 − 2t), ·), and m^γ.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private (Vector256<T> AlphaT, Vector256<T> Power, Vector256<T> Base) Focal(Vector256<T> t, Vector256<T> p)
        {
            var m = Vector256.Max(t + (p * (Vector256<T>.One - (t + t))), SigmoidLanes<T>.SmallestNormal);
            return ((t * alphaSlope) + alphaBase, SigmoidLanes<T>.PowerOfUnit(m, gammaValue), m);
        }
    }
}
