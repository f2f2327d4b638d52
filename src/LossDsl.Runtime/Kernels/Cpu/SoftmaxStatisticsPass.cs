using System;
using System.Linq;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SoftmaxStatistics"/> as one pass over the data each way, for tensors that <see cref="CpuRows.OfLabels"/>
/// accepts. Forward reads the logits, the class indices (and the valid mask) once and writes nothing of their size: per
/// pixel the softmax over the classes (its exponentials kept on the stack), then TP, P and T per class and the summed
/// pixel term ℓ (ce or focal, with class weights and ce's label smoothing, <see cref="ILabelPixelTerm{TLanes, T}"/>) in
/// float64 lanes per block. Backward reads them once more and writes the gradient once:
/// <c>∂/∂x_c = p_c (G_c − Σ_k p_k G_k) + g_ℓ·v·(w_y·F·(p_c − [c = y]) + (ε/C)·(W·p_c − w_c))</c> with
/// <c>G_c = v·(g_P,c + g_TP,c·[c = y])</c>, the term's factor F (1 for ce), its class weights w (1 without) summing to W
/// and its smoothing ε (0 without). When asked, and when F does not read −log p_y (ce, weighted or smoothed), the forward
/// pass also writes p to a buffer of the logits' size, and the backward pass reads p from it instead of the logits and
/// writes the gradient over it: no softmax backward, and no second full-size tensor.
/// </summary>
internal static unsafe class SoftmaxStatisticsPass
{
    // Pixel vectors whose sums the forward pass adds in the lanes' precision before widening them to float64: widening a
    // float32 vector is seven instructions, and each vector adds 3·C + 1 sums.
    internal const int VectorsPerWidening = 8;

    /// <summary>
    /// TP (classes per statistic), then P, then T, then the pixel term's sum, then with <paramref name="checkValues"/> the
    /// value check's sum <c>Σ (x_c − max)·0</c> over every logit, NaN exactly when one is NaN or infinite (the check
    /// <see cref="Inputs.CheckFinite"/> makes in a pass of its own); and, when <paramref name="keepProbabilities"/>,
    /// p = softmax(x) in a new tensor of the logits' shape for <see cref="Backward"/>, with −log p_y in a tensor of the
    /// labels' shape when the term's gradient reads it (focal: p_y alone loses it where p_y rounds to 1); null otherwise.
    /// Also whether every label is a class index, in [0, C): the check <see cref="Inputs.Labels"/> makes in a pass of its
    /// own, here two or three instructions a pixel vector from labels the pass loads anyway (out-of-range labels match no
    /// class, so the pass reads nothing by them). Plain ce on up to <see cref="UnrolledCrossEntropySums.MaxClasses"/>
    /// classes takes its whole groups of vectors with the loop over the classes written out, unless
    /// <paramref name="unrolled"/> is false (for tests: the same bits either way).
    /// </summary>
    public static (double[] Sums, bool LabelsInRange, Tensor? Probabilities, Tensor? LogProbabilities) Forward(
        CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid, LabelPixelSum pixelSum, bool keepProbabilities = false, bool checkValues = false, bool unrolled = true) =>
        (logits.dtype == ScalarType.Float32, pixels.Wide) switch
        {
            (true, true) => Forward<Lanes512<float>, float>(pixels, logits, labels, valid, pixelSum, keepProbabilities, checkValues, unrolled),
            (true, false) => Forward<Lanes256<float>, float>(pixels, logits, labels, valid, pixelSum, keepProbabilities, checkValues, unrolled),
            (false, true) => Forward<Lanes512<double>, double>(pixels, logits, labels, valid, pixelSum, keepProbabilities, checkValues, unrolled),
            (false, false) => Forward<Lanes256<double>, double>(pixels, logits, labels, valid, pixelSum, keepProbabilities, checkValues, unrolled),
        };

