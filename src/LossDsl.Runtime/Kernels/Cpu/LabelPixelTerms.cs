using System.Runtime.CompilerServices;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// The pixel term the class-index pass sums beside the statistics (<see cref="SoftmaxStatisticsPass"/>), as a struct
/// type argument so that its loop holds only the term's arithmetic. Its core is a function of p_y alone, so the core's
/// gradient with respect to x_c is <c>F·(p_c − [c = y])</c> for one factor F per pixel; the pass multiplies loss and
/// factor by the class weight w_y when the term weighs classes, and adds label smoothing's
/// <c>(ε/C)·Σ_c w_c·(−log p_c)</c>, whose gradient is <c>(ε/C)·(W·p_c − w_c)</c> with W = Σ_c w_c, when it smooths.
/// </summary>
internal interface ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    /// <summary>Whether the term reads p_y beside −log p_y (the pass then gathers it).</summary>
    static abstract bool ReadsProbability { get; }

    /// <summary>
    /// Whether the gradient's factor F reads −log p_y; if not, a backward pass may start from stored probabilities (−log p_y
    /// is not exact from a p_y that has rounded to 0 or 1).
    /// </summary>
    static abstract bool FactorReadsLogProbability { get; }

    /// <summary>Whether each pixel's core is times its class's weight w_y (the pass then gathers it).</summary>
    static abstract bool WeighsClasses { get; }

    /// <summary>Whether the term adds label smoothing's part (the pass then sums the classes' weighed −log p_c).</summary>
    static abstract bool Smooths { get; }

    /// <summary>ε/C, label smoothing's weight of each class's −log p_c (read only when the term smooths).</summary>
    double SmoothingPerClass { get; }

    /// <summary>w_c (read only when the term weighs classes or smooths).</summary>
    double ClassWeight(int c);

    /// <summary>
    /// Whether the core is −log p_y = log Σ_c e^(x_c − max) − (x_y − max) itself, unweighted: a pass may then add the
    /// logarithms of several pixel vectors as one, the log of their sums' product, and give <see cref="Of"/> the rest.
    /// </summary>
    static virtual bool LogarithmApart => false;

    /// <summary>The pixel's core loss and its gradient's factor F, from −log p_y and p_y.</summary>
    (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability);
}

/// <summary>ce: <c>−log p_y</c>, F = 1.</summary>
internal readonly struct CrossEntropyOfLabel<TLanes, T> : ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    public static bool ReadsProbability => false;

    public static bool FactorReadsLogProbability => false;

    public static bool WeighsClasses => false;

    public static bool Smooths => false;

    public static bool LogarithmApart => true;

    public double SmoothingPerClass => 0;

    public double ClassWeight(int c) => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability) => (minusLogProbability, TLanes.One);
}

/// <summary>
/// Focal on class indices: <c>m^γ·(−log p_y)</c>, m = max(1 − p_y, smallest normal) as the torch path clamps it;
/// F = m^γ + γ·m^(γ−1)·p_y·(−log p_y) (∂m/∂x_c = −p_y·([c = y] − p_c)).
/// </summary>
internal readonly struct FocalOfLabel<TLanes, T, TPower>(TPower power) : ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
    where TPower : struct, IUnitPower<TLanes, T>
{
    private readonly TPower modulation = power;

    public static bool ReadsProbability => true;

    public static bool FactorReadsLogProbability => true;

    public static bool WeighsClasses => false;

    public static bool Smooths => false;

    public double SmoothingPerClass => 0;

    public double ClassWeight(int c) => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability)
    {
        var m = TLanes.Max(LaneFunctions<TLanes, T>.SmallestNormal, TLanes.One - probability);
        var (power, slope) = modulation.Of(m);
        return (power * minusLogProbability, TLanes.MultiplyAdd(slope * probability, minusLogProbability, power));
    }
}

/// <summary>A term with class weights: <typeparamref name="TInner"/>'s core times w_y (ce or focal with <c>weight:</c>).</summary>
internal readonly struct ClassWeightedOfLabel<TLanes, T, TInner>(TInner inner, double[] classWeights) : ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
    where TInner : struct, ILabelPixelTerm<TLanes, T>
{
    private readonly TInner core = inner;

    public static bool ReadsProbability => TInner.ReadsProbability;

    public static bool FactorReadsLogProbability => TInner.FactorReadsLogProbability;

    public static bool WeighsClasses => true;

    public static bool Smooths => false;

    public double SmoothingPerClass => 0;

    public double ClassWeight(int c) => classWeights[c];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability) => core.Of(minusLogProbability, probability);
}

/// <summary>
/// ce with label smoothing ε over C classes (and class weights, else 1): the core <c>(1 − ε)·(−log p_y)</c>, F = 1 − ε,
/// times w_y, plus <c>(ε/C)·Σ_c w_c·(−log p_c)</c>.
/// </summary>
internal readonly struct SmoothedCrossEntropyOfLabel<TLanes, T>(double[]? classWeights, double labelSmoothing, int classes) : ILabelPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    private readonly TLanes kept = TLanes.Create(1 - labelSmoothing);

    public static bool ReadsProbability => false;

    public static bool FactorReadsLogProbability => false;

    public static bool WeighsClasses => true;

    public static bool Smooths => true;

    public double SmoothingPerClass => labelSmoothing / classes;

    public double ClassWeight(int c) => classWeights is null ? 1 : classWeights[c];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Factor) Of(TLanes minusLogProbability, TLanes probability) => (kept * minusLogProbability, kept);
}
