using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>The calls a plan makes to <c>LossDsl.Kernels.Probabilities</c>, with their pass estimates (see <see cref="InputsCalls"/>).</summary>
internal static class ProbabilitiesCalls
{
    private const string Type = "Probabilities";

    /// <summary>Read pred, write p.</summary>
    public static KernelCall Sigmoid(LocalValue logits) =>
        KernelCall.Create(Type, nameof(Sigmoid), KernelCall.Fixed(2), Local(nameof(logits), logits));

    /// <summary>Read pred, write p (the max and sum over the classes inside the one operation are not counted apart).</summary>
    public static KernelCall Softmax(LocalValue logits) =>
        KernelCall.Create(Type, nameof(Softmax), KernelCall.Fixed(2), Local(nameof(logits), logits));

    /// <summary>Read pred, write tanh(pred) (a region term's <c>activation: tanh</c>).</summary>
    public static KernelCall Tanh(LocalValue pred) =>
        KernelCall.Create(Type, nameof(Tanh), KernelCall.Fixed(2), Local(nameof(pred), pred));

    /// <summary>Read log p, write p.</summary>
    public static KernelCall Exp(LocalValue logProbabilities) =>
        KernelCall.Create(Type, nameof(Exp), KernelCall.Fixed(2), Local(nameof(logProbabilities), logProbabilities));

    /// <summary>Read pred, write log p.</summary>
    public static KernelCall LogSoftmax(LocalValue logits) =>
        KernelCall.Create(Type, nameof(LogSoftmax), KernelCall.Fixed(2), Local(nameof(logits), logits));

    /// <summary>p &gt; 0 (2), ones (1) and where (4) for a safe input, log (2), the −100 floor (1) and where (4), clamp (2).</summary>
    public static KernelCall ClampedLog(LocalValue probabilities) =>
        KernelCall.Create(Type, nameof(ClampedLog), KernelCall.Fixed(16), Local(nameof(probabilities), probabilities));

    /// <summary>1 − p (2), then <see cref="ClampedLog"/> (16).</summary>
    public static KernelCall ClampedLogOneMinus(LocalValue probabilities) =>
        KernelCall.Create(Type, nameof(ClampedLogOneMinus), KernelCall.Fixed(18), Local(nameof(probabilities), probabilities));
}
