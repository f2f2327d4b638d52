using System.ComponentModel;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Logits to probabilities and log-probabilities, computed once per forward pass and shared by every term that reads
/// them. With logits, log-probabilities are computed in log space (exact and finite for |x| up to 1e4): log-softmax
/// here for labels, libtorch's fused BCE-with-logits inside the mask kernels (PixelLosses); with probability inputs,
/// logs are clamped at −100 as PyTorch's BCELoss does.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Probabilities
{
    /// <summary><c>p = sigmoid(x)</c>, for mask targets.</summary>
    public static Tensor Sigmoid(Tensor logits) => logits.sigmoid();

    /// <summary><c>p = softmax(x)</c> over the classes (dim 1), for label targets.</summary>
    public static Tensor Softmax(Tensor logits) => logits.softmax(1);

    /// <summary><c>tanh(x)</c>, what a region term with <c>activation: tanh</c> reads (MONAI's <c>other_act=torch.tanh</c>).</summary>
    public static Tensor Tanh(Tensor pred) => pred.tanh();

    /// <summary><c>p = exp(log p)</c>, for log-probability inputs.</summary>
    public static Tensor Exp(Tensor logProbabilities) => logProbabilities.exp();

    /// <summary><c>log p = log_softmax(x)</c> over the classes (dim 1), for label targets.</summary>
    public static Tensor LogSoftmax(Tensor logits) => logits.log_softmax(1);

    /// <summary>
    /// <c>max(log p, −100)</c>. Its gradient is <c>1/p</c> where the log is above −100 and 0 where it is clamped
    /// (including p = 0, where a plain clamped log would give NaN gradients).
    /// </summary>
    public static Tensor ClampedLog(Tensor probabilities)
    {
        using var positive = probabilities.gt(0);
        using var safe = probabilities.where(positive, ones_like(probabilities));
        using var logs = safe.log();
        using var floor = full_like(probabilities, -100.0);
        using var logsOrFloor = logs.where(positive, floor);
        return logsOrFloor.clamp_min(-100);
    }

    /// <summary><c>max(log(1 − p), −100)</c>, with the gradient of <see cref="ClampedLog"/>.</summary>
    public static Tensor ClampedLogOneMinus(Tensor probabilities)
    {
        using var complement = 1 - probabilities;
        return ClampedLog(complement);
    }
}
