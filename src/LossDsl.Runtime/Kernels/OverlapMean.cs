using System.Collections.Generic;
using System.Linq;
using LossDsl.Kernels.Cpu;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// An overlap loss (<see cref="OverlapForm"/>: dice, iou, tversky) over its channels, from TP, P and T on the CPU, as
/// one autograd node with its gradient written out: the per-channel losses, the channel mean (class weights
/// <c>Σ w_c L_c / Σ w_c</c>, 0 when the weights sum to 0; without the background channel 0 is left out) and the mean
/// over images when the statistics are per image ([N, C]). The torch operations it replaces are a dozen steps on a few
/// numbers, each a dispatch forward and a node backward (about 50 µs a term, a step's whole tail for small losses);
/// other devices keep them (reading their statistics here would wait on the device).
/// </summary>
internal sealed class OverlapMean : autograd.SingleTensorFunction<OverlapMean>
{
    /// <inheritdoc/>
    public override string Name => nameof(OverlapMean);

    /// <summary>
    /// The loss of <paramref name="form"/> averaged over the channels (and images), or null when the statistics are not
    /// float32/float64 CPU tensors of one shape ([C] or [N, C]) or the weights not a CPU tensor of one weight per
    /// channel: the caller takes the torch operations.
    /// </summary>
    public static Tensor? TryCompute(Tensor truePositive, Tensor predicted, Tensor target, OverlapForm form, Tensor? weight, bool includeBackground)
    {
        var onCpu = new[] { truePositive, predicted, target }.All(t => t.device_type == TorchSharp.DeviceType.CPU && t.dtype == truePositive.dtype && t.shape.SequenceEqual(truePositive.shape));
        if (!onCpu || truePositive.dtype is not (ScalarType.Float32 or ScalarType.Float64) || truePositive.dim() is not (1 or 2)
            || !CpuValues.TryReadClassWeights(weight, truePositive.size(-1), out var classWeights))
        {
            return null;
        }

        return apply(truePositive, predicted, target, form, classWeights, includeBackground);
    }

    /// <summary>Arguments: TP, P and T, the <see cref="OverlapForm"/>, the class weights (double[] or null) and whether channel 0 counts.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (truePositive, predicted, target, form, weights, includeBackground) =
            ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (OverlapForm)vars[3], (double[]?)vars[4], (bool)vars[5]);
        var channels = truePositive.size(-1);
        var (loss, truePositiveGrad, predictedGrad) = Evaluate(CpuValues.Read(truePositive), CpuValues.Read(predicted), CpuValues.Read(target), (int)channels, form, weights, includeBackground);
        ctx.save_data("truePositiveGrad", truePositiveGrad);
        ctx.save_data("predictedGrad", predictedGrad);
        ctx.save_data("shape", truePositive.shape);
        return CpuValues.Write(new[] { loss }, truePositive.dtype);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var incoming = CpuValues.Read(grad_output)[0];
        var shape = (long[])ctx.get_data("shape");
        Tensor Scaled(double[] slopes) => CpuValues.Write(slopes.Select(slope => slope * incoming).ToArray(), grad_output.dtype, shape);

        // T is a sum of the target: no gradient.
        return new List<Tensor> { Scaled((double[])ctx.get_data("truePositiveGrad")), Scaled((double[])ctx.get_data("predictedGrad")), null!, null!, null!, null! };
    }

    /// <summary>
    /// The mean loss and its derivatives with respect to each TP and P: rows are images (one row without per-image sums).
    /// Also what a statistics node computes for the terms it evaluates (<see cref="RegionTerm"/>).
    /// </summary>
    internal static (double Loss, double[] TruePositiveGrad, double[] PredictedGrad) Evaluate(
        System.ReadOnlySpan<double> truePositive, System.ReadOnlySpan<double> predicted, System.ReadOnlySpan<double> target, int channels, OverlapForm form, double[]? weights,
        bool includeBackground)
    {
        if (!includeBackground && channels < 2)
        {
            throw new System.ArgumentException("include_background: false leaves no channel: pred has one channel, which is a foreground class.", "includeBackground");
        }

        var rows = truePositive.Length / channels;
        var first = includeBackground ? 0 : 1;
        // Each kept channel's share of its row's mean: w_c / Σ w, or 1 / C'. Weights summing to 0 make every row 0 with
        // no gradient (a 0/0 the torch path guards); a channel of weight 0 still counts, so that a NaN in it is not lost.
        var weightSum = weights is null ? channels - first : weights.Skip(first).Sum();
        if (weightSum == 0)
        {
            return (0, new double[truePositive.Length], new double[truePositive.Length]);
        }

        var shares = Enumerable.Range(0, channels).Select(c => (weights?[c] ?? 1) / weightSum / rows).ToArray();
        var (truePositiveGrad, predictedGrad) = (new double[truePositive.Length], new double[truePositive.Length]);
        var loss = 0.0;
        for (var i = 0; i < truePositive.Length; i++)
        {
            if (i % channels < first)
            {
                continue;
            }

            var share = shares[i % channels];
            var (channelLoss, truePositiveSlope, predictedSlope) = form.Of(truePositive[i], predicted[i], target[i]);
            loss += share * channelLoss;
            (truePositiveGrad[i], predictedGrad[i]) = (share * truePositiveSlope, share * predictedSlope);
        }

        return (loss, truePositiveGrad, predictedGrad);
    }
}
