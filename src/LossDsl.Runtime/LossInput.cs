namespace LossDsl;

/// <summary>What the prediction tensor holds.</summary>
public enum LossInput
{
    /// <summary>Raw scores; the loss applies sigmoid (mask) or softmax (labels) once, and uses log-space forms.</summary>
    Logits = 0,

    /// <summary>Probabilities already in [0, 1].</summary>
    Probabilities = 1,
}
