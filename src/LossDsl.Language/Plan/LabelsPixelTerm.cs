using System.Collections.Immutable;

namespace LossDsl.Language.Plan;

/// <summary>
/// The pixel term the statistics step of class indices sums (<see cref="FusionAnalysis.LabelsHost"/>): ce (focal's γ
/// null) or focal, with its class weights (null for none) and ce's label smoothing; a term with other constants runs its
/// own kernel.
/// </summary>
internal sealed record LabelsPixelTerm(double? FocalGamma, ImmutableArray<double>? ClassWeights, double LabelSmoothing)
{
    /// <summary>Whether a term asking with these constants is the one summed (class weights compared by value).</summary>
    public bool Sums(LabelsPixelTerm asked) =>
        Equals(FocalGamma, asked.FocalGamma) && LabelSmoothing.Equals(asked.LabelSmoothing) && WeightLists.Same(ClassWeights, asked.ClassWeights);
}
