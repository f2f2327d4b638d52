using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>Small deterministic inputs whose values are easy to reproduce anywhere (no random generator involved).</summary>
public static class FixedInputs
{
    /// <summary>Logits spread over about [−3, 3] and a mask with about a third foreground, shape [N, C, H, W].</summary>
    public static (double[] Logits, double[] Mask) Binary(int n, int c, int h, int w)
    {
        var count = n * c * h * w;
        var logits = new double[count];
        var mask = new double[count];
        for (var i = 0; i < count; i++)
        {
            logits[i] = 3 * Math.Sin(0.7 * i + 0.3);
            mask[i] = (i * 7) % 3 == 0 ? 1 : 0;
        }

        return (logits, mask);
    }

    public static Tensor ToTensor(double[] values, long[] shape, ScalarType dtype, bool requiresGrad = false) =>
        tensor(values, dtype: ScalarType.Float64).reshape(shape).to_type(dtype).requires_grad_(requiresGrad);

    // TorchSharp's accessor cannot copy out an empty tensor.
    /// <summary>
    /// The same values, each last-dim row followed by a copy of itself in memory: a non-contiguous view, which kernels
    /// with a one-pass CPU path leave to their torch operations.
    /// </summary>
    public static Tensor Strided(Tensor tensor) => cat(new[] { tensor, tensor }, -1).narrow(-1, 0, tensor.shape[^1]);

    public static double[] ToArray(Tensor tensor) => tensor.numel() == 0 ? [] : tensor.to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
}
