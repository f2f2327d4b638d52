using System;
using System.Linq;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SigmoidStatistics"/> as one pass over the data each way, for CPU tensors that <see cref="CpuRows.Of"/>
/// accepts. Forward reads x, t (and the scale) once: TP, P, T and the pixel term's sum (bce or focal,
/// <see cref="SigmoidPixelSum"/>) are added per block in float64 lanes. Backward reads them once more and writes the
/// gradient once, from the same closed forms as the torch-operation path. When asked, the forward pass also writes
/// p = σ(x) to a buffer of x's size, which the backward pass reads instead of x and writes the gradient over (the buffer
/// is the gradient, so no second full-size tensor): no exponential or division per element backward. The buffer holds p
/// with the mask in its sign (<see cref="ILanes{TSelf, T}.FlipSignWhereOne"/>): a block whose mask the forward pass found
/// binary (from t² − t, two instructions a vector) needs no read of t backward, where that read was a third of the
/// backward pass's traffic (0.50 → 0.46 ms a step of bce + dice + iou on an AVX-512 Xeon); any other block reads t and
/// flips p back. A term whose slope reads more than p and t (focal: ce = softplus(x) − t·x, which p does not give where
/// it saturates) has ce written to a second buffer beside p, and the backward pass takes the slope from t, p and ce
/// (<see cref="IPixelTerm{TLanes, T}.SlopeFromCrossEntropy"/>: the forward pass's arithmetic bounds it, the backward
/// pass waits on memory; focal + dice 0.574 → 0.518 ms a step on an AVX-512 Xeon); with a fractional γ, whose power
/// the backward pass would take again by a logarithm and an exponential, it has the slope ∂ℓ/∂x itself written there.
/// Either way its backward pass has no logarithm or exponential. Each pass is compiled per lane width
/// (<see cref="CpuRows.Wide"/>), dtype, pixel term, scale, what it keeps and the gradient's sources, so that the loop
/// holds only the arithmetic it needs.
/// </summary>
internal static unsafe class SigmoidStatisticsPass
{
    // Vectors whose sums the forward pass adds in the lanes' precision before widening them to float64: a group of BlockSums.
    private const int VectorsPerWidening = 8;

    /// <summary>
    /// TP (one per statistic), then P, then T, then the pixel term's sum when there is one, then with
    /// <paramref name="checkValues"/> the value checks' two sums (<see cref="ValueChecks"/>); and, when
    /// <paramref name="keep"/>, what <see cref="Backward"/> reads in new tensors of x's shape: p with the mask in its sign,
    /// and when the term's slope reads more than p and t, ce or the slope (<see cref="IKept"/>; null otherwise), and per
    /// block (row-major) whether its mask was binary, so that the sign holds it. Without <paramref name="statisticsTakeGradients"/> (TP and P are not read, as
    /// for a pixel term alone) a term's kept slope is kept alone, without p: the backward pass then reads one stream and
    /// writes the gradient over it, and must be given TP's and P's gradients as 0.
    /// </summary>
    public static (double[] Sums, Tensor? Probabilities, Tensor? KeptTerm, bool[]? MaskInSign) Forward(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight, bool keep = false, bool checkValues = false,
        bool statisticsTakeGradients = true) =>
        (logits.dtype == ScalarType.Float32, rows.Wide) switch
        {
            (true, true) => Forward<Lanes512<float>, float>(rows, logits, target, scale, pixelSum, positiveWeight, keep, checkValues, statisticsTakeGradients),
            (true, false) => Forward<Lanes256<float>, float>(rows, logits, target, scale, pixelSum, positiveWeight, keep, checkValues, statisticsTakeGradients),
            (false, true) => Forward<Lanes512<double>, double>(rows, logits, target, scale, pixelSum, positiveWeight, keep, checkValues, statisticsTakeGradients),
            (false, false) => Forward<Lanes256<double>, double>(rows, logits, target, scale, pixelSum, positiveWeight, keep, checkValues, statisticsTakeGradients),
        };

    /// <summary>
    /// The value checks' two sums, which the forward pass adds after the others when asked: <c>Σ x·0</c>, NaN exactly when
    /// some logit is NaN or infinite, and <c>Σ max(0, t² − t)</c>, 0 exactly when every target value is in [0, 1] (NaN
    /// for a NaN or an infinity). Computed from values the pass loads anyway, four operations a vector, instead of a pass
    /// over each of pred and the mask (<see cref="Inputs.CheckFinite"/>, <see cref="Inputs.CheckMaskValues"/>, which a
    /// failed check then calls for their messages).
    /// </summary>
    public const int ValueChecks = 2;

