using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Kernels.Cpu;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// The statistics of class indices on logits, with p = softmax(x) over dim 1 and v the kept pixels: <c>TP_c = Σ v·p_c·[y = c]</c>,
/// <c>P_c = Σ v·p_c</c>, <c>T_c = Σ v·[y = c]</c>, and one pixel term summed (<see cref="LabelPixelSum"/>: the
/// cross-entropy <c>Σ v·(−log p_y)</c> or focal <c>Σ v·(1 − p_y)^γ·(−log p_y)</c>, with class weights and ce's label
/// smoothing), as one autograd node whose gradient is written out (<see cref="SoftmaxStatisticsPass"/>). Only the one-pass CPU kernel computes it:
/// <see cref="RegionStatistics.ComputeFromLabelsWithCrossEntropy"/> and <see cref="RegionStatistics.ComputeFromLabelsWithFocal"/>
/// compose the softmax, the statistics and the term's kernels for every tensor <see cref="CpuRows.OfLabels"/> refuses.
/// When a backward pass will follow, the forward pass keeps p in the buffer that the backward pass overwrites with the
/// gradient (<see cref="KeptForBackward"/>), and for focal, whose gradient reads −log p_y, that too per pixel.
/// </summary>
internal sealed class SoftmaxStatistics : autograd.SingleTensorFunction<SoftmaxStatistics>
{
    /// <inheritdoc/>
    public override string Name => nameof(SoftmaxStatistics);

    /// <summary>
    /// TP, P and T ([C], or [N, C] per image; T takes no gradient), the pixel term's sum, and the values of the region
    /// terms (null for none) the node evaluated from them: those whose class weights it can read. With
    /// <paramref name="checkValuesOf"/> (the loss's name) the pass also checks that the logits are finite, with
    /// <see cref="Inputs.CheckFinite"/>' message. The pass always checks that every label is a class index, with
    /// <see cref="Inputs.CheckLabelRange"/>' message for <paramref name="labelsOf"/> (the loss and its ignore index).
    /// </summary>
    public static (Tensor TruePositive, Tensor Predicted, Tensor Target, Tensor PixelSum, (RegionTerm Term, Tensor Value)[] Evaluated) Compute(
        Tensor logits, Tensor labels, Tensor? valid, CpuRows pixels, LabelPixelSum pixelSum, RegionTerm[]? regionTerms, LabelsOf labelsOf, string? checkValuesOf = null)
    {
        // p is kept for the backward pass only when there will be one.
        var keepProbabilities = is_grad_enabled() && logits.requires_grad;
        var classes = logits.size(1);
        var hostable = EvaluatedRegionTerms.Hostable(regionTerms, classes);
        using var all = apply(logits, labels, valid!, pixels, pixelSum, keepProbabilities, hostable, checkValuesOf!, labelsOf, null!);
        var (truePositive, predicted, target, sum, values) = StatisticsOutputs.Split(all, pixels.PerImage ? new[] { logits.size(0), classes } : new[] { classes }, withSum: true);
        return (truePositive, predicted, target, sum!, EvaluatedRegionTerms.Pair(hostable, values));
    }

    /// <summary>
    /// The loss itself, <paramref name="total"/> of what <see cref="Compute"/> returns (the pixel term's mean over every
    /// pixel and the values of <paramref name="regionTerms"/>, each times its factor), as one scalar from this one node, as
    /// <see cref="SigmoidStatistics.Total"/> gives it for a mask; every pixel kept. Null where the node cannot evaluate
    /// every one of the terms (class weights it cannot read): the caller then evaluates the terms from <see cref="Compute"/>.
    /// </summary>
    public static Tensor? Total(Tensor logits, Tensor labels, CpuRows pixels, LabelPixelSum pixelSum, RegionTerm[] regionTerms, LinearTotal total, LabelsOf labelsOf,
        string? checkValuesOf)
    {
        total.CheckFactorsOf(regionTerms);
        var hostable = EvaluatedRegionTerms.Hostable(regionTerms, logits.size(1));
        return hostable.Length != regionTerms.Length
            ? null
            : apply(logits, labels, null!, pixels, pixelSum, is_grad_enabled() && logits.requires_grad, hostable, checkValuesOf!, labelsOf, total);
    }