    /// <summary>
    /// The gradient with respect to the logits, given the gradients of TP and P (classes per statistic) and of the pixel
    /// term's sum: written over <paramref name="probabilities"/> (what <see cref="Forward"/> kept, which it returns) when
    /// given, reading <paramref name="logProbabilities"/> beside them when kept, else into a new tensor from the logits.
    /// Plain ce from kept p on up to <see cref="UnrolledCrossEntropySums.MaxClasses"/> classes takes its whole vectors with
    /// the loop over the classes written out, unless <paramref name="unrolled"/> is false (for tests: the same bits).
    /// </summary>
    public static Tensor Backward(
        CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid, double[] truePositiveGrad, double[] predictedGrad, double pixelSumGrad, LabelPixelSum pixelSum,
        Tensor? probabilities = null, Tensor? logProbabilities = null, bool unrolled = true)
    {
        var gradient = probabilities ?? empty_like(logits);
        var pass = new BackwardPass(pixels, probabilities ?? logits, logProbabilities, labels, valid, gradient, truePositiveGrad, predictedGrad, pixelSumGrad, probabilities is not null, unrolled);
        var classes = (int)logits.size(1);
        switch (logits.dtype == ScalarType.Float32, pixels.Wide)
        {
            case (true, true): WithTerm<Lanes512<float>, float, BackwardPass, bool>(pass, pixelSum, classes); break;
            case (true, false): WithTerm<Lanes256<float>, float, BackwardPass, bool>(pass, pixelSum, classes); break;
            case (false, true): WithTerm<Lanes512<double>, double, BackwardPass, bool>(pass, pixelSum, classes); break;
            default: WithTerm<Lanes256<double>, double, BackwardPass, bool>(pass, pixelSum, classes); break;
        }

        return gradient;
    }

    private static (double[] Sums, bool LabelsInRange, Tensor? Probabilities, Tensor? LogProbabilities) Forward<TLanes, T>(
        CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid, LabelPixelSum pixelSum, bool keepProbabilities, bool checkValues, bool unrolled)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged =>
        WithTerm<TLanes, T, ForwardPass, (double[], bool, Tensor?, Tensor?)>(new(pixels, logits, labels, valid, keepProbabilities, checkValues, unrolled), pixelSum, (int)logits.size(1));

    // The one place that turns the pixel term into its struct: ce (smoothed, or with class weights), or focal's power by
    // products for a small whole γ, each with class weights when it has them. Plain ce under a weight map takes class
    // weights of 1: plain ce pools a group's logarithms as the log of the product of the pixels' sums raised to their
    // scale, which the pass computes for scales of 0 and 1 only; a class-weighted term takes its logarithm per pixel.
    private static TResult WithTerm<TLanes, T, TPass, TResult>(TPass pass, LabelPixelSum pixelSum, int classes)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TPass : struct, ITermPass<TResult> => pixelSum switch
        {
            { FocalGamma: null, LabelSmoothing: not 0 } =>
                pass.Run<TLanes, T, SmoothedCrossEntropyOfLabel<TLanes, T>>(new(pixelSum.ClassWeights, pixelSum.LabelSmoothing, classes)),
            { FocalGamma: null } => Weighed<TLanes, T, TPass, TResult, CrossEntropyOfLabel<TLanes, T>>(pass, default,
                pixelSum.ClassWeights ?? (pixelSum.WeighsPixels ? Enumerable.Repeat(1.0, classes).ToArray() : null)),
            { FocalGamma: { } gamma } when LaneFunctions<TLanes, T>.IsSmallWhole(gamma) =>
                Weighed<TLanes, T, TPass, TResult, FocalOfLabel<TLanes, T, WholeUnitPower<TLanes, T>>>(pass, new(new((int)gamma)), pixelSum.ClassWeights),
            { FocalGamma: { } gamma } =>
                Weighed<TLanes, T, TPass, TResult, FocalOfLabel<TLanes, T, FractionalUnitPower<TLanes, T>>>(pass, new(new(gamma)), pixelSum.ClassWeights),
        };

    private static TResult Weighed<TLanes, T, TPass, TResult, TTerm>(TPass pass, TTerm term, double[]? classWeights)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TPass : struct, ITermPass<TResult>
        where TTerm : struct, ILabelPixelTerm<TLanes, T> =>
        classWeights is null ? pass.Run<TLanes, T, TTerm>(term) : pass.Run<TLanes, T, ClassWeightedOfLabel<TLanes, T, TTerm>>(new(term, classWeights));

