namespace LossDsl;

/// <summary>What the prediction tensor holds.</summary>
public enum LossInput
{
    /// <summary>Raw scores; the loss applies sigmoid (mask) or softmax (labels) once, and uses log-space forms.</summary>
    Logits = 0,

    /// <summary>Probabilities already in [0, 1].</summary>
    Probabilities = 1,

    /// <summary>
    /// Log-probabilities (a <c>log_softmax</c> or <c>logsigmoid</c> output): log-likelihood terms read them as they are
    /// (ce is then PyTorch's <c>nll_loss</c>), every other term reads <c>p = exp(pred)</c>.
    /// </summary>
    LogProbabilities = 2,
}
