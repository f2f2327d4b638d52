using System.Runtime.CompilerServices;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// The pixel term the class-index pass sums beside the statistics (<see cref="SoftmaxStatisticsPass"/>), as a struct
/// type argument so that its loop holds only the term's arithmetic. Each is a function of p_y alone, so its gradient
/// with respect to x_c is <c>F·(p_c − [c = y])</c> for one factor F per pixel.
/// </summary>
internal interface ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    /// <summary>Whether the term reads p_y beside −log p_y (the pass then gathers it).</summary>
    static abstract bool ReadsProbability { get; }

    /// <summary>The pixel's loss and its gradient's factor F, from −log p_y and p_y.</summary>
    (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability);
}

/// <summary>ce: <c>−log p_y</c>, F = 1.</summary>
internal readonly struct CrossEntropyOfLabel<TLanes, T> : ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    public static bool ReadsProbability => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability) => (minusLogProbability, TLanes.One);
}

/// <summary>
/// Focal on class indices without class weights: <c>m^γ·(−log p_y)</c>, m = max(1 − p_y, smallest normal) as the
/// torch path clamps it; F = m^γ + γ·m^(γ−1)·p_y·(−log p_y) (∂m/∂x_c = −p_y·([c = y] − p_c)).
/// </summary>
internal readonly struct FocalOfLabel<TLanes, T, TPower>(TPower power) : ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
    where TPower : struct, IUnitPower<TLanes, T>
{
    private readonly TPower modulation = power;

    public static bool ReadsProbability => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability)
    {
        var m = TLanes.Max(LaneFunctions<TLanes, T>.SmallestNormal, TLanes.One - probability);
        var (power, slope) = modulation.Of(m);
        return (power * minusLogProbability, TLanes.MultiplyAdd(slope * probability, minusLogProbability, power));
    }
}
