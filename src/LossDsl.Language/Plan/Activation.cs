using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// What a region term reads as its probabilities (MONAI's <c>sigmoid</c>, <c>softmax</c> and <c>other_act</c>): the
/// signature's own (<see cref="Auto"/>: sigmoid or softmax of logits, exp of log-probabilities, probabilities as given),
/// pred's raw values, or one activation of pred.
/// </summary>
internal enum Activation
{
    Auto,
    None,
    Sigmoid,
    Softmax,
    Tanh,
}

internal static class ActivationExtensions
{
    /// <summary>Whether the activation computes what <see cref="Activation.Auto"/> does for this signature, so the two share one step.</summary>
    public static bool IsSignatureDefault(this Activation activation, LossSignature signature) => activation switch
    {
        Activation.Auto => true,
        Activation.None => signature.Input == InputKind.Probabilities,
        Activation.Sigmoid => signature.Input == InputKind.Logits && signature.Target == TargetKind.Mask,
        Activation.Softmax => signature.Input == InputKind.Logits && signature.Target == TargetKind.Labels,
        _ => false,
    };
}
