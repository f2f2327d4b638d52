using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Kernels.Cpu;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// <c>TP = Σ s·σ(x)·t</c> and <c>P = Σ s·σ(x)</c> of a mask on logits (s: an element scale, 1 without maps), and
/// optionally one pixel term summed over every element times the same scale (<see cref="SigmoidPixelSum"/>: the binary
/// cross-entropy <c>Σ s·(w·t·softplus(−x) + (1 − t)·softplus(x))</c>, or mask focal), as one autograd node with its
/// gradient written out: <c>∂/∂x = s·(σ'(x)·(g_TP·t + g_P) + g_ℓ·∂ℓ/∂x)</c>, σ' = p(1 − p), the incoming gradients broadcast over the reduced
/// dims; bce's <c>∂ℓ/∂x = p(1 + (w − 1)t) − w·t</c>, focal's as in <see cref="BinaryFocalFunction"/>. Autograd would
/// record the sigmoid, the product, the sums and the cross-entropy (saving p and t), then replay them backwards; this
/// node records nothing in its forward pass, keeps no full-size tensor of its own (it recomputes σ(x) in the backward
/// pass from the logits autograd keeps anyway), and writes the whole gradient into one buffer. Contiguous float32/float64
/// CPU tensors go further (<see cref="Cpu.SigmoidStatisticsPass"/>): one read of x and t forward, one read and one write
/// of the gradient backward; when a backward pass will follow, the forward pass also writes p into the buffer that the
/// backward pass then overwrites with the gradient (<see cref="KeptForBackward"/>), so that backward computes no
/// exponential, and focal's ce into a second one (its slope, with a fractional γ; its slope alone where TP and P take
/// no gradient: focal alone).
/// </summary>
internal sealed class SigmoidStatistics : autograd.SingleTensorFunction<SigmoidStatistics>
{
    // Made once: a Scalar is native memory that dispose scopes do not track.
    private static readonly TorchSharp.Scalar MinusOne = -1.0;

    /// <inheritdoc/>
    public override string Name => nameof(SigmoidStatistics);

    /// <summary>
    /// TP, P and T = Σ s·t summed over <paramref name="reduce"/>, the pixel term's sum when there is one (else null), and
    /// the values of the region terms the node evaluated from them. T takes no gradient; it is here so that the one-pass
    /// kernel reads the target once.
    /// </summary>
    /// <param name="logits">x.</param>
    /// <param name="target">The mask t, x's shape.</param>
    /// <param name="reduce">The dims TP and P are summed over.</param>
    /// <param name="pixelSum">The pixel term to sum over every element too, if any.</param>
    /// <param name="positiveWeight">bce's w as a scalar tensor, or null for 1.</param>
    /// <param name="scale">
    /// Each element's factor in TP, P, T and the pixel term (a pixel weight map times the kept pixels, or the kept
    /// pixels), broadcasting to the logits, or null for 1.
    /// </param>
    /// <param name="regionTerms">
    /// The overlap terms to evaluate from the statistics in this node, or null: the one-pass kernel evaluates those whose
    /// class weights it can read, the torch-operation path none.
    /// </param>
    /// <param name="checkValuesOf">
    /// The loss whose value checks the node makes (that the logits are finite and the mask in [0, 1], with
    /// <see cref="Inputs"/>' messages), or null for none: the one-pass kernel from the values it reads anyway, the
    /// torch-operation path by <see cref="Inputs.CheckFinite"/> and <see cref="Inputs.CheckMaskValues"/> first.
    /// </param>
    /// <param name="statisticsRead">
    /// Whether the caller reads TP and P (not so for a pixel term alone, which disposes them): without, the one-pass
    /// kernel keeps focal's slope alone for the backward pass, one full-size tensor instead of two.
    /// </param>
    public static (Tensor TruePositive, Tensor Predicted, Tensor Target, Tensor? PixelSum, (RegionTerm Term, Tensor Value)[] Evaluated) Compute(
        Tensor logits, Tensor target, long[] reduce, SigmoidPixelSum pixelSum, Tensor? positiveWeight, Tensor? scale = null, RegionTerm[]? regionTerms = null,
        string? checkValuesOf = null, bool statisticsRead = true)
    {
        // Values are kept for the backward pass only when there will be one.
        var keep = is_grad_enabled() && logits.requires_grad;
        var hostable = EvaluatedRegionTerms.Hostable(regionTerms, logits.size(1));
        using var all = apply(logits, target, reduce, pixelSum, positiveWeight!, scale!, keep, hostable, checkValuesOf!, statisticsRead || hostable.Length > 0, null!,
            FusedRows(logits, target, scale, reduce, positiveWeight)!);
        var (truePositive, predicted, targetSum, sum, values) = StatisticsOutputs.Split(all, StatisticShape(logits, reduce), pixelSum.Term != SigmoidPixelTerm.None);
        return (truePositive, predicted, targetSum, sum, EvaluatedRegionTerms.Pair(hostable, values));
    }

