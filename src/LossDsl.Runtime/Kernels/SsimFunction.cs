using System.Collections.Generic;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// The mean of an SSIM map per image and channel, as one autograd node with its gradient written out; ssim's and each
/// scale of ms_ssim's. With G the zero-padded Gaussian filter, μx = G(x), μy = G(y), A1 = 2μxμy + C1,
/// A2 = 2(G(xy) − μxμy) + C2, B1 = μx² + μy² + C1, B2 = G(x²) − μx² + G(y²) − μy² + C2 and D = B1·B2 + eps, the map
/// is S = A1·A2 / D, or without its luminance factor (ms_ssim's finer scales) the contrast-structure map A2 / (B2 + eps),
/// which is the same with A1 = B1 = 1 held constant. Its slopes with respect to the three filtered maps that hold x are
/// <c>∂S/∂μx = 2(μy(A2 − A1) − μx·S·(B2 − B1)) / D</c> (without luminance <c>2(μx·S − μy) / D</c>),
/// <c>∂S/∂G(x²) = −S·B1 / D</c> and <c>∂S/∂G(xy) = 2A1 / D</c>; y's are the same with the roles swapped
/// (∂S/∂G(y²) is x²'s). G is linear and its own adjoint (a symmetric window, zero padding), so
/// <c>∂mean/∂x = (G(∂S/∂μx) + 2x·G(∂S/∂G(x²)) + y·G(∂S/∂G(xy))) / M</c> over the M positions the mean keeps, the
/// slopes 0 on a border it leaves out. The forward pass computes the slopes while it has every filtered map and keeps
/// only them (three maps, four when the target takes a gradient); the backward pass filters them and adds. Autograd
/// through the formula kept about twenty map-sized tensors and filtered five maps backwards.
/// </summary>
internal sealed class SsimFunction : autograd.SingleTensorFunction<SsimFunction>
{
    /// <inheritdoc/>
    public override string Name => nameof(SsimFunction);

    /// <summary>
    /// Arguments: x and y (tensors of one shape, [N, C, H, W] or [N, C, D, H, W]; padded already when the border is
    /// reflected), the 1-D window in x's dtype and device (symmetric, as every Gaussian window is), C1, C2 and eps
    /// (double), the border (long) each spatial side of the map leaves out of the mean (0 for none), whether a backward
    /// pass will follow (bool), which the slopes are computed for, and whether the map has its luminance factor (bool).
    /// Returns the map's mean over the kept positions, [N, C].
    /// </summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, y, window) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        var (c1, c2, eps, border) = ((double)vars[3], (double)vars[4], (double)vars[5], (long)vars[6]);
        var (keep, withLuminance) = ((bool)vars[7], (bool)vars[8]);
        using var noGrad = no_grad();
        using var filter = new GaussianFilterOfShape(x, window);
        using var muX = filter.Apply(x);
        using var muY = filter.Apply(y);
        using var contrastNumerator = Filtered(x, y, filter).addcmul_(muX, muY, -1).mul_(2).add_(c2);
        var contrastDenominator = Filtered(x, x, filter).addcmul_(muX, muX, -1);
        using (var ofY = Filtered(y, y, filter))
        {
            contrastDenominator.add_(ofY).addcmul_(muY, muY, -1).add_(c2);
        }

        // A1 and B1, or nothing for a map without its luminance factor (A1 = B1 = 1).
        var luminanceNumerator = withLuminance ? muX.mul(muY).mul_(2).add_(c1) : null;
        var luminanceDenominator = withLuminance ? muX.square().addcmul_(muY, muY, 1).add_(c1) : null;
        using var reciprocal = luminanceDenominator?.mul(contrastDenominator) ?? contrastDenominator.clone();
        if (eps != 0)
        {
            reciprocal.add_(eps);
        }

        reciprocal.reciprocal_();
        using var ssim = contrastNumerator.mul(reciprocal);
        if (luminanceNumerator is not null)
        {
            ssim.mul_(luminanceNumerator);
        }

