namespace LossDsl.Kernels;

/// <summary>Which pixel term the statistics node on logits sums over every element beside TP, P and T.</summary>
internal enum SigmoidPixelTerm
{
    /// <summary>The statistics alone.</summary>
    None,

    /// <summary>bce: <c>w·t·softplus(−x) + (1 − t)·softplus(x)</c>.</summary>
    CrossEntropy,

    /// <summary>Mask focal: <c>α_t (1 − p_t)^γ · ce</c>, times its channel's weight when it has them.</summary>
    Focal,
}

/// <summary>
/// The pixel term of a <see cref="SigmoidStatistics"/> node and its constants: focal's α (negative for none), γ and
/// channel weights (MONAI's <c>weight</c>: each channel's elements times its weight, or null for 1; bce's positive
/// weight is a tensor argument of the node, as it may be computed from the target).
/// </summary>
internal readonly record struct SigmoidPixelSum(SigmoidPixelTerm Term, double Alpha = -1, double Gamma = 0, double[]? ChannelWeights = null)
{
    public static SigmoidPixelSum None { get; } = new(SigmoidPixelTerm.None);

    public static SigmoidPixelSum CrossEntropy { get; } = new(SigmoidPixelTerm.CrossEntropy);

    public static SigmoidPixelSum Focal(double alpha, double gamma, double[]? channelWeights = null) => new(SigmoidPixelTerm.Focal, alpha, gamma, channelWeights);

    /// <summary>Channel <paramref name="channel"/>'s weight: the factor of its elements' sum and of their slopes.</summary>
    public double WeightOf(long channel) => ChannelWeights?[channel] ?? 1.0;

    /// <inheritdoc/>
    public override string ToString() =>
        Term switch
        {
            SigmoidPixelTerm.Focal => $"focal α {Alpha} γ {Gamma}",
            SigmoidPixelTerm.CrossEntropy => "bce",
            _ => "no pixel term",
        }
        + (ChannelWeights is { } weights ? $", channel weights [{string.Join(", ", weights)}]" : string.Empty);
}
