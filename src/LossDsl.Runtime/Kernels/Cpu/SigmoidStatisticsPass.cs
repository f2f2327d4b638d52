using System;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SigmoidStatistics"/> as one pass over the data each way, for CPU tensors that <see cref="CpuRows.Of"/>
/// accepts. Forward reads x, t (and the scale) once: TP, P, T and the pixel term's sum (bce or focal,
/// <see cref="SigmoidPixelSum"/>) are added per block in float64 lanes. Backward reads them once more and writes the
/// gradient once, from the same closed forms as the torch-operation path. When asked, the forward pass also writes a
/// value per element to a buffer of x's size, which the backward pass reads and writes the gradient over (the buffer is
/// the gradient, so no second full-size tensor): p = σ(x) when the term's slope reads p and t only (bce, or no term),
/// then the backward pass reads p instead of x, with no exponential or division; else (focal) the term's slope ∂ℓ/∂x,
/// then it reads x for p and the slope beside it, with no logarithm or power. Each pass is compiled per lane width
/// (<see cref="CpuRows.Wide"/>), dtype, pixel term and the gradient's source, so that the loop holds only the
/// arithmetic it needs.
/// </summary>
internal static unsafe class SigmoidStatisticsPass
{
    // Vectors whose sums the forward pass adds in the lanes' precision before widening them to float64: a group of BlockSums.
    private const int VectorsPerWidening = 8;

    /// <summary>
    /// TP (one per statistic), then P, then T, then the pixel term's sum when there is one; and, when
    /// <paramref name="keep"/>, what <see cref="Backward"/> reads (p, or the term's slope) in a new tensor of x's shape
    /// (null otherwise).
    /// </summary>
    public static (double[] Sums, Tensor? Kept) Forward(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight, bool keep = false) =>
        (logits.dtype == ScalarType.Float32, rows.Wide) switch
        {
            (true, true) => Forward<Lanes512<float>, float>(rows, logits, target, scale, pixelSum, positiveWeight, keep),
            (true, false) => Forward<Lanes256<float>, float>(rows, logits, target, scale, pixelSum, positiveWeight, keep),
            (false, true) => Forward<Lanes512<double>, double>(rows, logits, target, scale, pixelSum, positiveWeight, keep),
            (false, false) => Forward<Lanes256<double>, double>(rows, logits, target, scale, pixelSum, positiveWeight, keep),
        };

    /// <summary>
    /// The gradient with respect to the logits, given the gradients of TP and P (one per statistic) and of the pixel term's
    /// sum: written over <paramref name="kept"/> (what <see cref="Forward"/> kept, for the same pixel term) when given, else
    /// into a new tensor from the logits.
    /// </summary>
    public static Tensor Backward(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, double[] truePositiveGrad, double[] predictedGrad, SigmoidPixelSum pixelSum, double pixelSumGrad,
        double positiveWeight, Tensor? kept = null)
    {
        var inputs = new BackwardInputs(rows, logits, kept, target, scale, kept ?? empty_like(logits), new(truePositiveGrad, predictedGrad, pixelSumGrad));
        return (logits.dtype == ScalarType.Float32, rows.Wide) switch
        {
            (true, true) => Backward<Lanes512<float>, float>(inputs, pixelSum, positiveWeight),
            (true, false) => Backward<Lanes256<float>, float>(inputs, pixelSum, positiveWeight),
            (false, true) => Backward<Lanes512<double>, double>(inputs, pixelSum, positiveWeight),
            (false, false) => Backward<Lanes256<double>, double>(inputs, pixelSum, positiveWeight),
        };
    }

    private static (double[] Sums, Tensor? Kept) Forward<TLanes, T>(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight, bool keep)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged => WithTerm<TLanes, T, (double[], Tensor?), ForwardPass<TLanes, T>>(new(rows, logits, target, scale, keep), pixelSum, positiveWeight);