    /// <summary>
    /// The gradient with respect to the logits, given the gradients of TP and P (one per statistic) and of the pixel term's
    /// sum: written over <paramref name="probabilities"/> when given (with <paramref name="keptTerm"/> and
    /// <paramref name="maskInSign"/>, what <see cref="Forward"/> kept for the same pixel term; without the last, every
    /// block reads t), over <paramref name="keptTerm"/> kept alone (TP's and P's gradients must then be 0), else into a
    /// new tensor from the logits.
    /// </summary>
    public static Tensor Backward(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, double[] truePositiveGrad, double[] predictedGrad, SigmoidPixelSum pixelSum, double pixelSumGrad,
        double positiveWeight, Tensor? probabilities = null, Tensor? keptTerm = null, bool[]? maskInSign = null)
    {
        if (probabilities is null && keptTerm is not null && (truePositiveGrad.Any(g => g != 0) || predictedGrad.Any(g => g != 0)))
        {
            throw new ArgumentException("A slope kept without p gives no gradient through TP and P: theirs must be 0.", nameof(keptTerm));
        }

        var inputs = new BackwardInputs(rows, logits, probabilities, keptTerm, maskInSign, target, scale, probabilities ?? keptTerm ?? empty_like(logits),
            new(truePositiveGrad, predictedGrad, pixelSumGrad, pixelSum));
        return (logits.dtype == ScalarType.Float32, rows.Wide) switch
        {
            (true, true) => Backward<Lanes512<float>, float>(inputs, positiveWeight),
            (true, false) => Backward<Lanes256<float>, float>(inputs, positiveWeight),
            (false, true) => Backward<Lanes512<double>, double>(inputs, positiveWeight),
            (false, false) => Backward<Lanes256<double>, double>(inputs, positiveWeight),
        };
    }

    private static (double[] Sums, Tensor? Probabilities, Tensor? KeptTerm, bool[]? MaskInSign) Forward<TLanes, T>(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, SigmoidPixelSum pixelSum, double positiveWeight, bool keep, bool checkValues, bool statisticsTakeGradients)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged =>
        WithTerm<TLanes, T, (double[], Tensor?, Tensor?, bool[]?), ForwardPass<TLanes, T>>(
            new(rows, logits, target, scale, keep, checkValues, statisticsTakeGradients, pixelSum), pixelSum, positiveWeight);

