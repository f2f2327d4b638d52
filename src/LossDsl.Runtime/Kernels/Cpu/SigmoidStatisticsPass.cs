using System;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SigmoidStatistics"/> as one pass over the data each way, for CPU tensors that <see cref="CpuRows.Of"/>
/// accepts. Forward reads x, t (and the scale) once and writes nothing of their size: TP, P, T and the pixel term's sum
/// (bce or focal, <see cref="SigmoidPixelSum"/>) are added per block in float64 lanes. Backward reads them once more and writes the
/// gradient once, from the same closed forms as the torch-operation path. Each pass is compiled per lane width
/// (<see cref="CpuRows.Wide"/>), dtype and pixel term, so that the loop holds only the arithmetic its term needs.
/// </summary>
internal static unsafe class SigmoidStatisticsPass
{
    /// <summary>TP (one per statistic), then P, then T, then the pixel term's sum when there is one.</summary>
    public static double[] Forward(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight) =>
        (logits.dtype == ScalarType.Float32, rows.Wide) switch
        {
            (true, true) => Forward<Lanes512<float>, float>(rows, logits, target, scale, pixelSum, positiveWeight),
            (true, false) => Forward<Lanes256<float>, float>(rows, logits, target, scale, pixelSum, positiveWeight),
            (false, true) => Forward<Lanes512<double>, double>(rows, logits, target, scale, pixelSum, positiveWeight),
            (false, false) => Forward<Lanes256<double>, double>(rows, logits, target, scale, pixelSum, positiveWeight),
        };

    /// <summary>The gradient with respect to the logits, given the gradients of TP and P (one per statistic) and of the pixel term's sum.</summary>
    public static Tensor Backward(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, double[] truePositiveGrad, double[] predictedGrad, SigmoidPixelSum pixelSum, double pixelSumGrad, double positiveWeight)
    {
        var gradient = empty_like(logits);
        // A term whose sum has no gradient adds nothing: left out of the loop.
        var term = pixelSumGrad == 0 ? SigmoidPixelSum.None : pixelSum;
        var slopes = new Slopes(truePositiveGrad, predictedGrad, pixelSumGrad);
        return (logits.dtype == ScalarType.Float32, rows.Wide) switch
        {
            (true, true) => Backward<Lanes512<float>, float>(rows, logits, target, scale, gradient, slopes, term, positiveWeight),
            (true, false) => Backward<Lanes256<float>, float>(rows, logits, target, scale, gradient, slopes, term, positiveWeight),
            (false, true) => Backward<Lanes512<double>, double>(rows, logits, target, scale, gradient, slopes, term, positiveWeight),
            (false, false) => Backward<Lanes256<double>, double>(rows, logits, target, scale, gradient, slopes, term, positiveWeight),
        };
    }

