using System.Collections.Immutable;

namespace LossDsl.Language.Plan;

/// <summary>
/// The mask focal term the statistics step on logits sums (<see cref="FusionAnalysis.FocalHost"/>): its α, γ and
/// channel weights (null for none); a focal with other constants runs its own kernel.
/// </summary>
internal sealed record MaskFocalTerm(double Alpha, double Gamma, ImmutableArray<double>? ChannelWeights)
{
    /// <summary>Whether a term asking with these constants is the one summed (channel weights compared by value).</summary>
    public bool Sums(MaskFocalTerm asked) => Alpha.Equals(asked.Alpha) && Gamma.Equals(asked.Gamma) && WeightLists.Same(ChannelWeights, asked.ChannelWeights);
}
