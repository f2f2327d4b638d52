using System.Runtime.CompilerServices;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// A pixel term <see cref="SigmoidStatisticsPass"/> sums beside the statistics: its element loss ℓ and slope ∂ℓ/∂x on
/// a vector of logits x and targets t, given p = σ(x), softplus(x) and ce = softplus(x) − t·x (each computed only where
/// a term reads it: the JIT drops the others). A struct per term, so that the JIT compiles each
/// pass for its own term, with no branch in the loop and nothing computed that the term does not read. Loss and slope
/// come from one method, so that what they share is computed once (the JIT does not merge it across two calls): a
/// caller that reads one of them leaves the other's operations unused, and the JIT drops them.
/// </summary>
internal interface IPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    /// <summary>Whether there is a term at all.</summary>
    static abstract bool Sums { get; }

    /// <summary>Whether the slope reads t and p only, so that a backward pass may start from a stored p.</summary>
    static abstract bool SlopeReadsProbabilityOnly { get; }

    /// <summary>
    /// Whether ℓ = log(1 + e) + <see cref="WithoutLogarithm"/>(x, t), e = exp(−|x|), with nothing weighing the logarithm:
    /// a pass may then add the logarithms of several vectors as one, log Π(1 + e)
    /// (<see cref="LaneFunctions{TLanes, T}.OnePlusProductMinusOne"/>).
    /// </summary>
    static virtual bool LogarithmApart => false;

    /// <summary>ℓ − log(1 + e), for a term whose <see cref="LogarithmApart"/> holds.</summary>
    static virtual TLanes WithoutLogarithm(TLanes x, TLanes t) => throw new System.NotSupportedException("This pixel term's logarithm is weighed: it has no form apart from it.");

    /// <summary>
    /// Whether a pass that keeps p for the backward pass keeps ce = softplus(x) − t·x beside it rather than the slope, and
    /// the backward pass takes the slope from t, p and ce (<see cref="SlopeOfCrossEntropy"/>, the same bits): arithmetic
    /// moved from the forward pass, which its arithmetic bounds, to the backward pass, which waits on memory.
    /// </summary>
    static virtual bool SlopeFromCrossEntropy => false;

    /// <summary>ℓ(x, t) and ∂ℓ/∂x.</summary>
    (TLanes Loss, TLanes Slope) LossAndSlope(TLanes x, TLanes t, TLanes p, TLanes softplus, TLanes crossEntropy);

    /// <summary>∂ℓ/∂x from t, p = σ(x) and ce = softplus(x) − t·x, with the bits of <see cref="LossAndSlope"/>'s.</summary>
    TLanes SlopeOfCrossEntropy(TLanes t, TLanes p, TLanes crossEntropy);
}

/// <summary>No pixel term: the statistics alone.</summary>
internal readonly struct NoPixelTerm<TLanes, T> : IPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    public static bool Sums => false;

    public static bool SlopeReadsProbabilityOnly => true;

    public (TLanes Loss, TLanes Slope) LossAndSlope(TLanes x, TLanes t, TLanes p, TLanes softplus, TLanes crossEntropy) => (TLanes.Zero, TLanes.Zero);

    public TLanes SlopeOfCrossEntropy(TLanes t, TLanes p, TLanes crossEntropy) => TLanes.Zero;
}

/// <summary>
/// bce without a positive weight (w = 1, the default): softplus(x) − t·x, slope p − t. The weighted form's value for the
/// same w, in two operations instead of five a vector (for t in {0, 1} the same bits).
/// </summary>
internal readonly struct PlainCrossEntropyTerm<TLanes, T> : IPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    public static bool Sums => true;

    public static bool SlopeReadsProbabilityOnly => true;

    // softplus(x) − t·x = log(1 + e) + max(x, 0) − t·x.
    public static bool LogarithmApart => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes WithoutLogarithm(TLanes x, TLanes t) => TLanes.MultiplyAddNegated(t, x, TLanes.Max(TLanes.Zero, x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Slope) LossAndSlope(TLanes x, TLanes t, TLanes p, TLanes softplus, TLanes crossEntropy) => (crossEntropy, p - t);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TLanes SlopeOfCrossEntropy(TLanes t, TLanes p, TLanes crossEntropy) => p - t;
}