    private interface ITermPass<TResult>
    {
        TResult Run<TLanes, T, TTerm>(TTerm term)
            where TLanes : unmanaged, ILanes<TLanes, T>
            where T : unmanaged
            where TTerm : struct, ILabelPixelTerm<TLanes, T>;
    }

    private readonly record struct ForwardPass(CpuRows Pixels, Tensor Logits, Tensor Labels, Tensor? Valid, bool KeepProbabilities, bool CheckValues, bool Unrolled)
        : ITermPass<(double[], bool, Tensor?, Tensor?)>
    {
        public (double[], bool, Tensor?, Tensor?) Run<TLanes, T, TTerm>(TTerm term)
            where TLanes : unmanaged, ILanes<TLanes, T>
            where T : unmanaged
            where TTerm : struct, ILabelPixelTerm<TLanes, T> =>
            CheckValues ? Forward<TLanes, T, TTerm, Checked>(Pixels, Logits, Labels, Valid, KeepProbabilities, Unrolled, term)
            : Forward<TLanes, T, TTerm, Unchecked>(Pixels, Logits, Labels, Valid, KeepProbabilities, Unrolled, term);
    }


    // From: the logits, or the stored p when Stored (with −log p_y beside it when kept).
    private readonly record struct BackwardPass(
        CpuRows Pixels, Tensor From, Tensor? LogProbabilities, Tensor Labels, Tensor? Valid, Tensor Gradient, double[] TruePositiveGrad, double[] PredictedGrad, double PixelSumGrad,
        bool Stored, bool Unrolled)
        : ITermPass<bool>
    {
        public bool Run<TLanes, T, TTerm>(TTerm term)
            where TLanes : unmanaged, ILanes<TLanes, T>
            where T : unmanaged
            where TTerm : struct, ILabelPixelTerm<TLanes, T>
        {
            if (Stored)
            {
                if (TTerm.FactorReadsLogProbability && LogProbabilities is null)
                {
                    throw new System.InvalidOperationException("This pixel term's gradient reads −log p_y: its backward pass cannot start from stored probabilities alone.");
                }

                Backward<TLanes, T, TTerm, FromProbabilities>(Pixels, From, LogProbabilities, Labels, Valid, Gradient, TruePositiveGrad, PredictedGrad, PixelSumGrad, Unrolled, term);
            }
            else
            {
                Backward<TLanes, T, TTerm, FromLogits>(Pixels, From, null, Labels, Valid, Gradient, TruePositiveGrad, PredictedGrad, PixelSumGrad, Unrolled, term);
            }

            return true;
        }
    }

    /// <summary>What a backward pass reads: the logits (the softmax computed again) or the stored p (and −log p_y, when kept).</summary>
    private interface IPixelSource
    {
        static abstract bool ReadsLogits { get; }
    }

    private readonly struct FromLogits : IPixelSource
    {
        public static bool ReadsLogits => true;
    }

    private readonly struct FromProbabilities : IPixelSource
    {
        public static bool ReadsLogits => false;
    }