        using var kept = StructureLosses.WithoutBorder(ssim, border);
        using var flat = kept.flatten(2);
        if (keep)
        {
            // y's slope first: x's is written over B2, which y's reads. The slopes are saved when forward returns, so they
            // stay undisposed until then (the caller's scope takes them).
            var ofMuY = y.requires_grad ? SlopeOfMean(contrastDenominator.clone(), muY, muX, luminanceNumerator, contrastNumerator, luminanceDenominator, ssim, reciprocal) : null;
            var ofMuX = SlopeOfMean(contrastDenominator, muX, muY, luminanceNumerator, contrastNumerator, luminanceDenominator, ssim, reciprocal);
            // ∂S/∂G(x²) = −S·B1/D over B1, ∂S/∂G(xy) = 2A1/D over A1 (new maps without luminance).
            var ofSquares = (luminanceDenominator?.mul_(ssim) ?? ssim.clone()).mul_(reciprocal).neg_();
            var ofProduct = (luminanceNumerator?.mul_(reciprocal) ?? reciprocal.clone()).mul_(2);
            foreach (var slope in new[] { ofMuX, ofMuY, ofSquares, ofProduct })
            {
                ZeroBorder(slope, border);
            }

            SavedTensors.Save(ctx, x, y, window, ofMuX, ofMuY, ofSquares, ofProduct);
            ctx.save_data("kept", flat.size(-1));
        }
        else
        {
            luminanceNumerator?.Dispose();
            luminanceDenominator?.Dispose();
            contrastDenominator.Dispose();
        }

        return flat.mean(new long[] { -1 });
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = SavedTensors.Restore(ctx);
        var (x, y, window) = (saved[0]!, saved[1]!, saved[2]!);
        var (ofMuX, ofMuY, ofSquares, ofProduct) = (saved[3]!, saved[4], saved[5]!, saved[6]!);
        // Each image and channel's incoming gradient over its M kept positions, shaped to broadcast over the map.
        var broadcast = new long[x.dim()];
        System.Array.Fill(broadcast, 1L);
        (broadcast[0], broadcast[1]) = (x.size(0), x.size(1));
        using var shaped = grad_output.reshape(broadcast);
        using var scale = shaped.div((long)ctx.get_data("kept"));
        using var filter = new GaussianFilterOfShape(x, window);
        using var squares = filter.Apply(ofSquares);
        using var product = filter.Apply(ofProduct);
        // (G(∂S/∂μ) + 2a·G(∂S/∂G(a²)) + b·G(∂S/∂G(ab)))·scale, for image a beside image b.
        Tensor GradientOf(Tensor ofMean, Tensor a, Tensor b) =>
            filter.Apply(ofMean).addcmul_(a, squares, 2).addcmul_(b, product, 1).mul_(scale);

        var gradX = GradientOf(ofMuX, x, y);
        var gradY = ofMuY is null ? null : GradientOf(ofMuY, y, x);
        return new List<Tensor> { gradX, gradY!, null!, null!, null!, null!, null!, null!, null! };
    }

    // G(a·b): the filtered product of two maps.
    private static Tensor Filtered(Tensor a, Tensor b, GaussianFilterOfShape filter)
    {
        using var product = a.mul(b);
        return filter.Apply(product);
    }

    // ∂S/∂μ of one image's local mean μ, beside the other's ν, written over `into` (a map the caller hands over):
    // 2((B1 − B2)·μ·S + (A2 − A1)·ν) / D, or without luminance 2(μ·S − ν) / D.
    private static Tensor SlopeOfMean(
        Tensor into, Tensor mu, Tensor nu, Tensor? luminanceNumerator, Tensor contrastNumerator, Tensor? luminanceDenominator, Tensor ssim, Tensor reciprocal)
    {
        if (luminanceNumerator is null || luminanceDenominator is null)
        {
            return into.copy_(mu).mul_(ssim).sub_(nu).mul_(reciprocal).mul_(2);
        }

        return into.neg_().add_(luminanceDenominator).mul_(mu).mul_(ssim)
            .addcmul_(contrastNumerator, nu, 1).addcmul_(luminanceNumerator, nu, -1).mul_(reciprocal).mul_(2);
    }

    // The positions the mean leaves out take no gradient.
    private static void ZeroBorder(Tensor? map, long border)
    {
        if (map is null || border == 0)
        {
            return;
        }

        for (var dim = 2; dim < map.dim(); dim++)
        {
            var size = map.size(dim);
            using var before = map.narrow(dim, 0, border);
            before.zero_();
            using var after = map.narrow(dim, size - border, border);
            after.zero_();
        }
    }
}
