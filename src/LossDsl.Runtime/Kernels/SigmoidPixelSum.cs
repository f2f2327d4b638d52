namespace LossDsl.Kernels;

/// <summary>Which pixel term the statistics node on logits sums over every element beside TP, P and T.</summary>
internal enum SigmoidPixelTerm
{
    /// <summary>The statistics alone.</summary>
    None,

    /// <summary>bce: <c>w·t·softplus(−x) + (1 − t)·softplus(x)</c>.</summary>
    CrossEntropy,

    /// <summary>Mask focal without weights: <c>α_t (1 − p_t)^γ · ce</c>.</summary>
    Focal,
}

/// <summary>
/// The pixel term of a <see cref="SigmoidStatistics"/> node and its constants: focal's α (negative for none) and γ
/// (bce's positive weight is a tensor argument of the node, as it may be computed from the target).
/// </summary>
internal readonly record struct SigmoidPixelSum(SigmoidPixelTerm Term, double Alpha = -1, double Gamma = 0)
{
    public static SigmoidPixelSum None { get; } = new(SigmoidPixelTerm.None);

    public static SigmoidPixelSum CrossEntropy { get; } = new(SigmoidPixelTerm.CrossEntropy);

    public static SigmoidPixelSum Focal(double alpha, double gamma) => new(SigmoidPixelTerm.Focal, alpha, gamma);
}
