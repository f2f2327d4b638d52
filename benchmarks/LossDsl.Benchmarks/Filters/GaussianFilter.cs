namespace LossDsl.Benchmarks.Filters;

/// <summary>
/// Exact formulations of SSIM's Gaussian filter: every channel of [N, C, H, W] filtered with the 2-D window <c>w wᵀ</c>
/// (w the odd 1-D window, size k = 2h + 1), zero padding, same size. They are equal in exact arithmetic:
/// <c>Σ_a Σ_b w_a w_b x[i+a, j+b] = Σ_b w_b (Σ_a w_a x[i+a, j+b])</c>, and where j + b falls outside the image the inner
/// (column) sum reads only padding, so it is 0, which is what the row pass's zero padding supplies; a banded matrix
/// <c>B[i, k] = w[k − i + h]</c> for |k − i| ≤ h (0 elsewhere, rows cut at the borders) applies the same column sum,
/// with the out-of-image terms dropped rather than multiplied by 0.
/// </summary>
public enum GaussianFilter
{
    /// <summary>One depthwise conv2d with the k x k window (what pytorch_ssim does).</summary>
    Conv2d,

    /// <summary>A k x 1 then a 1 x k depthwise conv2d, channels as groups (what the LossDsl kernel does).</summary>
    SeparableGrouped,

    /// <summary>The same two passes with the channels folded into the batch: [N·C, 1, H, W], an ordinary conv2d.</summary>
    SeparableFolded,

    /// <summary>Two products with banded matrices: <c>B_H · X · B_Wᵀ</c> (batched matmul over N and C).</summary>
    BandedMatrices,
}
