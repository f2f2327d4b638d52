namespace LossDsl;

/// <summary>What the target tensor holds.</summary>
public enum LossTarget
{
    /// <summary>A float mask shaped like the prediction, values in [0, 1]: binary (C = 1) or multilabel.</summary>
    Mask = 0,

    /// <summary>int64 class indices shaped like the prediction without its class dim: multiclass.</summary>
    Labels = 1,
}