    // The source follows what the forward pass kept; a term whose sum has no gradient adds nothing, and is left out of
    // the loop (its kept slopes with it).
    private static Tensor Backward<TLanes, T>(BackwardInputs inputs, double positiveWeight)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        var term = inputs.Slopes.PixelSum == 0 ? SigmoidPixelSum.None : inputs.Slopes.Term;
        return inputs.Probabilities is null && inputs.KeptTerm is not null ? WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T, FromSlopes<TLanes, T>>>(new(inputs), term, positiveWeight)
            : inputs.Probabilities is null ? WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T, FromLogits<TLanes, T>>>(new(inputs), term, positiveWeight)
            : inputs.KeptTerm is null || term.Term == SigmoidPixelTerm.None ? WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T, FromProbabilities<TLanes, T>>>(new(inputs), term, positiveWeight)
            : WithTerm<TLanes, T, Tensor, BackwardPass<TLanes, T, FromProbabilitiesAndKeptTerm<TLanes, T>>>(new(inputs), term, positiveWeight);
    }

    // The one place that turns a pixel term into its struct: focal's power by products for a small whole γ (γ = 2, the
    // default, as its own struct).
    private static TResult WithTerm<TLanes, T, TResult, TPass>(TPass pass, SigmoidPixelSum pixelSum, double positiveWeight)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TPass : struct, ITermPass<TLanes, T, TResult> => pixelSum.Term switch
        {
            SigmoidPixelTerm.CrossEntropy when positiveWeight == 1 => pass.Run(default(PlainCrossEntropyTerm<TLanes, T>)),
            SigmoidPixelTerm.CrossEntropy => pass.Run(new CrossEntropyTerm<TLanes, T>(positiveWeight)),
            SigmoidPixelTerm.Focal when pixelSum.Gamma == 2 => pass.Run(new FocalTerm<TLanes, T, SquareUnitPower<TLanes, T>>(pixelSum.Alpha, default)),
            SigmoidPixelTerm.Focal when LaneFunctions<TLanes, T>.IsSmallWhole(pixelSum.Gamma) =>
                pass.Run(new FocalTerm<TLanes, T, WholeUnitPower<TLanes, T>>(pixelSum.Alpha, new((int)pixelSum.Gamma))),
            SigmoidPixelTerm.Focal => pass.Run(new FocalTerm<TLanes, T, FractionalUnitPower<TLanes, T>>(pixelSum.Alpha, new(pixelSum.Gamma))),
            _ => pass.Run(default(NoPixelTerm<TLanes, T>)),
        };

    private static (double[] Sums, Tensor? Probabilities, Tensor? KeptTerm, bool[]? MaskInSign) Forward<TLanes, T, TTerm>(
        CpuRows rows, Tensor logits, Tensor target, Tensor? scale, bool keep, bool checkValues, bool statisticsTakeGradients, SigmoidPixelSum pixelSum, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
    {
        // p is kept where TP's and P's gradients or the term's slope read it; a slope that reads more is kept beside it.
        var keepsSlope = keep && !TTerm.SlopeReadsProbabilityOnly;
        var (probabilities, keptTerm) = (keep && (statisticsTakeGradients || !keepsSlope) ? empty_like(logits) : null, keepsSlope ? empty_like(logits) : null);
        var (x, t, s) = (CpuRows.Address(logits), CpuRows.Address(target), scale is null ? 0 : CpuRows.Address(scale));
        var (p, d) = (probabilities is null ? 0 : CpuRows.Address(probabilities), keptTerm is null ? 0 : CpuRows.Address(keptTerm));
        // Beside p, a term whose slope comes from ce keeps ce; alone, it keeps its slope.
        var keepsCrossEntropy = TTerm.SlopeFromCrossEntropy && probabilities is not null && keptTerm is not null;
        // Per block: TP, P, T, the pixel term's sum, then the value checks' sums when asked.
        var width = 4 + (checkValues ? ValueChecks : 0);
        var blockSums = new double[rows.Rows * rows.BlocksPerRow * width];
        var maskInSign = probabilities is null ? null : new bool[rows.Rows * rows.BlocksPerRow];
        rows.ForEachBlock((item, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var sums = new Span<double>(blockSums, width * item, width);
            var blockX = (T*)x + at;
            var blockT = (T*)t + at;
            var blockP = p == 0 ? null : (T*)p + at;
            var blockD = d == 0 ? null : (T*)d + at;
            bool Run<TKept>(Span<double> sums)
                where TKept : struct, IKept => (s == 0, checkValues) switch
                {
                    (true, false) => BlockSums<TLanes, T, TTerm, Unscaled, Unchecked, TKept>(blockX, blockT, null, blockP, blockD, length, term, sums),
                    (true, true) => BlockSums<TLanes, T, TTerm, Unscaled, Checked, TKept>(blockX, blockT, null, blockP, blockD, length, term, sums),
                    (false, false) => BlockSums<TLanes, T, TTerm, Scaled, Unchecked, TKept>(blockX, blockT, (T*)s + scaleAt, blockP, blockD, length, term, sums),
                    _ => BlockSums<TLanes, T, TTerm, Scaled, Checked, TKept>(blockX, blockT, (T*)s + scaleAt, blockP, blockD, length, term, sums),
                };

            var binary = (probabilities is not null, keptTerm is not null) switch
            {
                (false, false) => Run<KeptNothing>(sums),
                (true, false) => Run<KeptProbabilities>(sums),
                (false, true) => Run<KeptSlopeAlone>(sums),
                _ => keepsCrossEntropy ? Run<KeptProbabilitiesAndCrossEntropy>(sums) : Run<KeptProbabilitiesAndSlope>(sums),
            };

            if (maskInSign is not null)
            {
                maskInSign[item] = binary;
            }

            // A channel weight multiplies its channel's elements of the pixel term: the block's sum, once.
            sums[3] *= pixelSum.WeightOf(rows.Channel(row));
        });

        // Added in row and block order: the same bits for every thread count.
        var statistics = rows.Statistics;
        var termSum = 3 * statistics;
        var checks = termSum + (TTerm.Sums ? 1 : 0);
        var result = new double[checks + (checkValues ? ValueChecks : 0)];
        for (var item = 0L; item < blockSums.Length / width; item++)
        {
            var statistic = rows.Statistic(item / rows.BlocksPerRow);
            for (var sum = 0; sum < 3; sum++)
            {
                result[(sum * statistics) + statistic] += blockSums[(width * item) + sum];
            }

            if (TTerm.Sums)
            {
                result[termSum] += blockSums[(width * item) + 3];
            }

            for (var check = 0; check < width - 4; check++)
            {
                result[checks + check] += blockSums[(width * item) + 4 + check];
            }
        }

        return (result, probabilities, keptTerm, maskInSign);
    }

    private static void Backward<TLanes, T, TTerm, TSource>(BackwardInputs inputs, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
    {
        if (!TSource.ReadsLogits && !TSource.ReadsKeptTerm && !TTerm.SlopeReadsProbabilityOnly)
        {
            throw new InvalidOperationException("This pixel term's slope reads the logits: its backward pass cannot start from stored probabilities alone.");
        }

        var (rows, slopes) = (inputs.Rows, inputs.Slopes);
        var (x, t, g) = (CpuRows.Address(inputs.Logits), CpuRows.Address(inputs.Target), CpuRows.Address(inputs.Gradient));
        var (p, d) = (inputs.Probabilities is null ? 0 : CpuRows.Address(inputs.Probabilities), inputs.KeptTerm is null ? 0 : CpuRows.Address(inputs.KeptTerm));
        var s = inputs.Scale is null ? 0 : CpuRows.Address(inputs.Scale);
        var maskInSign = inputs.MaskInSign;
        rows.ForEachBlock((item, row, start, length) =>
        {
            var (at, scaleAt) = rows.Offsets(row, start);
            var statistic = rows.Statistic(row);
            var (truePositiveGrad, predictedGrad) = (slopes.TruePositive[statistic], slopes.Predicted[statistic]);
            var pixelSumGrad = slopes.PixelSum * slopes.Term.WeightOf(rows.Channel(row));
            void Run<TMask>()
                where TMask : struct, IMaskSource<TLanes, T>
            {
                if (s == 0)
                {
                    BlockGradient<TLanes, T, TTerm, TSource, Unscaled, TMask>(
                        (T*)x + at, p == 0 ? null : (T*)p + at, d == 0 ? null : (T*)d + at, (T*)t + at, null, (T*)g + at, length, truePositiveGrad, predictedGrad, pixelSumGrad, term);
                }
                else
                {
                    BlockGradient<TLanes, T, TTerm, TSource, Scaled, TMask>(
                        (T*)x + at, p == 0 ? null : (T*)p + at, d == 0 ? null : (T*)d + at, (T*)t + at, (T*)s + scaleAt, (T*)g + at, length, truePositiveGrad, predictedGrad, pixelSumGrad, term);
                }
            }

            // The mask from the sign of the kept p where the forward pass found the block's mask binary, else from t; a
            // slope kept alone needs none (MaskInSign reads nothing).
            if (TSource.ReadsLogits)
            {
                Run<MaskRead<TLanes, T>>();
            }
            else if (!TSource.ReadsProbabilities || maskInSign?[item] == true)
            {
                Run<MaskInSign<TLanes, T>>();
            }
            else
            {
                Run<MaskFlippedIn<TLanes, T>>();
            }
        });
    }

    // Σ p·s·t, Σ p·s, Σ s·t and Σ s·ℓ (ℓ the pixel term) over one block, in float64 lanes; s is 1 without a scale;
    // p (with t in its sign) and the term's slope ∂ℓ/∂x written to probabilities and keptTerm too, unless null; returns
    // whether the block's t was binary where p is written.
    // In groups of VectorsPerWidening vectors, two loops over each: the first takes e = exp(−|x|) into a buffer on the
    // stack, the second the rest (p, log1p(e) or, for a term whose logarithm is added apart, the product for the group's
    // one logarithm, the term and the sums). An element's chain of dependent instructions is longer than the
    // out-of-order window can overlap from one vector to the next, and .NET's JIT emits instructions in the order
    // written; two short loops let the CPU run several vectors' chains at once (13-23 % off a bce + dice + iou step,
    // 6-17 % off focal + dice, against one loop of two vectors a step). The group's sums are added in the
    // lanes' precision (8 elements a lane, a few roundings of float32) and widened to float64 once: widening a float32
    // vector is seven instructions.
    // Optimized at once (the first steps of a training run would otherwise run the vector code unoptimized) and never
    // inlined: inlined into its caller it would share the caller's smaller inlining budget, and its arithmetic would be left
    // as calls. The rest of the block, less than a group, goes to a method of its own for the same reason.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static bool BlockSums<TLanes, T, TTerm, TScale, TCheck, TKept>(T* x, T* t, T* s, T* probabilities, T* keptTerm, int length, TTerm term, Span<double> sums)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TScale : struct, IScale
        where TCheck : struct, IValueCheck
        where TKept : struct, IKept
    {
        var (truePositive, predicted, targetSum, pixelSum) = (TLanes.Zero, TLanes.Zero, TLanes.Zero, TLanes.Zero);
        var (notFinite, outsideUnit) = (TLanes.Zero, TLanes.Zero);
        // t² − t ORed over the mask where p is stored: ±0 exactly when every t is 0 or 1 (NaN and ±∞ are not).
        var notBinary = TLanes.Zero;
        var count = TLanes.Count;
        var exponentials = stackalloc T[VectorsPerWidening * TLanes.Count];
        var i = 0;
        while (i + (VectorsPerWidening * count) <= length)
        {
            var (partialTruePositive, partialPredicted, partialTarget, partialPixelSum) = (TLanes.Zero, TLanes.Zero, TLanes.Zero, TLanes.Zero);
            var (partialNotFinite, partialOutsideUnit) = (TLanes.Zero, TLanes.Zero);
            for (var k = 0; k < VectorsPerWidening; k++)
            {
                var logit = TLanes.Load(x + i + (k * count));
                LaneFunctions<TLanes, T>.ExpOfMinusAbs(logit).Store(exponentials + (k * count));
                partialNotFinite = TCheck.Present ? LaneFunctions<TLanes, T>.AddNotFinite(partialNotFinite, logit) : partialNotFinite;
            }

            // Π(1 + e) − 1 over the group, when the term's logarithm is added apart.
            var onePlusProduct = TLanes.Zero;
            var logarithmApart = LogarithmApart<TLanes, T, TTerm, TScale>();
            for (var k = 0; k < VectorsPerWidening; k++, i += count)
            {
                var mask = TLanes.Load(t + i);
                var exponential = TLanes.Load(exponentials + (k * count));
                var (scaled, scaledMask, scaledLoss, p, kept) = Sums<TLanes, T, TTerm, TScale, TKept>(TLanes.Load(x + i), exponential, mask, TScale.Present ? TLanes.Load(s + i) : TLanes.One, term, logarithmApart);
                onePlusProduct = logarithmApart ? LaneFunctions<TLanes, T>.OnePlusProductMinusOne(onePlusProduct, exponential) : onePlusProduct;
                (partialTruePositive, partialPredicted, partialTarget) = (TLanes.MultiplyAdd(scaled, mask, partialTruePositive), partialPredicted + scaled, partialTarget + scaledMask);
                partialOutsideUnit = TCheck.Present ? partialOutsideUnit + OutsideUnit<TLanes, T>(mask) : partialOutsideUnit;
                partialPixelSum = TTerm.Sums ? partialPixelSum + scaledLoss : partialPixelSum;
                if (TKept.Probabilities)
                {
                    TLanes.FlipSignWhereOne(p, mask).Store(probabilities + i);
                    notBinary = TLanes.Or(notBinary, SquareMinusSelf<TLanes, T>(mask));
                }

                if (!TTerm.SlopeReadsProbabilityOnly && TKept.Term)
                {
                    kept.Store(keptTerm + i);
                }
            }

            partialPixelSum = logarithmApart ? partialPixelSum + LaneFunctions<TLanes, T>.Log1p(onePlusProduct) : partialPixelSum;
            (truePositive, predicted, targetSum) = (TLanes.Accumulate(truePositive, partialTruePositive), TLanes.Accumulate(predicted, partialPredicted), TLanes.Accumulate(targetSum, partialTarget));
            pixelSum = TTerm.Sums ? TLanes.Accumulate(pixelSum, partialPixelSum) : pixelSum;
            if (TCheck.Present)
            {
                (notFinite, outsideUnit) = (TLanes.Accumulate(notFinite, partialNotFinite), TLanes.Accumulate(outsideUnit, partialOutsideUnit));
            }
        }

        (sums[0], sums[1], sums[2], sums[3]) = (TLanes.Total(truePositive), TLanes.Total(predicted), TLanes.Total(targetSum), TLanes.Total(pixelSum));
        if (TCheck.Present)
        {
            (sums[4], sums[5]) = (TLanes.Total(notFinite), TLanes.Total(outsideUnit));
        }

        var binary = TLanes.AllZero(notBinary);
        if (i < length)
        {
            binary &= TailSums<TLanes, T, TTerm, TKept>(x + i, t + i, s is null ? null : s + i, probabilities is null ? null : probabilities + i, keptTerm is null ? null : keptTerm + i, length - i, term, sums);
        }

        return binary;
    }

    // Adds the last elements of a block (fewer than VectorsPerWidening vectors) to its sums, a vector at a time,
    // padded; whether their mask is binary, as BlockSums.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TailSums<TLanes, T, TTerm, TKept>(T* x, T* t, T* s, T* probabilities, T* keptTerm, int length, TTerm term, Span<double> sums)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TKept : struct, IKept
    {
        var notBinary = TLanes.Zero;
        for (var i = 0; i < length; i += TLanes.Count)
        {
            // A scale of 0 keeps the padding out of every sum.
            var count = Math.Min(TLanes.Count, length - i);
            var (logit, mask, scale) = Padded<TLanes, T>(x + i, t + i, s is null ? null : s + i, count);
            var (scaled, scaledMask, scaledLoss, p, kept) = Sums<TLanes, T, TTerm, Scaled, TKept>(logit, LaneFunctions<TLanes, T>.ExpOfMinusAbs(logit), mask, scale, term, logarithmApart: false);
            sums[0] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, scaled * mask));
            sums[1] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, scaled));
            sums[2] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, scaledMask));
            sums[3] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, scaledLoss));
            if (sums.Length > 4)
            {
                // The padding is 0 in x and t: finite, and in [0, 1].
                sums[4] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, LaneFunctions<TLanes, T>.AddNotFinite(TLanes.Zero, logit)));
                sums[5] += TLanes.Total(TLanes.Accumulate(TLanes.Zero, OutsideUnit<TLanes, T>(mask)));
            }

            if (TKept.Probabilities)
            {
                // The padding's t is 0: binary.
                LaneFunctions<TLanes, T>.StorePartial(TLanes.FlipSignWhereOne(p, mask), probabilities + i, count);
                notBinary = TLanes.Or(notBinary, SquareMinusSelf<TLanes, T>(mask));
            }

            if (!TTerm.SlopeReadsProbabilityOnly && TKept.Term)
            {
                LaneFunctions<TLanes, T>.StorePartial(kept, keptTerm + i, count);
            }
        }

        return TLanes.AllZero(notBinary);
    }

    // Whether a block loop adds the pixel term's logarithm apart, once a group (IPixelTerm.LogarithmApart): only without
    // a scale, which would weigh it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool LogarithmApart<TLanes, T, TTerm, TScale>()
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TScale : struct, IScale => TTerm.Sums && TTerm.LogarithmApart && !TScale.Present;

    // One vector's p·s, s·t and s·ℓ, p, and what the pass keeps of the term when asked (else 0: ∂ℓ/∂x, or ce as TKept
    // says), given e = exp(−|x|); the caller adds p·s·t to TP (a multiply-add in the loop). s is not read (taken as 1)
    // when TScale has none. With logarithmApart, ℓ without its log(1 + e), which the caller adds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes Predicted, TLanes Target, TLanes PixelSum, TLanes Probability, TLanes Kept) Sums<TLanes, T, TTerm, TScale, TKept>(
        TLanes logit, TLanes exponential, TLanes mask, TLanes scale, TTerm term, bool logarithmApart)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TScale : struct, IScale
        where TKept : struct, IKept
    {
        var probability = LaneFunctions<TLanes, T>.SigmoidWith(logit, exponential);
        var softplus = logarithmApart ? TLanes.Zero : LaneFunctions<TLanes, T>.SoftplusWith(logit, exponential);
        var crossEntropy = logarithmApart ? TLanes.Zero : LaneFunctions<TLanes, T>.CrossEntropyWith(logit, mask, exponential);
        var (termLoss, termSlope) = term.LossAndSlope(logit, mask, probability, softplus, crossEntropy);
        var loss = !TTerm.Sums ? TLanes.Zero : logarithmApart ? TTerm.WithoutLogarithm(logit, mask) : termLoss;
        // Keeping ce leaves the slope unused: the JIT drops its arithmetic.
        var kept = TTerm.SlopeReadsProbabilityOnly || !TKept.Term ? TLanes.Zero : TKept.CrossEntropy ? crossEntropy : termSlope;
        if (!TScale.Present)
        {
            return (probability, mask, loss, probability, kept);
        }

        var scaled = probability * scale;
        return (scaled, mask * scale, loss * scale, probability, kept);
    }

    // ∂/∂x = σ'(x)·s·(g_TP·t + g_P) + g_ℓ·s·∂ℓ/∂x, σ' = p − p², with p and ∂ℓ/∂x from what TSource reads (the
    // logits x, or what the forward pass kept; g may be the kept p itself: a vector is read before it is written) and t
    // as TMask says. Two vectors a step.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void BlockGradient<TLanes, T, TTerm, TSource, TScale, TMask>(
        T* x, T* probabilities, T* keptTerm, T* t, T* s, T* g, int length, double truePositiveGrad, double predictedGrad, double pixelSumGrad, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
        where TScale : struct, IScale
        where TMask : struct, IMaskSource<TLanes, T>
    {
        var (gTruePositive, gPredicted, gPixelSum) = (TLanes.Create(truePositiveGrad), TLanes.Create(predictedGrad), TLanes.Create(pixelSumGrad));
        var count = TLanes.Count;
        var i = 0;
        for (; i + count + count <= length; i += count + count)
        {
            var first = Gradient<TLanes, T, TTerm, TSource, TScale, TMask>(Read<TLanes, T, TSource>(x, probabilities, keptTerm, i), TMask.ReadsTarget ? TLanes.Load(t + i) : TLanes.Zero,
                TScale.Present ? TLanes.Load(s + i) : TLanes.One, gTruePositive, gPredicted, gPixelSum, term);
            var j = i + count;
            var second = Gradient<TLanes, T, TTerm, TSource, TScale, TMask>(Read<TLanes, T, TSource>(x, probabilities, keptTerm, j), TMask.ReadsTarget ? TLanes.Load(t + j) : TLanes.Zero,
                TScale.Present ? TLanes.Load(s + j) : TLanes.One, gTruePositive, gPredicted, gPixelSum, term);
            first.Store(g + i);
            second.Store(g + j);
        }

        if (i < length)
        {
            TailGradient<TLanes, T, TTerm, TSource, TMask>(x + i, probabilities is null ? null : probabilities + i, keptTerm is null ? null : keptTerm + i, t + i, s is null ? null : s + i, g + i,
                length - i, gTruePositive, gPredicted, gPixelSum, term);
        }
    }

    // The gradient of the last elements of a block (fewer than two vectors), a vector at a time, padded.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void TailGradient<TLanes, T, TTerm, TSource, TMask>(
        T* x, T* probabilities, T* keptTerm, T* t, T* s, T* g, int length, TLanes gTruePositive, TLanes gPredicted, TLanes gPixelSum, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
        where TMask : struct, IMaskSource<TLanes, T>
    {
        for (var i = 0; i < length; i += TLanes.Count)
        {
            var count = Math.Min(TLanes.Count, length - i);
            var (logit, mask, scale) = Padded<TLanes, T>(x + i, t + i, s is null ? null : s + i, count);
            var read = (logit,
                TSource.ReadsProbabilities ? LaneFunctions<TLanes, T>.LoadPartial(probabilities + i, count) : TLanes.Zero,
                TSource.ReadsKeptTerm ? LaneFunctions<TLanes, T>.LoadPartial(keptTerm + i, count) : TLanes.Zero);
            var gradient = Gradient<TLanes, T, TTerm, TSource, Scaled, TMask>(read, mask, scale, gTruePositive, gPredicted, gPixelSum, term);
            LaneFunctions<TLanes, T>.StorePartial(gradient, g + i, count);
        }
    }

    // target: t as loaded when TMask reads it (else 0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes Gradient<TLanes, T, TTerm, TSource, TScale, TMask>(
        (TLanes Logit, TLanes Probability, TLanes Slope) read, TLanes target, TLanes scale, TLanes gTruePositive, TLanes gPredicted, TLanes gPixelSum, TTerm term)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TTerm : struct, IPixelTerm<TLanes, T>
        where TSource : struct, IElementSource<TLanes, T>
        where TScale : struct, IScale
        where TMask : struct, IMaskSource<TLanes, T>
    {
        TLanes gradient;
        if (!TSource.ReadsLogits && !TSource.ReadsProbabilities)
        {
            // The slope kept alone: TP's and P's gradients are 0 (Backward checks), and so is their part.
            gradient = TTerm.Sums ? gPixelSum * read.Slope : TLanes.Zero;
        }
        else
        {
            var (kept, mask) = TMask.Of(read.Probability, target);
            var (probability, slope) = TSource.Elements(read.Logit, kept, read.Slope, mask, term);
            // σ' as p − p² in one operation, which focal's slope computes too (the JIT takes it once), and the statistics'
            // part g_TP·t + g_P as one multiply-add.
            gradient = TLanes.MultiplyAddNegated(probability, probability, probability) * TLanes.MultiplyAdd(gTruePositive, mask, gPredicted);
            if (TTerm.Sums)
            {
                gradient = TLanes.MultiplyAdd(gPixelSum, slope, gradient);
            }
        }

        return TScale.Present ? gradient * scale : gradient;
    }

    // The vectors at element i that TSource reads (0 for the others).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes Logit, TLanes Probability, TLanes Slope) Read<TLanes, T, TSource>(T* x, T* probabilities, T* keptTerm, int i)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TSource : struct, IElementSource<TLanes, T> =>
        (TSource.ReadsLogits ? TLanes.Load(x + i) : TLanes.Zero, TSource.ReadsProbabilities ? TLanes.Load(probabilities + i) : TLanes.Zero,
            TSource.ReadsKeptTerm ? TLanes.Load(keptTerm + i) : TLanes.Zero);

    // count (at most a vector's) elements at the end of a block, padded: logits and targets 0, the scale (1 without
    // one) 0 past the end.
    private static (TLanes Logit, TLanes Mask, TLanes Scale) Padded<TLanes, T>(T* x, T* t, T* s, int count)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged =>
        (LaneFunctions<TLanes, T>.LoadPartial(x, count), LaneFunctions<TLanes, T>.LoadPartial(t, count),
            s is null ? LaneFunctions<TLanes, T>.FirstLanes(count) : LaneFunctions<TLanes, T>.LoadPartial(s, count));

    // max(0, t² − t): 0 for t in [0, 1], above 0 outside it (t(t − 1) > 0), NaN for a NaN or an infinity (the maximum
    // keeps a NaN on its right).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes OutsideUnit<TLanes, T>(TLanes t)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged => TLanes.Max(TLanes.Zero, SquareMinusSelf<TLanes, T>(t));

    // t² − t: ±0 exactly for t in {0, 1}, below 0 inside (0, 1), above 0 outside [0, 1], NaN for a NaN or an infinity.
    // The value check's measure of a mask value, and the forward pass's test that a block's mask is binary.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes SquareMinusSelf<TLanes, T>(TLanes t)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged => TLanes.MultiplySubtract(t, t, t);

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

    /// <summary>
    /// What the forward pass keeps for the backward pass: p (with t in its sign), and of a term whose slope reads more than
    /// p and t its slope ∂ℓ/∂x, or ce = softplus(x) − t·x beside p for a term that takes its slope from them
    /// (<see cref="IPixelTerm{TLanes, T}.SlopeFromCrossEntropy"/>). A type, so that the loop has no test of what it keeps
    /// (a branch a vector each, on the vector ports) and the loop keeping ce none of the slope's arithmetic.
    /// </summary>
    private interface IKept
    {
        static abstract bool Probabilities { get; }

        static abstract bool Term { get; }

        static abstract bool CrossEntropy { get; }
    }

    private readonly struct KeptNothing : IKept
    {
        public static bool Probabilities => false;

        public static bool Term => false;

        public static bool CrossEntropy => false;
    }

    private readonly struct KeptProbabilities : IKept
    {
        public static bool Probabilities => true;

        public static bool Term => false;

        public static bool CrossEntropy => false;
    }

    private readonly struct KeptSlopeAlone : IKept
    {
        public static bool Probabilities => false;

        public static bool Term => true;

        public static bool CrossEntropy => false;
    }

    private readonly struct KeptProbabilitiesAndSlope : IKept
    {
        public static bool Probabilities => true;

        public static bool Term => true;

        public static bool CrossEntropy => false;
    }

    private readonly struct KeptProbabilitiesAndCrossEntropy : IKept
    {
        public static bool Probabilities => true;

        public static bool Term => true;

        public static bool CrossEntropy => true;
    }

    /// <summary>The gradients of TP and P (one per statistic) and of the pixel term's sum, and the term (its channel weights).</summary>
    private readonly record struct Slopes(double[] TruePositive, double[] Predicted, double PixelSum, SigmoidPixelSum Term);

    /// <summary>What a backward pass reads (the logits, and what the forward pass kept, if it did) and writes.</summary>
    private readonly record struct BackwardInputs(
        CpuRows Rows, Tensor Logits, Tensor? Probabilities, Tensor? KeptTerm, bool[]? MaskInSign, Tensor Target, Tensor? Scale, Tensor Gradient, Slopes Slopes);

    /// <summary>A pass run with the pixel term's own struct.</summary>
    private interface ITermPass<TLanes, T, TResult>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        TResult Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>;
    }

    private readonly record struct ForwardPass<TLanes, T>(
        CpuRows Rows, Tensor Logits, Tensor Target, Tensor? Scale, bool Keep, bool CheckValues, bool StatisticsTakeGradients, SigmoidPixelSum PixelSum)
        : ITermPass<TLanes, T, (double[], Tensor?, Tensor?, bool[]?)>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public (double[], Tensor?, Tensor?, bool[]?) Run<TTerm>(TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => Forward<TLanes, T, TTerm>(Rows, Logits, Target, Scale, Keep, CheckValues, StatisticsTakeGradients, PixelSum, term);
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

    /// <summary>
    /// Where the backward pass gets t from, and what it makes of the kept p: the forward pass keeps p with the mask in its
    /// sign (<see cref="ILanes{TSelf, T}.FlipSignWhereOne"/>), so that a block whose mask is binary needs no read of t.
    /// </summary>
    private interface IMaskSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        /// <summary>Whether it reads t.</summary>
        static abstract bool ReadsTarget { get; }

        /// <summary>p from the kept vector (when one is read) and t, given t as read (0 when not).</summary>
        static abstract (TLanes Probability, TLanes Mask) Of(TLanes kept, TLanes target);
    }

    /// <summary>t as read, nothing kept (a pass from the logits).</summary>
    private readonly struct MaskRead<TLanes, T> : IMaskSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsTarget => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Mask) Of(TLanes kept, TLanes target) => (kept, target);
    }

    /// <summary>A block whose mask was binary: t is the kept p's sign, p its magnitude; t is not read.</summary>
    private readonly struct MaskInSign<TLanes, T> : IMaskSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsTarget => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Mask) Of(TLanes kept, TLanes target) => TLanes.SplitSign(kept);
    }

    /// <summary>Any other block: t as read, and p the kept bits flipped back by it.</summary>
    private readonly struct MaskFlippedIn<TLanes, T> : IMaskSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsTarget => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Mask) Of(TLanes kept, TLanes target) => (TLanes.FlipSignWhereOne(kept, target), target);
    }

    /// <summary>Where the backward pass gets an element's p and ∂ℓ/∂x from: the logits x, or what the forward pass kept.</summary>
    private interface IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        /// <summary>Whether it reads x (else x is not known).</summary>
        static abstract bool ReadsLogits { get; }

        /// <summary>Whether it reads the kept p.</summary>
        static abstract bool ReadsProbabilities { get; }

        /// <summary>Whether it reads the kept ∂ℓ/∂x.</summary>
        static abstract bool ReadsKeptTerm { get; }

        /// <summary>p, and ∂ℓ/∂x when the term sums (else anything), from the vectors read (0 for those not read).</summary>
        static abstract (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes probability, TLanes slope, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>;
    }

    /// <summary>The logits alone: p, softplus(x) and the slope computed again.</summary>
    private readonly struct FromLogits<TLanes, T> : IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsLogits => true;

        public static bool ReadsProbabilities => false;

        public static bool ReadsKeptTerm => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes probability, TLanes slope, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T>
        {
            var e = LaneFunctions<TLanes, T>.ExpOfMinusAbs(logit);
            var p = LaneFunctions<TLanes, T>.SigmoidWith(logit, e);
            return (p, TTerm.Sums
                ? term.LossAndSlope(logit, t, p, LaneFunctions<TLanes, T>.SoftplusWith(logit, e), LaneFunctions<TLanes, T>.CrossEntropyWith(logit, t, e)).Slope
                : TLanes.Zero);
        }
    }

    /// <summary>The p the forward pass kept, for a term whose slope reads p and t only.</summary>
    private readonly struct FromProbabilities<TLanes, T> : IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsLogits => false;

        public static bool ReadsProbabilities => true;

        public static bool ReadsKeptTerm => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes probability, TLanes slope, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => (probability, TTerm.Sums ? term.LossAndSlope(TLanes.Zero, t, probability, TLanes.Zero, TLanes.Zero).Slope : TLanes.Zero);
    }

    /// <summary>The slope the forward pass kept alone, where TP and P take no gradient (focal alone): p is not needed.</summary>
    private readonly struct FromSlopes<TLanes, T> : IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsLogits => false;

        public static bool ReadsProbabilities => false;

        public static bool ReadsKeptTerm => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes probability, TLanes slope, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => (TLanes.Zero, slope);
    }

    /// <summary>
    /// The p and what the forward pass kept of the term beside it (focal): its slope, or ce to take the slope from
    /// (<see cref="IPixelTerm{TLanes, T}.SlopeFromCrossEntropy"/>). No transcendental function backward.
    /// </summary>
    private readonly struct FromProbabilitiesAndKeptTerm<TLanes, T> : IElementSource<TLanes, T>
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        public static bool ReadsLogits => false;

        public static bool ReadsProbabilities => true;

        public static bool ReadsKeptTerm => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static (TLanes Probability, TLanes Slope) Elements<TTerm>(TLanes logit, TLanes probability, TLanes slope, TLanes t, TTerm term)
            where TTerm : struct, IPixelTerm<TLanes, T> => (probability, TTerm.SlopeFromCrossEntropy ? term.SlopeOfCrossEntropy(t, probability, slope) : slope);
    }
}