    // The source follows what the forward pass kept for this pixel term; a term whose sum has no gradient adds nothing,
    // and is left out of the loop.
    private static Tensor Backward<TLanes, T>(BackwardInputs inputs, SigmoidPixelSum pixelSum, double positiveWeight)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        var term = inputs.Slopes.PixelSum == 0 ? SigmoidPixelSum.None : pixelSum;
        return inputs.Kept is null ? WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T, FromLogits<TLanes, T>>>(new(inputs), term, positiveWeight)
            : WithTerm<TLanes, T, bool, KeepsProbabilities<TLanes, T>>(default, pixelSum, positiveWeight)
                ? WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T, FromProbabilities<TLanes, T>>>(new(inputs), term, positiveWeight)
                : WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T, FromSlopes<TLanes, T>>>(new(inputs), term, positiveWeight);
    }

    // The one place that turns a pixel term into its struct: focal's power by products for a small whole γ.
    private static TResult WithTerm<TLanes, T, TResult, TPass>(TPass pass, SigmoidPixelSum pixelSum, double positiveWeight)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TPass : struct, ITermPass<TLanes, T, TResult> => pixelSum.Term switch
        {
            SigmoidPixelTerm.CrossEntropy when positiveWeight == 1 => pass.Run(default(PlainCrossEntropyTerm<TLanes, T>)),
            SigmoidPixelTerm.CrossEntropy => pass.Run(new CrossEntropyTerm<TLanes, T>(positiveWeight)),
            SigmoidPixelTerm.Focal when LaneFunctions<TLanes, T>.IsSmallWhole(pixelSum.Gamma) =>
                pass.Run(new FocalTerm<TLanes, T, WholeUnitPower<TLanes, T>>(pixelSum.Alpha, new((int)pixelSum.Gamma))),
            SigmoidPixelTerm.Focal => pass.Run(new FocalTerm<TLanes, T, FractionalUnitPower<TLanes, T>>(pixelSum.Alpha, new(pixelSum.Gamma))),
            _ => pass.Run(default(NoPixelTerm<TLanes, T>)),
        };

    private static (double[] Sums, Tensor? Kept) Forward<TLanes, T, TTerm>(CpuRows rows, Tensor logits, Tensor target, Tensor? scale, bool keep, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        var kept = keep ? empty_like(logits) : null;
        var (x, t, s) = (CpuRows.Address(logits), CpuRows.Address(target), scale is null ? 0 : CpuRows.Address(scale));
        var k = kept is null ? 0 : CpuRows.Address(kept);
        var blockSums = new double[rows.Rows * rows.BlocksPerRow * 4];
        rows.ForEachBlock((item, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var sums = new Span<double>(blockSums, 4 * item, 4);
            if (s == 0)
            {
                BlockSums<TLanes, T, TTerm, Unscaled>((T*)x + at, (T*)t + at, null, k == 0 ? null : (T*)k + at, length, term, sums);
            }
            else
            {
                BlockSums<TLanes, T, TTerm, Scaled>((T*)x + at, (T*)t + at, (T*)s + scaleAt, k == 0 ? null : (T*)k + at, length, term, sums);
            }
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

        return (result, kept);
    }

    private static void Backward<TLanes, T, TTerm, TSource>(BackwardInputs inputs, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
    {
        if (!TSource.ReadsLogits && !TTerm.SlopeReadsProbabilityOnly)
        {
            throw new InvalidOperationException("This pixel term's slope reads the logits: its backward pass cannot start from stored probabilities.");
        }

        var (rows, slopes) = (inputs.Rows, inputs.Slopes);
        var (x, t, g) = (CpuRows.Address(inputs.Logits), CpuRows.Address(inputs.Target), CpuRows.Address(inputs.Gradient));
        var (k, s) = (inputs.Kept is null ? 0 : CpuRows.Address(inputs.Kept), inputs.Scale is null ? 0 : CpuRows.Address(inputs.Scale));
        rows.ForEachBlock((_, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var statistic = rows.Statistic(row);
            var (truePositiveGrad, predictedGrad) = (slopes.TruePositive[statistic], slopes.Predicted[statistic]);
            if (s == 0)
            {
                BlockGradient<TLanes, T, TTerm, TSource, Unscaled>((T*)x + at, (T*)k + at, (T*)t + at, null, (T*)g + at, length, truePositiveGrad, predictedGrad, slopes.PixelSum, term);
            }
            else
            {
                BlockGradient<TLanes, T, TTerm, TSource, Scaled>((T*)x + at, (T*)k + at, (T*)t + at, (T*)s + scaleAt, (T*)g + at, length, truePositiveGrad, predictedGrad, slopes.PixelSum, term);
            }
        });
    }

    // Σ p·s·t, Σ p·s, Σ s·t and Σ s·ℓ (ℓ the pixel term) over one block, in float64 lanes; s is 1 without a scale;
    // what the backward pass reads (KeptValue: p or ∂ℓ/∂x) written to kept too, unless that is null.
    // In groups of VectorsPerWidening vectors, two loops over each: the first takes e = exp(−|x|) into a buffer on the
    // stack, the second the rest (p, log1p(e), the term and the sums). An element's chain of dependent instructions is
    // longer than the out-of-order window can overlap from one vector to the next, and .NET's JIT emits instructions in
    // the order written; two short loops let the CPU run several vectors' chains at once (13-23 % off a bce + dice +
    // iou step, 6-17 % off focal + dice, against one loop of two vectors a step). The group's sums are added in the
    // lanes' precision (8 elements a lane, a few roundings of float32) and widened to float64 once: widening a float32
    // vector is seven instructions.
    // Optimized at once (the first steps of a training run would otherwise run the vector code unoptimized) and never
    // inlined: inlined into its caller it would share the caller's smaller inlining budget, and its arithmetic would be left
    // as calls. The rest of the block, less than a group, goes to a method of its own for the same reason.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockSums<TLanes, T, TTerm, TScale>(T* x, T* t, T* s, T* kept, int length, TTerm term, Span<double> sums)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TScale : struct, IScale
    {
        var (truePositive, predicted, targetSum, pixelSum) = (TLanes.Zero, TLanes.Zero, TLanes.Zero, TLanes.Zero);
        var count = TLanes.Count;
        var exponentials = stackalloc T[VectorsPerWidening * TLanes.Count];
        var i = 0;
        while (i + (VectorsPerWidening * count) <= length)
        {
            var (partialTruePositive, partialPredicted, partialTarget, partialPixelSum) = (TLanes.Zero, TLanes.Zero, TLanes.Zero, TLanes.Zero);
            for (var k = 0; k < VectorsPerWidening; k++)
            {
                LaneFunctions<TLanes, T>.ExpOfMinusAbs(TLanes.Load(x + i + (k * count))).Store(exponentials + (k * count));
            }

            for (var k = 0; k < VectorsPerWidening; k++, i += count)
            {
                var (a, b, c, d, value) = Sums<TLanes, T, TTerm, TScale>(TLanes.Load(x + i), TLanes.Load(exponentials + (k * count)), TLanes.Load(t + i), TScale.Present ? TLanes.Load(s + i) : TLanes.One, term, kept is not null);
                (partialTruePositive, partialPredicted, partialTarget) = (partialTruePositive + a, partialPredicted + b, partialTarget + c);
                partialPixelSum = TTerm.Sums ? partialPixelSum + d : partialPixelSum;
                if (kept is not null)
                {
                    value.Store(kept + i);
                }
            }

            (truePositive, predicted, targetSum) = (TLanes.Accumulate(truePositive, partialTruePositive), TLanes.Accumulate(predicted, partialPredicted), TLanes.Accumulate(targetSum, partialTarget));
            pixelSum = TTerm.Sums ? TLanes.Accumulate(pixelSum, partialPixelSum) : pixelSum;
        }

        (sums[0], sums[1], sums[2], sums[3]) = (TLanes.Total(truePositive), TLanes.Total(predicted), TLanes.Total(targetSum), TLanes.Total(pixelSum));
        if (i < length)
        {
            TailSums<TLanes, T, TTerm>(x + i, t + i, s is null ? null : s + i, kept is null ? null : kept + i, length - i, term, sums);
        }
    }

    // Adds the last elements of a block (fewer than VectorsPerWidening vectors) to its sums, a vector at a time,
    // padded.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TailSums<TLanes, T, TTerm>(T* x, T* t, T* s, T* kept, int length, TTerm term, Span<double> sums)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        for (var i = 0; i < length; i += TLanes.Count)
        {
            // A scale of 0 keeps the padding out of every sum.
            var count = Math.Min(TLanes.Count, length - i);
            var (logit, mask, scale) = Padded<TLanes, T>(x + i, t + i, s is null ? null : s + i, count);
            var (a, b, c, d, value) = Sums<TLanes, T, TTerm, Scaled>(logit, LaneFunctions<TLanes, T>.ExpOfMinusAbs(logit), mask, scale, term, kept is not null);
            sums[0] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, a));
            sums[1] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, b));
            sums[2] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, c));
            sums[3] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, d));
            if (kept is not null)
            {
                LaneFunctions<TLanes, T>.StorePartial(value, kept + i, count);
            }
        }
    }

    // One vector's p·s·t, p·s, s·t and s·ℓ, and (when kept) what the backward pass reads, given e = exp(−|x|); s is
    // not read (taken as 1) when TScale has none.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes TruePositive, TLanes Predicted, TLanes Target, TLanes PixelSum, TLanes Kept) Sums<TLanes, T, TTerm, TScale>(
        TLanes logit, TLanes exponential, TLanes mask, TLanes scale, TTerm term, bool keeps)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TScale : struct, IScale
    {
        var (probability, softplus) = LaneFunctions<TLanes, T>.EvaluateWith(logit, exponential);
        var loss = TTerm.Sums ? term.Loss(logit, mask, probability, softplus) : TLanes.Zero;
        var kept = TTerm.SlopeReadsProbabilityOnly ? probability : keeps ? term.Slope(logit, mask, probability, softplus) : TLanes.Zero;
        if (!TScale.Present)
        {
            return (probability * mask, probability, mask, loss, kept);
        }

        var scaled = probability * scale;
        return (scaled * mask, scaled, mask * scale, loss * scale, kept);
    }

    // ∂/∂x = σ'(x)·s·(g_TP·t + g_P) + g_ℓ·s·∂ℓ/∂x, σ' = p(1 − p), with p and ∂ℓ/∂x from what TSource reads (the
    // logits x, what the forward pass kept, or both; g may be kept itself: a vector is read before it is written). Two
    // vectors a step.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockGradient<TLanes, T, TTerm, TSource, TScale>(
        T* x, T* kept, T* t, T* s, T* g, int length, double truePositiveGrad, double predictedGrad, double pixelSumGrad, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
        where TScale : struct, IScale
    {
        var (gTruePositive, gPredicted, gPixelSum) = (TLanes.Create(truePositiveGrad), TLanes.Create(predictedGrad), TLanes.Create(pixelSumGrad));
        var count = TLanes.Count;
        var i = 0;
        for (; i + count + count <= length; i += count + count)
        {
            var first = Gradient<TLanes, T, TTerm, TSource, TScale>(
                TSource.ReadsLogits ? TLanes.Load(x + i) : TLanes.Zero, TSource.ReadsKept ? TLanes.Load(kept + i) : TLanes.Zero, TLanes.Load(t + i),
                TScale.Present ? TLanes.Load(s + i) : TLanes.One, gTruePositive, gPredicted, gPixelSum, term);
            var j = i + count;
            var second = Gradient<TLanes, T, TTerm, TSource, TScale>(
                TSource.ReadsLogits ? TLanes.Load(x + j) : TLanes.Zero, TSource.ReadsKept ? TLanes.Load(kept + j) : TLanes.Zero, TLanes.Load(t + j),
                TScale.Present ? TLanes.Load(s + j) : TLanes.One, gTruePositive, gPredicted, gPixelSum, term);
            first.Store(g + i);
            second.Store(g + j);
        }

        if (i < length)
        {
            TailGradient<TLanes, T, TTerm, TSource>(x + i, kept + i, t + i, s is null ? null : s + i, g + i, length - i, gTruePositive, gPredicted, gPixelSum, term);
        }
    }

    // The gradient of the last elements of a block (fewer than two vectors), a vector at a time, padded.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TailGradient<TLanes, T, TTerm, TSource>(T* x, T* kept, T* t, T* s, T* g, int length, TLanes gTruePositive, TLanes gPredicted, TLanes gPixelSum, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
    {
        for (var i = 0; i < length; i += TLanes.Count)
        {
            var count = Math.Min(TLanes.Count, length - i);
            var (logit, mask, scale) = Padded<TLanes, T>(x + i, t + i, s is null ? null : s + i, count);
            var read = TSource.ReadsKept ? LaneFunctions<TLanes, T>.LoadPartial(kept + i, count) : TLanes.Zero;
            var gradient = Gradient<TLanes, T, TTerm, TSource, Scaled>(logit, read, mask, scale, gTruePositive, gPredicted, gPixelSum, term);
            LaneFunctions<TLanes, T>.StorePartial(gradient, g + i, count);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes Gradient<TLanes, T, TTerm, TSource, TScale>(TLanes logit, TLanes kept, TLanes mask, TLanes scale, TLanes gTruePositive, TLanes gPredicted, TLanes gPixelSum, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
        where TScale : struct, IScale
    {
        var (probability, slope) = TSource.Elements(logit, kept, mask, term);
        var gradient = probability * (TLanes.One - probability) * ((gTruePositive * mask) + gPredicted);
        if (TTerm.Sums)
        {
            gradient = TLanes.MultiplyAdd(gPixelSum, slope, gradient);
        }

        return TScale.Present ? gradient * scale : gradient;
    }

    // count (at most a vector's) elements at the end of a block, padded: logits and targets 0, the scale (1 without
    // one) 0 past the end.
    private static (TLanes Logit, TLanes Mask, TLanes Scale) Padded<TLanes, T>(T* x, T* t, T* s, int count)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged =>
        (LaneFunctions<TLanes, T>.LoadPartial(x, count), LaneFunctions<TLanes, T>.LoadPartial(t, count),
            s is null ? LaneFunctions<TLanes, T>.FirstLanes(count) : LaneFunctions<TLanes, T>.LoadPartial(s, count));

    /// <summary>
    /// Whether a block loop reads a scale s (valid mask times weight map) beside x and t. A type, so that the loop without
    /// one is compiled without its loads and products; the tails always have one (0 past the end).
    /// </summary>
    private interface IScale
    {
        static abstract bool Present { get; }
    }

    private readonly struct Scaled : IScale
    {
        public static bool Present => true;
    }

    private readonly struct Unscaled : IScale
    {
        public static bool Present => false;
    }

    /// <summary>The gradients of TP and P (one per statistic) and of the pixel term's sum.</summary>
    private readonly record struct Slopes(double[] TruePositive, double[] Predicted, double PixelSum);

    /// <summary>What a backward pass reads (the logits, and what the forward pass kept, if it did) and writes.</summary>
    private readonly record struct BackwardInputs(CpuRows Rows, Tensor Logits, Tensor? Kept, Tensor Target, Tensor? Scale, Tensor Gradient, Slopes Slopes);

    /// <summary>A pass run with the pixel term's own struct.</summary>
    private interface ITermPass<TLanes, T, TResult>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        TResult Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>;
    }

    private readonly record struct ForwardPass<TLanes, T>(CpuRows Rows, Tensor Logits, Tensor Target, Tensor? Scale, bool Keep)
        : ITermPass<TLanes, T, (double[], Tensor?)>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public (double[], Tensor?) Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => Forward<TLanes, T, TTerm>(Rows, Logits, Target, Scale, Keep, term);
    }

    /// <summary>Whether the forward pass keeps p for this term (else its slope).</summary>
    private readonly struct KeepsProbabilities<TLanes, T> : ITermPass<TLanes, T, bool>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public bool Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => TTerm.SlopeReadsProbabilityOnly;
    }

    private readonly record struct BackwardPass<TLanes, T, TSource>(BackwardInputs Inputs) : ITermPass<TLanes, T, Tensor>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TSource : struct, IElementSource<TLanes, T>
    {
        public Tensor Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>
        {
            Backward<TLanes, T, TTerm, TSource>(Inputs, term);
            return Inputs.Gradient;
        }
    }

    /// <summary>Where the backward pass gets an element's p and ∂ℓ/∂x from: the logits x, what the forward pass kept, or both.</summary>
    private interface IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        /// <summary>Whether it reads x (else x is not known).</summary>
        static abstract bool ReadsLogits { get; }

        /// <summary>Whether it reads what the forward pass kept.</summary>
        static abstract bool ReadsKept { get; }

        /// <summary>p, and ∂ℓ/∂x when the term sums (else anything).</summary>
        static abstract (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes kept, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>;
    }

    /// <summary>The logits alone: p, softplus(x) and the slope computed again.</summary>
    private readonly struct FromLogits<TLanes, T> : IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsLogits => true;

        public static bool ReadsKept => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes kept, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>
        {
            var (probability, softplus) = LaneFunctions<TLanes, T>.Evaluate(logit);
            return (probability, TTerm.Sums ? term.Slope(logit, t, probability, softplus) : TLanes.Zero);
        }
    }

    /// <summary>The p the forward pass kept, for a term whose slope reads p and t only.</summary>
    private readonly struct FromProbabilities<TLanes, T> : IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsLogits => false;

        public static bool ReadsKept => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes kept, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => (kept, TTerm.Sums ? term.Slope(TLanes.Zero, t, kept, TLanes.Zero) : TLanes.Zero);
    }

    /// <summary>The slope the forward pass kept (focal), and p from the logits: an exponential and a division, no more.</summary>
    private readonly struct FromSlopes<TLanes, T> : IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsLogits => true;

        public static bool ReadsKept => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes kept, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => (LaneFunctions<TLanes, T>.Probability(logit, LaneFunctions<TLanes, T>.ExpOfMinusAbs(logit)), kept);
    }
}
