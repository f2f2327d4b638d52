using System.ComponentModel;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// A closed-form overlap term (dice, iou, tversky: <see cref="OverlapForm"/>, its class weights and whether channel 0
/// counts) that the plan asks a statistics node to evaluate from the sums it has just made, so that the term adds no
/// autograd node of its own (<see cref="RegionStatistics.ComputeFromLogits"/> and the other node steps take a list of
/// them). The term's own call (<see cref="RegionLosses.Dice"/>, ...) then finds its value among the statistics'
/// (<see cref="RegionStatistics.Evaluated"/>), or computes it when the node could not: statistics summed across a
/// data-parallel group, tensors the node's CPU pass does not take, class weights on another device.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RegionTerm
{
    private RegionTerm(OverlapForm form, Tensor? weight, bool includeBackground) => (Form, Weight, IncludeBackground) = (form, weight, includeBackground);

    internal OverlapForm Form { get; }

    internal Tensor? Weight { get; }

    internal bool IncludeBackground { get; }

    /// <summary>Dice's closed form, as <see cref="RegionLosses.Dice"/> takes it without squared_pred, micro or soft labels.</summary>
    public static RegionTerm Dice(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, Tensor? weight, bool includeBackground) =>
        new(OverlapForm.Dice(smoothNumerator, smoothDenominator, log, zeroWhenEmpty), weight, includeBackground);

    /// <summary>IoU's closed form, as <see cref="RegionLosses.Iou"/> takes it without squared_pred, micro or soft labels.</summary>
    public static RegionTerm Iou(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, Tensor? weight, bool includeBackground) =>
        new(OverlapForm.Iou(smoothNumerator, smoothDenominator, log, zeroWhenEmpty), weight, includeBackground);

    /// <summary>Tversky's closed form, as <see cref="RegionLosses.Tversky"/> takes it without micro or soft labels.</summary>
    public static RegionTerm Tversky(double alpha, double beta, double gamma, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty,
        Tensor? weight, bool includeBackground) =>
        new(OverlapForm.Tversky(alpha, beta, gamma, smoothNumerator, smoothDenominator, log, zeroWhenEmpty), weight, includeBackground);

    /// <summary>The same term: the same form and channels, and the very same class-weight tensor (a buffer of the module).</summary>
    internal bool Matches(RegionTerm other) => Form == other.Form && ReferenceEquals(Weight, other.Weight) && IncludeBackground == other.IncludeBackground;
}