    private static (double[] Sums, bool LabelsInRange, Tensor? Probabilities, Tensor? LogProbabilities) Forward<TLanes, T, TTerm, TCheck>(
        CpuRows pixels, Tensor logits, Tensor labels, Tensor? valid, bool keepProbabilities, bool unrolled, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, ILabelPixelTerm<TLanes, T>
        where TCheck : struct, IValueCheck
    {
        var classes = (int)logits.size(1);
        var probabilities = keepProbabilities ? empty_like(logits) : null;
        var logProbabilities = keepProbabilities && TTerm.FactorReadsLogProbability ? empty_like(labels, dtype: logits.dtype) : null;
        var (x, y, v) = (CpuRows.Address(logits), CpuRows.Address(labels), valid is null ? 0 : CpuRows.Address(valid));
        var (kept, keptLog) = (probabilities is null ? 0 : CpuRows.Address(probabilities), logProbabilities is null ? 0 : CpuRows.Address(logProbabilities));
        // Per block: TP, P and T of every class, then the cross-entropy, then the value check's sum when asked, then 1 where
        // a label is out of range (else 0).
        var width = (3 * classes) + 1 + (TCheck.Present ? 1 : 0) + 1;
        var blockSums = new double[pixels.Rows * pixels.BlocksPerRow * width];
        pixels.ForEachBlock((item, image, start, length) =>
        {
            var (at, _) = pixels.Offsets(image, start);
            var logitsAt = (image * classes * pixels.RowLength) + start;
            BlockSums<TLanes, T, TTerm, TCheck>((T*)x + logitsAt, (long*)y + at, v == 0 ? null : (T*)v + at, kept == 0 ? null : (T*)kept + logitsAt,
                keptLog == 0 ? null : (T*)keptLog + at, pixels.RowLength, classes, length, unrolled, term, new Span<double>(blockSums, item * width, width));
        });

        // Added in image and block order: the same bits for every thread count.
        var statistics = pixels.Statistics * classes;
        var result = new double[(3 * statistics) + 1 + (TCheck.Present ? 1 : 0)];
        var labelsInRange = true;
        for (var item = 0L; item < blockSums.Length / width; item++)
        {
            labelsInRange &= blockSums[(item * width) + width - 1] == 0;
            var first = pixels.Statistic(item / pixels.BlocksPerRow) * classes;
            for (var sum = 0; sum < 3; sum++)
            {
                for (var c = 0; c < classes; c++)
                {
                    result[(sum * statistics) + first + c] += blockSums[(item * width) + (sum * classes) + c];
                }
            }

            result[3 * statistics] += blockSums[(item * width) + (3 * classes)];
            if (TCheck.Present)
            {
                result[^1] += blockSums[(item * width) + width - 2];
            }
        }

        return (result, labelsInRange, probabilities, logProbabilities);
    }

    private static void Backward<TLanes, T, TTerm, TSource>(
        CpuRows pixels, Tensor from, Tensor? logProbabilities, Tensor labels, Tensor? valid, Tensor gradient, double[] truePositiveGrad, double[] predictedGrad, double pixelSumGrad,
        bool unrolled, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, ILabelPixelTerm<TLanes, T>
        where TSource : struct, IPixelSource
    {
        var classes = (int)from.size(1);
        var (x, y, v, g) = (CpuRows.Address(from), CpuRows.Address(labels), valid is null ? 0 : CpuRows.Address(valid), CpuRows.Address(gradient));
        var l = logProbabilities is null ? 0 : CpuRows.Address(logProbabilities);
        pixels.ForEachBlock((_, image, start, length) =>
        {
            var (at, _) = pixels.Offsets(image, start);
            var logitsAt = (image * classes * pixels.RowLength) + start;
            var first = (int)(pixels.Statistic(image) * classes);
            BlockGradient<TLanes, T, TTerm, TSource>((T*)x + logitsAt, l == 0 ? null : (T*)l + at, (long*)y + at, v == 0 ? null : (T*)v + at, (T*)g + logitsAt, pixels.RowLength, classes, length,
                new ReadOnlySpan<double>(truePositiveGrad, first, classes), new ReadOnlySpan<double>(predictedGrad, first, classes), pixelSumGrad, unrolled, term);
        });
    }

    // TP, P and T of each class and Σ v·ℓ over one block of pixels, in float64 lanes (VectorsPerWidening vectors at a time
    // in the lanes' precision first); p written to probabilities and −log p_y to logProbabilities too, unless null.
    // Optimized at once (the first steps of a training run would otherwise run the vector code unoptimized) and never
    // inlined: inlined into its caller it would share the caller's smaller inlining budget, and its arithmetic would be
    // left as calls.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockSums<TLanes, T, TTerm, TCheck>(
        T* x, long* y, T* v, T* probabilities, T* logProbabilities, long stride, int classes, int length, bool unrolled, TTerm term, Span<double> sums)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, ILabelPixelTerm<TLanes, T>
        where TCheck : struct, IValueCheck
    {
        var width = (3 * classes) + 1 + (TCheck.Present ? 1 : 0);
        var lanes = stackalloc TLanes[width];
        new Span<TLanes>(lanes, width).Clear();
        // The sums of the last few vectors in the lanes' precision, widened into lanes every VectorsPerWidening vectors.
        var partial = stackalloc TLanes[width];
        new Span<TLanes>(partial, width).Clear();
        var exponentials = stackalloc TLanes[classes];
        var classIndices = stackalloc TLanes[classes];
        ClassIndices<TLanes, T>(classIndices, classes);
        var weighed = TTerm.WeighsClasses || TTerm.Smooths ? classes : 0;
        var classWeights = stackalloc TLanes[weighed];
        var (weightSum, smoothing) = Weights<TLanes, T, TTerm>(term, classWeights, weighed);
        var tile = stackalloc T[classes * TLanes.Count];
        // Every label's int64 bits ORed, and the largest label: all in [0, C) when the first are below MaxClasses (no sign
        // bit, no high bits) and the second is at most C − 1.
        var (labelBits, largestLabel) = (TLanes.Zero, TLanes.Zero);
        // Π (Σ e)^v over the vectors since the last widening, when the term's log Σ e is added apart, once a group.
        var sumsProduct = TLanes.One;
        // Plain ce on a few classes: the whole groups with the loop over the classes written out, the rest here.
        var start = unrolled && TTerm.LogarithmApart && UnrolledCrossEntropySums.Takes(classes)
            ? UnrolledCrossEntropySums.Groups<TLanes, T, TCheck>(x, y, v, probabilities, stride, classes, length, lanes, ref labelBits, ref largestLabel)
            : 0;
        for (var i = start; i < length; i += TLanes.Count)
        {
            // The last pixels are copied to a tile of whole vectors, their labels and the lanes past the end not kept.
            var whole = length - i >= TLanes.Count;
            var (label, keep) = whole
                ? (TLanes.LoadIndices(y + i, ref labelBits), v is null ? TLanes.One : TLanes.Load(v + i))
                : Tile<TLanes, T>(x + i, stride, classes, y + i, v is null ? null : v + i, length - i, tile, ref labelBits);
            largestLabel = TLanes.Max(largestLabel, label);
            var at = whole ? x + i : tile;
            var step = whole ? stride : TLanes.Count;
            var (inverse, sum, shiftedY, weighedShifted, notFinite) = Softmax(at, step, classes, label, classIndices, exponentials, TTerm.Smooths, classWeights, TCheck.Present);
            // Σ e ≥ 1 (the largest class contributes e⁰): its log is of a normal number, and a product of a group's
            // (at most MaxClasses^VectorsPerWidening) is too.
            var logSum = TTerm.LogarithmApart ? TLanes.Zero : LaneFunctions<TLanes, T>.LogOfNormal(sum);
            if (TTerm.LogarithmApart)
            {
                // (Σ e)^v, v in {0, 1} (0 past the end of a tile).
                sumsProduct *= whole && v is null ? sum : TLanes.MultiplyAdd(keep, sum - TLanes.One, TLanes.One);
            }

            if (TCheck.Present)
            {
                partial[width - 1] += notFinite;
            }

            var (probabilityY, weightY) = (TLanes.Zero, TLanes.Zero);
            // The tail's p is written to the tile (its logits are read) and its first elements copied out.
            var to = whole ? probabilities + i : tile;
            for (var c = 0; c < classes; c++)
            {
                var isY = TLanes.EqualTo(label, classIndices[c]);
                var p = exponentials[c] * inverse;
                if (probabilities is not null)
                {
                    p.Store(to + (c * step));
                }

                var kept = p * keep;
                partial[c] += TLanes.Select(isY, kept, TLanes.Zero);
                partial[classes + c] += kept;
                partial[(2 * classes) + c] += TLanes.Select(isY, keep, TLanes.Zero);
                if (TTerm.ReadsProbability)
                {
                    probabilityY = TLanes.Select(isY, p, probabilityY);
                }

                if (TTerm.WeighsClasses)
                {
                    weightY = TLanes.Select(isY, classWeights[c], weightY);
                }
            }

            var minusLogProbabilityY = logSum - shiftedY;
            if (TTerm.FactorReadsLogProbability && logProbabilities is not null)
            {
                if (whole)
                {
                    minusLogProbabilityY.Store(logProbabilities + i);
                }
                else
                {
                    LaneFunctions<TLanes, T>.StorePartial(minusLogProbabilityY, logProbabilities + i, length - i);
                }
            }

            var (loss, _) = term.Of(minusLogProbabilityY, probabilityY);
            loss = TTerm.WeighsClasses ? loss * weightY : loss;
            // Σ_c w_c·(−log p_c) = W·log Σ e − Σ_c w_c·(x_c − max).
            loss = TTerm.Smooths ? TLanes.MultiplyAdd(smoothing, (weightSum * logSum) - weighedShifted, loss) : loss;
            partial[3 * classes] += loss * keep;
            if (probabilities is not null && !whole)
            {
                Untile<TLanes, T>(tile, classes, probabilities + i, stride, length - i);
            }

            if ((i / TLanes.Count) % VectorsPerWidening == VectorsPerWidening - 1 || i + TLanes.Count >= length)
            {
                if (TTerm.LogarithmApart)
                {
                    (partial[3 * classes], sumsProduct) = (partial[3 * classes] + LaneFunctions<TLanes, T>.LogOfNormal(sumsProduct), TLanes.One);
                }

                for (var k = 0; k < width; k++)
                {
                    (lanes[k], partial[k]) = (TLanes.Accumulate(lanes[k], partial[k]), TLanes.Zero);
                }
            }
        }

        for (var k = 0; k < width; k++)
        {
            sums[k] = TLanes.Total(lanes[k]);
        }

        var labelsInRange = TLanes.AllBelow(labelBits, CpuRows.MaxClasses) && TLanes.Total(TLanes.Max(TLanes.Zero, largestLabel - TLanes.Create(classes - 1))) == 0;
        sums[width] = labelsInRange ? 0 : 1;
    }

    // ∂/∂x_c = p_c (G_c − Σ_k p_k G_k) + g_ℓ·v·F·(p_c − [c = y]) over one block of pixels, p from the logits x or, as
    // TSource says, the stored p at x (then g may be x itself: a pixel's classes are all read before any is written), F's
    // −log p_y then from logProbabilities when kept.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockGradient<TLanes, T, TTerm, TSource>(
        T* x, T* logProbabilities, long* y, T* v, T* g, long stride, int classes, int length, ReadOnlySpan<double> truePositiveGrad, ReadOnlySpan<double> predictedGrad,
        double pixelSumGrad, bool unrolled, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, ILabelPixelTerm<TLanes, T>
        where TSource : struct, IPixelSource
    {
        var exponentials = stackalloc TLanes[classes];
        var classIndices = stackalloc TLanes[classes];
        ClassIndices<TLanes, T>(classIndices, classes);
        var pulls = stackalloc TLanes[classes];
        // g_P and g_TP of each class, broadcast once per block; g_P less the classes' mean, in float64. The gradient is the
        // same for G shifted by a constant (Σ_c p_c = 1), but G_c − Σ_k p_k G_k cancels when every class's g_P is nearly
        // the same (a dice term's are): in float32 it then kept the error of Σ_k p_k = 1 times G, not the difference.
        var gPredicted = stackalloc TLanes[classes];
        var gTruePositive = stackalloc TLanes[classes];
        var meanPredictedGrad = 0.0;
        foreach (var grad in predictedGrad)
        {
            meanPredictedGrad += grad / classes;
        }

        for (var c = 0; c < classes; c++)
        {
            (gPredicted[c], gTruePositive[c]) = (TLanes.Create(predictedGrad[c] - meanPredictedGrad), TLanes.Create(truePositiveGrad[c]));
        }

        var gPixelSum = TLanes.Create(pixelSumGrad);
        var weighed = TTerm.WeighsClasses || TTerm.Smooths ? classes : 0;
        var classWeights = stackalloc TLanes[weighed];
        var (weightSum, smoothing) = Weights<TLanes, T, TTerm>(term, classWeights, weighed);
        var tile = stackalloc T[classes * TLanes.Count];
        // Not read: the forward pass checked the labels.
        var labelBits = TLanes.Zero;
        // Plain ce from the kept p on a few classes: the whole vectors with the loop over the classes written out.
        var start = unrolled && TTerm.LogarithmApart && !TSource.ReadsLogits && UnrolledCrossEntropySums.Takes(classes)
            ? UnrolledCrossEntropySums.Gradient<TLanes, T>(x, y, v, g, stride, classes, length, gPredicted, gTruePositive, gPixelSum)
            : 0;
        for (var i = start; i < length; i += TLanes.Count)
        {
            var remaining = length - i;
            var whole = remaining >= TLanes.Count;
            var (label, keep) = whole
                ? (TLanes.LoadIndices(y + i), v is null ? TLanes.One : TLanes.Load(v + i))
                : Tile<TLanes, T>(x + i, stride, classes, y + i, v is null ? null : v + i, remaining, tile, ref labelBits);
            var at = whole ? x + i : tile;
            var step = whole ? stride : TLanes.Count;
            // p_c into exponentials, and −log p_y when the softmax is computed again or it was kept (the term's F reads it
            // only then).
            var minusLogProbabilityY = TSource.ReadsLogits ? Probabilities(at, step, classes, label, classIndices, exponentials, classWeights) : Stored(at, step, classes, exponentials);
            if (TTerm.FactorReadsLogProbability && !TSource.ReadsLogits && logProbabilities is not null)
            {
                minusLogProbabilityY = whole ? TLanes.Load(logProbabilities + i) : LaneFunctions<TLanes, T>.LoadPartial(logProbabilities + i, remaining);
            }
            // G_c = v·(g_P + g_TP·[c = y]) and Σ_k p_k G_k.
            var dot = TLanes.Zero;
            var (probabilityY, weightY) = (TLanes.Zero, TLanes.Zero);
            for (var c = 0; c < classes; c++)
            {
                var isY = TLanes.EqualTo(label, classIndices[c]);
                var pull = keep * (gPredicted[c] + TLanes.Select(isY, gTruePositive[c], TLanes.Zero));
                pulls[c] = pull;
                dot = TLanes.MultiplyAdd(exponentials[c], pull, dot);
                if (TTerm.ReadsProbability)
                {
                    probabilityY = TLanes.Select(isY, exponentials[c], probabilityY);
                }

                if (TTerm.WeighsClasses)
                {
                    weightY = TLanes.Select(isY, classWeights[c], weightY);
                }
            }

            // The tail's gradient is written to the tile and its first elements copied out.
            var to = whole ? g + i : tile;
            var (_, factor) = term.Of(minusLogProbabilityY, probabilityY);
            var pixelSumScale = gPixelSum * keep * (TTerm.WeighsClasses ? factor * weightY : factor);
            var smoothingScale = gPixelSum * keep * smoothing;
            for (var c = 0; c < classes; c++)
            {
                var p = exponentials[c];
                var isY = TLanes.EqualTo(label, classIndices[c]);
                var gradient = (p * (pulls[c] - dot)) + (pixelSumScale * (p - TLanes.Select(isY, TLanes.One, TLanes.Zero)));
                if (TTerm.Smooths)
                {
                    gradient = TLanes.MultiplyAdd(smoothingScale, (weightSum * p) - classWeights[c], gradient);
                }

                gradient.Store(to + (c * step));
            }

            if (!whole)
            {
                Untile<TLanes, T>(tile, classes, g + i, stride, remaining);
            }
        }
    }

    // One pixel vector's p_c = softmax(x)_c from x_c at x + c·stride into probabilities, and −log p_y.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes Probabilities<TLanes, T>(T* x, long stride, int classes, TLanes label, TLanes* classIndices, TLanes* probabilities, TLanes* classWeights)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        var (inverse, sum, shiftedY, _, _) = Softmax(x, stride, classes, label, classIndices, probabilities, smooths: false, classWeights, checks: false);
        for (var c = 0; c < classes; c++)
        {
            probabilities[c] *= inverse;
        }

        return LaneFunctions<TLanes, T>.LogOfNormal(sum) - shiftedY;
    }