    /// <summary>
    /// The loss itself, <paramref name="total"/> of what <see cref="Compute"/> returns (the pixel term's mean over every
    /// element and the values of <paramref name="regionTerms"/>, each times its factor), as one scalar from this one node:
    /// no split, views or arithmetic after it, forward or backward, where each costs libtorch's dispatch and an autograd
    /// node. Null where the one-pass kernel does not take these tensors or cannot evaluate every one of the terms (class
    /// weights it cannot read): the caller then evaluates the terms from <see cref="Compute"/>.
    /// </summary>
    /// <param name="logits">x.</param>
    /// <param name="target">The mask t, x's shape.</param>
    /// <param name="reduce">The dims TP and P are summed over.</param>
    /// <param name="pixelSum">The pixel term to sum over every element too, if any.</param>
    /// <param name="positiveWeight">bce's w as a scalar tensor, or null for 1.</param>
    /// <param name="regionTerms">The overlap terms the total reads, in the order of <see cref="LinearTotal.RegionTermFactors"/>.</param>
    /// <param name="total">How the total weighs the pixel term's mean and the terms.</param>
    /// <param name="checkValuesOf">The loss whose value checks the node makes, or null for none, as for <see cref="Compute"/>.</param>
    public static Tensor? Total(Tensor logits, Tensor target, long[] reduce, SigmoidPixelSum pixelSum, Tensor? positiveWeight, RegionTerm[] regionTerms, LinearTotal total,
        string? checkValuesOf)
    {
        total.CheckFactorsOf(regionTerms);
        var hostable = EvaluatedRegionTerms.Hostable(regionTerms, logits.size(1));
        if (hostable.Length != regionTerms.Length || FusedRows(logits, target, null, reduce, positiveWeight) is not { } rows)
        {
            return null;
        }

        var keep = is_grad_enabled() && logits.requires_grad;
        return apply(logits, target, reduce, pixelSum, positiveWeight!, null!, keep, hostable, checkValuesOf!, hostable.Length > 0, total, rows);
    }

    /// <summary>
    /// Arguments: logits and target (tensors of one shape), the dims to sum over (long[]), the pixel term to sum
    /// (<see cref="SigmoidPixelSum"/>), bce's positive weight (a scalar tensor, or null for 1), the element scale (or
    /// null), whether the one-pass kernel may keep values for the backward pass (bool) and the region terms it evaluates
    /// (from <see cref="EvaluatedRegionTerms.Hostable"/>), the loss whose values it checks (or null), and whether TP and P
    /// may take gradients (bool: the one-pass kernel keeps p for them), the total to return instead (a
    /// <see cref="LinearTotal"/>, one-pass kernel only; or null), and the one-pass kernel's rows (<see cref="FusedRows"/>,
    /// decided by the caller: null for the torch-operation path). Returns TP, P, T (flattened), the pixel term's sum and,
    /// from the one-pass kernel, the terms' values, concatenated; or with a total that scalar alone.
    /// </summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (logits, target, reduce, pixelSum, positiveWeight) = ((Tensor)vars[0], (Tensor)vars[1], (long[])vars[2], (SigmoidPixelSum)vars[3], (Tensor?)vars[4]);
        var (scale, keep, terms, checkValuesOf, statisticsTakeGradients) = ((Tensor?)vars[5], (bool)vars[6], ((RegionTerm Term, double[]? Weights)[])vars[7], (string?)vars[8], (bool)vars[9]);
        var (total, fusedRows) = ((LinearTotal?)vars[10], (CpuRows?)vars[11]);
        ctx.save_data("reduce", reduce);
        ctx.save_data("pixelSum", pixelSum);
        // The backward pass takes the path the forward pass took.
        ctx.save_data("rows", fusedRows!);

