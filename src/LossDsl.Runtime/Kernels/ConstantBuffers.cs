using System;
using System.ComponentModel;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Constant tensors a loss builds once, in its constructor, and keeps as module buffers (so <c>module.to(...)</c>
/// moves them). They are detached from any dispose scope: they live as long as the module, which disposes them.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ConstantBuffers
{
    /// <summary>
    /// The 1-D Gaussian window <c>g_i ∝ exp(−(i − size/2)² / (2σ²))</c>, i = 0 .. size−1, normalised to sum 1, in float64
    /// (kernels convert it to the input's dtype). Its outer product with itself is SSIM's 2-D window.
    /// </summary>
    /// <param name="size">Odd window size.</param>
    /// <param name="sigma">Standard deviation, in pixels.</param>
    public static Tensor GaussianWindow(int size, double sigma)
    {
        if (size < 1 || size % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A Gaussian window needs an odd size.");
        }

        if (!(sigma > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "A Gaussian window needs sigma > 0.");
        }

        var center = size / 2;
        var weights = Enumerable.Range(0, size).Select(i => Math.Exp(-((i - center) * (i - center)) / (2 * sigma * sigma))).ToArray();
        var sum = weights.Sum();
        return tensor(weights.Select(w => w / sum).ToArray(), dtype: ScalarType.Float64).DetachFromDisposeScope();
    }

    /// <summary>Class weights <c>w_0 .. w_{C−1}</c> of a term, in float64 (kernels convert them to the input's dtype).</summary>
    /// <param name="values">One weight per class, as the loss text lists them.</param>
    public static Tensor ClassWeights(double[] values) => tensor(values, dtype: ScalarType.Float64).DetachFromDisposeScope();

    /// <summary>A buffer in <paramref name="like"/>'s dtype and device: the buffer itself when they already match.</summary>
    internal static Tensor Like(Tensor buffer, Tensor like) =>
        buffer.dtype == like.dtype && buffer.device_type == like.device_type && buffer.device_index == like.device_index
            ? buffer.alias()
            : buffer.to(like.dtype, like.device);
}