    // One pixel vector's stored p_c from p + c·stride into probabilities; −log p_y is not known (0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes Stored<TLanes, T>(T* p, long stride, int classes, TLanes* probabilities)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        for (var c = 0; c < classes; c++)
        {
            probabilities[c] = TLanes.Load(p + (c * stride));
        }

        return TLanes.Zero;
    }

    // One pixel vector's softmax from x_c at x + c·stride: e_c = exp(x_c − max) into exponentials, 1 / Σ e, Σ e,
    // x_y − max, and when smoothing Σ_c w_c·(x_c − max).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes Inverse, TLanes Sum, TLanes ShiftedY, TLanes WeighedShifted, TLanes NotFinite) Softmax<TLanes, T>(
        T* x, long stride, int classes, TLanes label, TLanes* classIndices, TLanes* exponentials, bool smooths, TLanes* classWeights, bool checks)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        var max = TLanes.Load(x);
        for (var c = 1; c < classes; c++)
        {
            max = TLanes.Max(max, TLanes.Load(x + (c * stride)));
        }

        var (sum, shiftedY, weighedShifted, notFinite) = (TLanes.Zero, TLanes.Zero, TLanes.Zero, TLanes.Zero);
        for (var c = 0; c < classes; c++)
        {
            var shifted = TLanes.Load(x + (c * stride)) - max;
            // NaN when x_c or the maximum is NaN or infinite (−∞ − max, ∞ − ∞), 0 otherwise: the value check's term, added
            // only when asked (the JIT kept the unused multiply-add otherwise).
            if (checks)
            {
                notFinite = LaneFunctions<TLanes, T>.AddNotFinite(notFinite, shifted);
            }

            exponentials[c] = LaneFunctions<TLanes, T>.ExpOfNonPositive(shifted);
            sum += exponentials[c];
            shiftedY = TLanes.Select(TLanes.EqualTo(label, classIndices[c]), shifted, shiftedY);
            if (smooths)
            {
                weighedShifted = TLanes.MultiplyAdd(classWeights[c], shifted, weighedShifted);
            }
        }

        return (TLanes.One / sum, sum, shiftedY, weighedShifted, notFinite);
    }

    // Each class index c broadcast into lanes, once a block: the labels are compared with it two or three times per class
    // and pixel vector, and a load costs less than converting and broadcasting c each time.
    private static void ClassIndices<TLanes, T>(TLanes* table, int classes)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        for (var c = 0; c < classes; c++)
        {
            table[c] = TLanes.Create(c);
        }
    }

    // The term's class weights broadcast into lanes (count of them: the classes when it reads them, else none), their
    // sum W and its smoothing ε/C, in lanes.
    private static (TLanes WeightSum, TLanes Smoothing) Weights<TLanes, T, TTerm>(TTerm term, TLanes* classWeights, int count)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, ILabelPixelTerm<TLanes, T>
    {
        var weightSum = 0.0;
        for (var c = 0; c < count; c++)
        {
            classWeights[c] = TLanes.Create(term.ClassWeight(c));
            weightSum += term.ClassWeight(c);
        }

        return (TLanes.Create(weightSum), TLanes.Create(TTerm.Smooths ? term.SmoothingPerClass : 0));
    }

    // The last count (< a vector) pixels' logits copied to a tile of whole vectors (class c at c·Count, 0 past the end);
    // their class indices, and the kept pixels (the valid mask, or 1), 0 past the end.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TLanes Label, TLanes Keep) Tile<TLanes, T>(T* x, long stride, int classes, long* y, T* v, int count, T* tile, ref TLanes labelBits)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        new Span<T>(tile, classes * TLanes.Count).Clear();
        for (var c = 0; c < classes; c++)
        {
            new ReadOnlySpan<T>(x + (c * stride), count).CopyTo(new Span<T>(tile + (c * TLanes.Count), count));
        }

        var labels = stackalloc long[TLanes.Count];
        new Span<long>(labels, TLanes.Count).Clear();
        new ReadOnlySpan<long>(y, count).CopyTo(new Span<long>(labels, count));
        var keep = v is null ? LaneFunctions<TLanes, T>.FirstLanes(count) : LaneFunctions<TLanes, T>.LoadPartial(v, count);
        return (TLanes.LoadIndices(labels, ref labelBits), keep);
    }

    // The first count elements of each class's vector in the tile, back to g + c·stride.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Untile<TLanes, T>(T* tile, int classes, T* g, long stride, int count)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        for (var c = 0; c < classes; c++)
        {
            new ReadOnlySpan<T>(tile + (c * TLanes.Count), count).CopyTo(new Span<T>(g + (c * stride), count));
        }
    }
}