        using var noGrad = no_grad();
        if (fusedRows is { } rows)
        {
            var (sums, probabilities, keptTerm, maskInSign) = SigmoidStatisticsPass.Forward(rows, logits, target, scale, pixelSum, positiveWeight?.ToDouble() ?? 1.0, keep, checkValuesOf is not null, statisticsTakeGradients);
            if (checkValuesOf is not null)
            {
                // The pass's two check sums are exactly 0 when every value passes (a NaN is not 0); otherwise the checks
                // themselves say how not.
                var (notFinite, outsideUnit) = (sums[^2], sums[^1]);
                if (notFinite != 0)
                {
                    Inputs.CheckFinite(checkValuesOf, logits);
                }

                if (outsideUnit != 0)
                {
                    Inputs.CheckMaskValues(checkValuesOf, target);
                }

                sums = sums[..^SigmoidStatisticsPass.ValueChecks];
            }

            // Saved when forward returns, so the tensors stay undisposed until then (the caller's scope takes them).
            SavedTensors.Save(ctx, logits, target, positiveWeight, scale, probabilities, keptTerm);
            ctx.save_data("kept", new KeptForBackward(probabilities is not null || keptTerm is not null));
            ctx.save_data("maskInSign", maskInSign ?? Array.Empty<bool>());
            var shape = StatisticShape(logits, reduce);
            var evaluated = EvaluatedRegionTerms.Evaluate(terms, sums, (int)shape.Aggregate(1L, (a, b) => a * b), (int)logits.size(1));
            ctx.save_data("terms", evaluated);
            return LinearTotal.NodeOutput(ctx, total, evaluated, sums, pixelSum.Term != SigmoidPixelTerm.None, logits.numel(), logits.dtype);
        }

        if (total is not null)
        {
            throw new InvalidOperationException("A total comes from the one-pass kernel only; Total returns null for tensors it does not take.");
        }

        if (checkValuesOf is not null)
        {
            Inputs.CheckFinite(checkValuesOf, logits);
            Inputs.CheckMaskValues(checkValuesOf, target);
        }

        SavedTensors.Save(ctx, logits, target, positiveWeight, scale);

        using var p = logits.sigmoid();
        // The pixel term first: focal reads p before the scale multiplies it.
        using var termSum = PixelTermSum(logits, target, p, pixelSum, positiveWeight, scale);
        if (scale is not null)
        {
            p.mul_(scale);
        }

        using var truePositive = RegionStatistics.SumOfProducts(p, target, reduce);
        using var predicted = RegionStatistics.SumOver(p, reduce);
        using var keptTarget = Reductions.Kept(target, scale);
        using var targetSum = RegionStatistics.SumOver(keptTarget, reduce);
        var parts = new List<Tensor> { truePositive.reshape(-1), predicted.reshape(-1), targetSum.reshape(-1) };
        if (termSum is not null)
        {
            parts.Add(termSum.reshape(1));
        }

        var all = cat(parts, 0);
        parts.ForEach(part => part.Dispose());
        return all;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = SavedTensors.Restore(ctx);
        var (logits, target, positiveWeight, scale) = (saved[0]!, saved[1]!, saved[2], saved[3]);
        var reduce = (long[])ctx.get_data("reduce");
        var pixelSum = (SigmoidPixelSum)ctx.get_data("pixelSum");
        var withSum = pixelSum.Term != SigmoidPixelTerm.None;
        var shape = StatisticShape(logits, reduce);
        var size = shape.Aggregate(1L, (a, b) => a * b);
        if (ctx.get_data("rows") is CpuRows rows)
        {
            var grads = LinearTotal.OutputGradients(ctx, grad_output);
            var (probabilities, keptTerm) = ((KeptForBackward)ctx.get_data("kept")).Take(saved[4], saved[5]);
            var (statisticTruePositiveGrad, statisticPredictedGrad) = (grads[..(int)size], grads[(int)size..(int)(2 * size)]);
            ((EvaluatedRegionTerms)ctx.get_data("terms")).AddSlopes(grads.AsSpan((int)(3 * size) + (withSum ? 1 : 0)), statisticTruePositiveGrad, statisticPredictedGrad);
            var fused = SigmoidStatisticsPass.Backward(rows, logits, target, scale, statisticTruePositiveGrad, statisticPredictedGrad,
                pixelSum, withSum ? grads[3 * size] : 0.0, positiveWeight?.ToDouble() ?? 1.0, probabilities, keptTerm, (bool[])ctx.get_data("maskInSign"));
            return new List<Tensor> { fused, null!, null!, null!, null!, null!, null!, null!, null!, null!, null!, null! };
        }