    private static double[] Forward<TLanes, T>(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged => WithTerm<TLanes, T, double[], ForwardPass<TLanes, T>>(new(rows, logits, target, scale), pixelSum, positiveWeight);

    private static Tensor Backward<TLanes, T>(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, Tensor gradient, Slopes slopes, SigmoidPixelSum pixelSum, double positiveWeight)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged => WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T>>(new(rows, logits, target, scale, gradient, slopes), pixelSum, positiveWeight);

    // The one place that turns a pixel term into its struct: focal's power by products for a small whole γ.
    private static TResult WithTerm<TLanes, T, TResult, TPass>(TPass pass, SigmoidPixelSum pixelSum, double positiveWeight)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TPass : struct, ITermPass<TLanes, T, TResult> => pixelSum.Term switch
        {
            SigmoidPixelTerm.CrossEntropy => pass.Run(new CrossEntropyTerm<TLanes, T>(positiveWeight)),
            SigmoidPixelTerm.Focal when LaneFunctions<TLanes, T>.IsSmallWhole(pixelSum.Gamma) =>
                pass.Run(new FocalTerm<TLanes, T, WholeUnitPower<TLanes, T>>(pixelSum.Alpha, new((int)pixelSum.Gamma))),
            SigmoidPixelTerm.Focal => pass.Run(new FocalTerm<TLanes, T, FractionalUnitPower<TLanes, T>>(pixelSum.Alpha, new(pixelSum.Gamma))),
            _ => pass.Run(default(NoPixelTerm<TLanes, T>)),
        };

    private static double[] Forward<TLanes, T, TTerm>(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        var (x, t, s) = (CpuRows.Address(logits), CpuRows.Address(target), scale is null ? 0 : CpuRows.Address(scale));
        var blockSums = new double[rows.Rows * rows.BlocksPerRow * 4];
        rows.ForEachBlock((item, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            BlockSums<TLanes, T, TTerm>((T*)x + at, (T*)t + at, s == 0 ? null : (T*)s + scaleAt, length, term, new Span<double>(blockSums, 4 * item, 4));
        });

        // Added in row and block order: the same bits for every thread count.
        var statistics = rows.Statistics;
        var result = new double[(3 * statistics) + (TTerm.Sums ? 1 : 0)];
        for (var item = 0L; item < blockSums.Length / 4; item++)
        {
            var statistic = rows.Statistic(item / rows.BlocksPerRow);
            for (var sum = 0; sum < 3; sum++)
            {
                result[(sum * statistics) + statistic] += blockSums[(4 * item) + sum];
            }

            if (TTerm.Sums)
            {
                result[3 * statistics] += blockSums[(4 * item) + 3];
            }
        }

        return result;
    }

    private static void Backward<TLanes, T, TTerm>(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, Tensor gradient, Slopes slopes, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        var (x, t, s, g) = (CpuRows.Address(logits), CpuRows.Address(target), scale is null ? 0 : CpuRows.Address(scale), CpuRows.Address(gradient));
        rows.ForEachBlock((_, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var statistic = rows.Statistic(row);
            BlockGradient<TLanes, T, TTerm>((T*)x + at, (T*)t + at, s == 0 ? null : (T*)s + scaleAt, (T*)g + at, length,
                slopes.TruePositive[statistic], slopes.Predicted[statistic], slopes.PixelSum, term);
        });
    }

    // Σ p·s·t, Σ p·s, Σ s·t and Σ s·ℓ (ℓ the pixel term) over one block, in float64 lanes; s is 1 without a scale.
    // Two vectors a step: an element's chain of dependent instructions (exp, division, log1p) is longer than the
    // out-of-order window can overlap from one step to the next, so two independent chains side by side run in about
    // the time of one; their sums are added in the lanes' precision (one rounding) and widened to float64 once.
    // Optimized at once (the first steps of a training run would otherwise run the vector code unoptimized) and never
    // inlined: inlined into its caller it would share the caller's smaller inlining budget, and its arithmetic would be left
    // as calls. The rest of the block, less than two vectors, goes to a method of its own for the same reason.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockSums<TLanes, T, TTerm>(T* x, T* t, T* s, int length, TTerm term, Span<double> sums)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        var (truePositive, predicted, targetSum, pixelSum) = (TLanes.Zero, TLanes.Zero, TLanes.Zero, TLanes.Zero);
        var count = TLanes.Count;
        var i = 0;
        for (; i + count + count <= length; i += count + count)
        {
            var (a, b, c, d) = Sums<TLanes, T, TTerm>(TLanes.Load(x + i), TLanes.Load(t + i), s is null ? TLanes.One : TLanes.Load(s + i), term);
            var j = i + count;
            var (e, f, g, h) = Sums<TLanes, T, TTerm>(TLanes.Load(x + j), TLanes.Load(t + j), s is null ? TLanes.One : TLanes.Load(s + j), term);
            (truePositive, predicted, targetSum) = (TLanes.Accumulate(truePositive, a + e), TLanes.Accumulate(predicted, b + f), TLanes.Accumulate(targetSum, c + g));
            pixelSum = TTerm.Sums ? TLanes.Accumulate(pixelSum, d + h) : pixelSum;
        }

        (sums[0], sums[1], sums[2], sums[3]) = (TLanes.Total(truePositive), TLanes.Total(predicted), TLanes.Total(targetSum), TLanes.Total(pixelSum));
        if (i < length)
        {
            TailSums<TLanes, T, TTerm>(x + i, t + i, s is null ? null : s + i, length - i, term, sums);
        }
    }