    /// <summary>
    /// Arguments: the logits, the class indices ([N, 1, *spatial], int64), the kept pixels (or null), the rows
    /// <see cref="CpuRows.OfLabels"/> gave, the pixel term (<see cref="LabelPixelSum"/>) and whether the pass may keep p for
    /// the backward pass (bool), the region terms to evaluate (from <see cref="EvaluatedRegionTerms.Hostable"/>), the
    /// loss whose logits it checks (or null), the <see cref="LabelsOf"/> for the labels' check and the total to return
    /// instead (a <see cref="LinearTotal"/>, or null). Returns TP, P, T (flattened), the pixel term's sum and the terms'
    /// values, concatenated; or with a total that scalar alone.
    /// </summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (logits, labels, valid, pixels, pixelSum) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor?)vars[2], (CpuRows)vars[3], (LabelPixelSum)vars[4]);
        var checkValuesOf = (string?)vars[7];
        var (sums, labelsInRange, probabilities, logProbabilities) = SoftmaxStatisticsPass.Forward(pixels, logits, labels, valid, pixelSum, (bool)vars[5], checkValuesOf is not null);
        if (!labelsInRange)
        {
            var labelsOf = (LabelsOf)vars[8];
            Inputs.CheckLabelRange(labelsOf.Loss, labels, logits.size(1), labelsOf.IgnoreIndex);
        }

        if (checkValuesOf is not null)
        {
            // 0 when every logit is finite, else NaN; then the check itself says how not.
            if (sums[^1] != 0)
            {
                Inputs.CheckFinite(checkValuesOf, logits);
            }

            sums = sums[..^1];
        }

        // Saved when forward returns, so the tensors stay undisposed until then (the caller's scope takes them).
        SavedTensors.Save(ctx, logits, labels, valid, probabilities, logProbabilities);
        ctx.save_data("probabilities", new KeptForBackward(probabilities is not null));
        ctx.save_data("pixels", pixels);
        ctx.save_data("pixelSum", pixelSum);
        var evaluated = EvaluatedRegionTerms.Evaluate(((RegionTerm Term, double[]? Weights)[])vars[6], sums, (int)(pixels.Statistics * logits.size(1)), (int)logits.size(1));
        ctx.save_data("terms", evaluated);
        return LinearTotal.NodeOutput(ctx, (LinearTotal?)vars[9], evaluated, sums, withSum: true, labels.numel(), logits.dtype);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = SavedTensors.Restore(ctx);
        var (logits, labels, valid) = (saved[0]!, saved[1]!, saved[2]);
        var pixels = (CpuRows)ctx.get_data("pixels");
        var size = (int)(pixels.Statistics * logits.size(1));
        var grads = LinearTotal.OutputGradients(ctx, grad_output);
        var (probabilities, logProbabilities) = ((KeptForBackward)ctx.get_data("probabilities")).Take(saved[3], saved[4]);
        var (truePositiveGrad, predictedGrad) = (grads[..size], grads[size..(2 * size)]);
        ((EvaluatedRegionTerms)ctx.get_data("terms")).AddSlopes(grads.AsSpan((3 * size) + 1), truePositiveGrad, predictedGrad);
        var gradient = SoftmaxStatisticsPass.Backward(pixels, logits, labels, valid, truePositiveGrad, predictedGrad, grads[3 * size], (LabelPixelSum)ctx.get_data("pixelSum"),
            probabilities, logProbabilities);
        // One entry per forward argument: only the logits get a gradient.
        return new List<Tensor> { gradient, null!, null!, null!, null!, null!, null!, null!, null!, null! };
    }
}
