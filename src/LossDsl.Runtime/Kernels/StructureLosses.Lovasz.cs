using System;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    /// <summary>
    /// Lovász hinge (Berman et al. 2018): the Lovász extension of the IoU loss evaluated on the hinge errors
    /// <c>max(0, 1 − x·(2t − 1))</c> of a single-channel mask, per image and then averaged over images, or over the
    /// whole batch as one set of pixels. An empty mask is well defined: the loss is the largest hinge error. Pixels a
    /// valid mask leaves out get error 0 and target 0: they rank last, where their weight multiplies 0, and add nothing
    /// to the target count, so the result equals dropping them (an image with none kept contributes 0).
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="logits">x, [N, 1, *spatial].</param>
    /// <param name="target">The mask t, same shape.</param>
    /// <param name="valid">The kept pixels, same shape, or null when every pixel is kept.</param>
    /// <param name="perImage">One Lovász extension per image (averaged) rather than one for the batch.</param>
    public static Tensor LovaszHinge(string loss, Tensor logits, Tensor target, Tensor? valid, bool perImage)
    {
        if (logits.size(1) != 1)
        {
            throw new ArgumentException($"{loss}: lovasz_hinge needs a single-channel mask (C = 1), got pred {Inputs.Shape(logits)}.", nameof(logits));
        }

        var rows = perImage ? logits.size(0) : 1;
        var x = logits.reshape(rows, -1);
        var t = target.reshape(rows, -1);
        var errors = relu(1 - x * (2 * t - 1));
        if (valid is not null)
        {
            var kept = valid.reshape(rows, -1);
            (errors, t) = (errors * kept, t * kept);
        }

        return LovaszExtension(errors, t).mean();
    }

    /// <summary>
    /// Lovász-Softmax (Berman et al. 2018): per class c, the Lovász extension of the IoU loss on the errors
    /// <c>|t_c − p_c|</c>, over the batch's pixels or each image's; then the mean over the classes counted (those
    /// present in the target, or all) and, per image, over all images. Ignored pixels are left out: their error is
    /// set to 0, which ranks them last where their weight multiplies 0, so the result equals dropping them. With every
    /// pixel ignored the value is 0 with zero gradient (no error, and with <c>present</c> no class, is left), and such
    /// an image still counts in the plain mean over the N images. An absent class counted with <c>classes: all</c>
    /// costs its largest error. Class weights replace the mean over the counted classes by <c>Σ w_c L_c / Σ w_c</c> over
    /// them (0 when their weights sum to 0), as every channel weight does.
    /// </summary>
    /// <param name="probabilities">p, [N, C, *spatial], softmax over dim 1.</param>
    /// <param name="target">One-hot labels t, same shape, all zero at ignored pixels.</param>
    /// <param name="valid">1 for kept pixels, 0 for ignored ones, [N, 1, *spatial]; null when every pixel is kept.</param>
    /// <param name="weight">Class weights [C] (<see cref="ConstantBuffers.ClassWeights"/>), or null for the plain mean.</param>
    /// <param name="presentOnly">Count only the classes present in the target (<c>classes: present</c>), else all.</param>
    /// <param name="perImage">One Lovász extension per image and class, rather than per class over the batch.</param>
    public static Tensor LovaszSoftmax(Tensor probabilities, Tensor target, Tensor? valid, Tensor? weight, bool presentOnly, bool perImage)
    {
        var errors = (target - probabilities).abs();
        if (valid is not null)
        {
            errors = errors * valid;
        }

        var n = probabilities.size(0);
        Tensor Rows(Tensor x) => perImage ? x.reshape(n, x.size(1), -1) : x.reshape(n, x.size(1), -1).transpose(0, 1).reshape(1, x.size(1), -1);
        var truth = Rows(target);
        var losses = LovaszExtension(Rows(errors), truth);

        var counted = presentOnly ? truth.sum(-1).gt(0).to_type(losses.dtype) : ones_like(losses);
        if (weight is not null)
        {
            using var classWeights = ConstantBuffers.Like(weight, losses);
            counted = counted * classWeights;
        }

        return Reductions.Ratio((losses * counted).sum(-1), counted.sum(-1)).mean();
    }

    /// <summary>
    /// The Lovász extension of the Jaccard loss for each row of <paramref name="errors"/> ([..., M], non-negative):
    /// with the errors sorted in decreasing order and the ground truth <paramref name="truth"/> in that order,
    /// <c>Σ_i e_(i)·g_i</c>, where <c>g</c> is the discrete gradient of <c>J_i = 1 − (G − Σ_{k≤i} t_k) / (G + Σ_{k≤i} (1 − t_k))</c>,
    /// <c>G = Σ t</c>: <c>g_1 = J_1</c>, <c>g_i = J_i − J_{i−1}</c>. The union is at least i, so J is defined for empty masks.
    /// </summary>
    /// <remarks>
    /// The weights g depend on the errors only through their order, which has zero derivative: so they are computed
    /// without autograd and put back in the errors' own order, and the extension is <c>Σ_j e_j·w_j</c>, whose gradient is
    /// w itself. The same value and gradient as differentiating through the sort, without recording the sort, gather,
    /// cumulative sums and products for the backward pass.
    /// </remarks>
    internal static Tensor LovaszExtension(Tensor errors, Tensor truth)
    {
        using var weights = LovaszWeights(errors, truth);
        using var weighted = errors * weights;
        return weighted.sum(-1);
    }

    /// <summary>Each error's weight g at its rank, in the errors' order; no gradient.</summary>
    private static Tensor LovaszWeights(Tensor errors, Tensor truth)
    {
        using var noGrad = no_grad();
        if (Cpu.LovaszWeightsPass.Takes(errors, truth))
        {
            return Cpu.LovaszWeightsPass.Compute(errors, truth);
        }

        var (sorted, order) = errors.sort(-1, descending: true, stable: true);
        using (sorted)
        using (order)
        {
            using var truthSorted = truth.gather(-1, order);
            using var positives = truthSorted.sum(-1, keepdim: true);
            using var intersection = positives - truthSorted.cumsum(-1);
            using var union = positives + (1 - truthSorted).cumsum(-1);
            using var jaccard = 1 - intersection / union;
            var count = jaccard.size(-1);
            using var gradient = cat(new[] { jaccard.narrow(-1, 0, 1), jaccard.narrow(-1, 1, count - 1) - jaccard.narrow(-1, 0, count - 1) }, -1);
            using var empty = zeros_like(errors);
            return empty.scatter(-1, order, gradient);
        }
    }
}