    // Adds the last elements of a block (fewer than two vectors) to its sums, a vector at a time, padded.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TailSums<TLanes, T, TTerm>(T* x, T* t, T* s, int length, TTerm term, Span<double> sums)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        for (var i = 0; i < length; i += TLanes.Count)
        {
            // A scale of 0 keeps the padding out of every sum.
            var (logit, mask, scale) = Padded<TLanes, T>(x + i, t + i, s is null ? null : s + i, Math.Min(TLanes.Count, length - i));
            var (a, b, c, d) = Sums<TLanes, T, TTerm>(logit, mask, scale, term);
            sums[0] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, a));
            sums[1] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, b));
            sums[2] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, c));
            sums[3] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, d));
        }
    }

    // One vector's p·s·t, p·s, s·t and s·ℓ.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes TruePositive, TLanes Predicted, TLanes Target, TLanes PixelSum) Sums<TLanes, T, TTerm>(TLanes logit, TLanes mask, TLanes scale, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        var (probability, softplus) = LaneFunctions<TLanes, T>.Evaluate(logit);
        var scaled = probability * scale;
        return (scaled * mask, scaled, mask * scale, TTerm.Sums ? term.Loss(logit, mask, probability, softplus) * scale : TLanes.Zero);
    }

    // ∂/∂x = σ'(x)·s·(g_TP·t + g_P) + g_ℓ·s·∂ℓ/∂x, σ' = p(1 − p). Two vectors a step, as in BlockSums.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockGradient<TLanes, T, TTerm>(
        T* x, T* t, T* s, T* g, int length, double truePositiveGrad, double predictedGrad, double pixelSumGrad, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        var (gTruePositive, gPredicted, gPixelSum) = (TLanes.Create(truePositiveGrad), TLanes.Create(predictedGrad), TLanes.Create(pixelSumGrad));
        var count = TLanes.Count;
        var i = 0;
        for (; i + count + count <= length; i += count + count)
        {
            var first = Gradient<TLanes, T, TTerm>(TLanes.Load(x + i), TLanes.Load(t + i), s is null ? TLanes.One : TLanes.Load(s + i), gTruePositive, gPredicted, gPixelSum, term);
            var j = i + count;
            var second = Gradient<TLanes, T, TTerm>(TLanes.Load(x + j), TLanes.Load(t + j), s is null ? TLanes.One : TLanes.Load(s + j), gTruePositive, gPredicted, gPixelSum, term);
            first.Store(g + i);
            second.Store(g + j);
        }

        if (i < length)
        {
            TailGradient<TLanes, T, TTerm>(x + i, t + i, s is null ? null : s + i, g + i, length - i, gTruePositive, gPredicted, gPixelSum, term);
        }
    }

    // The gradient of the last elements of a block (fewer than two vectors), a vector at a time, padded.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TailGradient<TLanes, T, TTerm>(T* x, T* t, T* s, T* g, int length, TLanes gTruePositive, TLanes gPredicted, TLanes gPixelSum, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        for (var i = 0; i < length; i += TLanes.Count)
        {
            var count = Math.Min(TLanes.Count, length - i);
            var (logit, mask, scale) = Padded<TLanes, T>(x + i, t + i, s is null ? null : s + i, count);
            var gradient = Gradient<TLanes, T, TTerm>(logit, mask, scale, gTruePositive, gPredicted, gPixelSum, term);
            LaneFunctions<TLanes, T>.StorePartial(gradient, g + i, count);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes Gradient<TLanes, T, TTerm>(TLanes logit, TLanes mask, TLanes scale, TLanes gTruePositive, TLanes gPredicted, TLanes gPixelSum, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        var (probability, softplus) = LaneFunctions<TLanes, T>.Evaluate(logit);
        var gradient = probability * (TLanes.One - probability) * ((gTruePositive * mask) + gPredicted);
        if (TTerm.Sums)
        {
            gradient = TLanes.MultiplyAdd(gPixelSum, term.Slope(logit, mask, probability, softplus), gradient);
        }

        return gradient * scale;
    }

    // count (at most a vector's) elements at the end of a block, padded: logits and targets 0, the scale (1 without
    // one) 0 past the end.
    private static (TLanes Logit, TLanes Mask, TLanes Scale) Padded<TLanes, T>(T* x, T* t, T* s, int count)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged =>
        (LaneFunctions<TLanes, T>.LoadPartial(x, count), LaneFunctions<TLanes, T>.LoadPartial(t, count),
            s is null ? LaneFunctions<TLanes, T>.FirstLanes(count) : LaneFunctions<TLanes, T>.LoadPartial(s, count));

    /// <summary>The gradients of TP and P (one per statistic) and of the pixel term's sum.</summary>
    private readonly record struct Slopes(double[] TruePositive, double[] Predicted, double PixelSum);

    /// <summary>A pass run with the pixel term's own struct.</summary>
    private interface ITermPass<TLanes, T, TResult>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        TResult Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>;
    }

    private readonly record struct ForwardPass<TLanes, T>(CpuRows Rows, Tensor Logits, Tensor Target, Tensor? Scale) : ITermPass<TLanes, T, double[]>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public double[] Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => Forward<TLanes, T, TTerm>(Rows, Logits, Target, Scale, term);
    }

    private readonly record struct BackwardPass<TLanes, T>(CpuRows Rows, Tensor Logits, Tensor Target, Tensor? Scale, Tensor Gradient, Slopes Slopes) : ITermPass<TLanes, T, Tensor>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public Tensor Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>
        {
            Backward<TLanes, T, TTerm>(Rows, Logits, Target, Scale, Gradient, Slopes, term);
            return Gradient;
        }
    }
}
