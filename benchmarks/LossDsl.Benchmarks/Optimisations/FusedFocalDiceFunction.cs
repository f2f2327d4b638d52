using LossDsl.Kernels;
using LossDsl.Kernels.Cpu;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Optimisations;

/// <summary>
/// <c>focal + dice</c> (α 0.25, γ 2, smooth 1) on contiguous CPU logits and a mask as one autograd node around the same
/// fused passes the generated module runs (<see cref="SigmoidStatisticsPass"/>), returning the total itself: what the
/// generated module's step would cost if its statistics node returned the loss rather than TP, P, T and focal's sum
/// that a split, views, a division, a product and a sum then combine (each an operation forward and an autograd node
/// backward). Sizes the next step of issue 18 (docs/performance.md, "A sixth session"); not a general kernel (one
/// shape of plan, CPU only), and checked against the generated module by <c>--check</c>.
/// </summary>
public sealed class FusedFocalDiceFunction : autograd.SingleTensorFunction<FusedFocalDiceFunction>
{
    private static readonly SigmoidPixelSum Focal = SigmoidPixelSum.Focal(0.25, 2.0);

    /// <inheritdoc/>
    public override string Name => nameof(FusedFocalDiceFunction);

    /// <summary>Arguments: logits and the mask, contiguous CPU tensors of one shape [N, 1, H, W].</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, t) = ((Tensor)vars[0], (Tensor)vars[1]);
        var rows = CpuRows.Of(x, t, null, new long[] { 0, 2, 3 }) ?? throw new ArgumentException("The fused passes do not take these tensors.");
        using var noGrad = no_grad();
        var (sums, probabilities, slopes, maskInSign) = SigmoidStatisticsPass.Forward(rows, x, t, null, Focal, 1.0, keep: true);
        var (truePositive, predicted, targetSum, focalSum) = (sums[0], sums[1], sums[2], sums[3]);
        var (count, denominator) = ((double)x.numel(), predicted + targetSum + 1);
        var loss = (focalSum / count) + 1 - (((2 * truePositive) + 1) / denominator);
        ctx.save_for_backward(new List<Tensor> { x, t, probabilities!, slopes! });
        // ∂loss/∂TP, ∂loss/∂P and ∂loss/∂(focal's sum).
        ctx.save_data("grads", new[] { -2 / denominator, ((2 * truePositive) + 1) / (denominator * denominator), 1 / count });
        ctx.save_data("rows", rows);
        ctx.save_data("maskInSign", maskInSign!);
        return CpuValues.Write(new[] { loss }, x.dtype);
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var grads = (double[])ctx.get_data("grads");
        var incoming = CpuValues.Read(grad_output)[0];
        var gradient = SigmoidStatisticsPass.Backward((CpuRows)ctx.get_data("rows"), saved[0], saved[1], null, new[] { grads[0] * incoming }, new[] { grads[1] * incoming },
            Focal, grads[2] * incoming, 1.0, saved[2], saved[3], (bool[])ctx.get_data("maskInSign"));
        return new List<Tensor> { gradient, null! };
    }
}