/// <summary>bce with a positive weight w: w·t·softplus(−x) + (1 − t)·softplus(x).</summary>
internal readonly struct CrossEntropyTerm<TLanes, T>(double positiveWeight) : IPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    private readonly TLanes weight = TLanes.Create(positiveWeight);

    public static bool Sums => true;

    public static bool SlopeReadsProbabilityOnly => true;

    // softplus(−x) = softplus(x) − x ≥ 0 (softplus(x) ≥ x survives rounding). Each part apart, so that a part with a
    // factor of 0 adds exactly 0: with pos_weight auto on a full mask (w = 0, t = 1) the loss is 0, not a rounding below it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Slope) LossAndSlope(TLanes x, TLanes t, TLanes p, TLanes softplus, TLanes crossEntropy) =>
        (TLanes.MultiplyAdd(weight * t, softplus - x, (TLanes.One - t) * softplus), SlopeOfCrossEntropy(t, p, crossEntropy));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TLanes SlopeOfCrossEntropy(TLanes t, TLanes p, TLanes crossEntropy) => (p * (TLanes.One + ((weight - TLanes.One) * t))) - (weight * t);
}

/// <summary>
/// torchvision's sigmoid focal loss, α_t·(1 − p_t)^γ·ce with α_t = α·t + (1 − α)(1 − t) (1 without α, given as a
/// negative α) and the base 1 − p_t kept at least the smallest normal number, as the torch-operation path does; the power
/// taken as <typeparamref name="TPower"/> says.
/// </summary>
internal readonly struct FocalTerm<TLanes, T, TPower>(double alpha, TPower power) : IPixelTerm<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
    where TPower : struct, IUnitPower<TLanes, T>
{
    private readonly TLanes alphaSlope = TLanes.Create(alpha < 0 ? 0 : (2 * alpha) - 1);
    private readonly TLanes alphaBase = TLanes.Create(alpha < 0 ? 1 : 1 - alpha);
    private readonly TPower modulation = power;

    public static bool Sums => true;

    // The slope reads ce = softplus(x) − t·x, which p alone does not give exactly where p rounds to 0 or 1.
    public static bool SlopeReadsProbabilityOnly => false;

    // With a power by products, the backward pass takes the slope from ce: about eight operations a vector off the
    // forward pass, and fourteen onto the backward pass, which had room for them.
    public static bool SlopeFromCrossEntropy => TPower.ByProducts;

    // ℓ = α_t·m^γ·ce and its slope α_t·(γ·m^(γ−1)·(1 − 2t)·p(1 − p)·ce + m^γ·(p − t)), with ce = softplus(x) − t·x,
    // α_t = t(2α − 1) + (1 − α), m = max(1 − p_t, smallest normal) = max(t + p(1 − 2t), ·): each product once.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Loss, TLanes Slope) LossAndSlope(TLanes x, TLanes t, TLanes p, TLanes softplus, TLanes crossEntropy)
    {
        var (towardsOther, power, powerSlope, alphaT) = Modulation(t, p);
        return (alphaT * power * crossEntropy, Slope(t, p, crossEntropy, towardsOther, power, powerSlope, alphaT));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TLanes SlopeOfCrossEntropy(TLanes t, TLanes p, TLanes crossEntropy)
    {
        var (towardsOther, power, powerSlope, alphaT) = Modulation(t, p);
        return Slope(t, p, crossEntropy, towardsOther, power, powerSlope, alphaT);
    }

    // 1 − 2t, m^γ, γ·m^(γ−1) and α_t: what the loss and the slope share.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (TLanes TowardsOther, TLanes Power, TLanes PowerSlope, TLanes AlphaT) Modulation(TLanes t, TLanes p)
    {
        var towardsOther = TLanes.MultiplyAdd(t, TLanes.Create(-2), TLanes.One);
        var m = TLanes.Max(LaneFunctions<TLanes, T>.SmallestNormal, TLanes.MultiplyAdd(p, towardsOther, t));
        var (power, powerSlope) = modulation.Of(m);
        return (towardsOther, power, powerSlope, TLanes.MultiplyAdd(t, alphaSlope, alphaBase));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes Slope(TLanes t, TLanes p, TLanes crossEntropy, TLanes towardsOther, TLanes power, TLanes powerSlope, TLanes alphaT)
    {
        var sigmoidSlope = TLanes.MultiplyAddNegated(p, p, p);
        var throughModulation = powerSlope * towardsOther * sigmoidSlope * crossEntropy;
        return alphaT * TLanes.MultiplyAdd(power, p - t, throughModulation);
    }
}