        // The statistics' gradients, shaped to broadcast over the dims they were summed over.
        using var truePositiveGrad = Unreduce(grad_output.narrow(0, 0, size).view(shape), reduce);
        using var predictedGrad = Unreduce(grad_output.narrow(0, size, size).view(shape), reduce);
        var gradient = target.mul(truePositiveGrad).add_(predictedGrad);
        using var p = logits.sigmoid();
        gradient.mul_(p);
        // From here on the buffer holds 1 − p: no second full-size temporary.
        var notP = p.neg_().add_(1);
        gradient.mul_(notP);
        if (pixelSum.Term == SigmoidPixelTerm.Focal)
        {
            using var crossEntropy = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
            using var probability = notP.neg().add_(1);
            using var notPt = PixelLosses.OneMinusPt(probability, target);
            using var focalGrad = BinaryFocalFunction.ElementGradient(target, probability, crossEntropy, notPt, pixelSum.Alpha, pixelSum.Gamma);
            using var pixelSumGrad = grad_output[3 * size];
            using var channelWeights = ChannelWeights(logits, pixelSum);
            if (channelWeights is not null)
            {
                focalGrad.mul_(channelWeights);
            }

            gradient.add_(focalGrad.mul_(pixelSumGrad));
        }
        else if (pixelSum.Term == SigmoidPixelTerm.CrossEntropy)
        {
            // g_CE·(p(1 + (w − 1)t) − w·t) = g_CE·(1 − t − (1 − p)(1 + (w − 1)t)), added in place (w = 1: g_CE·(p − t)).
            using var crossEntropyGrad = grad_output[3 * size];
            if (positiveWeight is not null)
            {
                using var positiveFactor = target.mul(positiveWeight - 1).add_(1);
                notP.mul_(positiveFactor);
            }

            gradient.addcmul_(notP, crossEntropyGrad, MinusOne).add_(crossEntropyGrad).addcmul_(target, crossEntropyGrad, MinusOne);
        }

        // The scale multiplies every part, the pixel term's too.
        if (scale is not null)
        {
            gradient.mul_(scale);
        }

        // One entry per forward argument: only the logits get a gradient.
        return new List<Tensor> { gradient, null!, null!, null!, null!, null!, null!, null!, null!, null!, null!, null! };
    }

    // The pixel term's sum over every element, each times its scale (torchvision's focal, libtorch's BCE-with-logits with
    // element weights); null without a term.
    private static Tensor? PixelTermSum(Tensor logits, Tensor target, Tensor probabilities, SigmoidPixelSum pixelSum, Tensor? positiveWeight, Tensor? scale)
    {
        switch (pixelSum.Term)
        {
            case SigmoidPixelTerm.CrossEntropy:
            {
                using var elementWeight = scale?.expand_as(logits);
                return nn.functional.binary_cross_entropy_with_logits(logits, target, weight: elementWeight, pos_weights: positiveWeight, reduction: nn.Reduction.Sum);
            }

            case SigmoidPixelTerm.Focal:
            {
                using var crossEntropy = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
                using var focal = PixelLosses.FocalElements(probabilities, target, crossEntropy, pixelSum.Alpha, pixelSum.Gamma);
                using var kept = Reductions.Kept(focal, scale);
                using var channelWeights = ChannelWeights(logits, pixelSum);
                using var weighed = Reductions.Kept(kept, channelWeights);
                return weighed.sum();
            }

            default:
                return null;
        }
    }

    // Focal's channel weights shaped [1, C, 1, ...] to broadcast over the logits, or null without them.
    private static Tensor? ChannelWeights(Tensor logits, SigmoidPixelSum pixelSum)
    {
        if (pixelSum.ChannelWeights is not { } weights)
        {
            return null;
        }

        using var numbers = tensor(weights);
        return PixelLosses.ClassWeights(numbers, logits);
    }

    // The one-pass CPU kernel's rows when it takes these tensors (a scalar positive weight among them); null for the
    // torch-operation path.
    private static CpuRows? FusedRows(Tensor logits, Tensor target, Tensor? scale, long[] reduce, Tensor? positiveWeight) =>
        positiveWeight is null || positiveWeight.numel() == 1 ? CpuRows.Of(logits, target, scale, reduce) : null;

    // The shape of TP and P: the input's shape without the reduced dims.
    private static long[] StatisticShape(Tensor input, long[] reduce) =>
        input.shape.Where((_, dim) => !reduce.Contains(dim)).ToArray();

    private static Tensor Unreduce(Tensor statistic, long[] reduce) =>
        reduce.Aggregate(statistic.alias(), (shaped, dim) =>
        {
            using (shaped)
            {
                return shaped.unsqueeze(dim);
            }
        });
}
