using System.Linq;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// Half-precision predictions (float16, bfloat16) are evaluated in float32, as PyTorch's autocast runs losses: the
/// statistics of a 256×256 batch overflow float16's largest value (65,504), and bfloat16's 8-bit mantissa loses the
/// sums of means and log terms (smp #463, ultralytics #24554). The cast is part of the graph, so the gradient reaches
/// pred in pred's own dtype; the loss is returned in it too. Every other dtype is evaluated as it is.
/// </summary>
internal static class HalfPrecision
{
    public static bool IsHalf(ScalarType dtype) => dtype is ScalarType.Float16 or ScalarType.BFloat16;

    /// <summary>The inputs with every half-precision prediction cast to float32; the inputs themselves when there is none.</summary>
    public static LossInputs Widen(LossInputs inputs) => inputs.Preds.Any(p => IsHalf(p.dtype))
        ? new LossInputs(inputs.Preds.Select(p => IsHalf(p.dtype) ? p.to_type(ScalarType.Float32) : p).ToArray(), inputs.Target)
        {
            PixelWeight = inputs.PixelWeight,
            ValidMask = inputs.ValidMask,
        }
        : inputs;

    /// <summary>The loss in pred's dtype: a half-precision pred gets its loss back in its own dtype.</summary>
    public static Tensor Narrow(Tensor total, ScalarType predType) => IsHalf(predType) && total.dtype != predType ? total.to_type(predType) : total;
}
