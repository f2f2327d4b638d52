using System.Runtime.CompilerServices;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// mᵞ and its slope γ·m^(γ−1) for m in [smallest normal, 1], the way of taking it chosen once per pass: focal's
/// modulation in <see cref="FocalTerm{TLanes, T, TPower}"/>. A struct per way, so that the loop holds no test of γ.
/// </summary>
internal interface IUnitPower<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    /// <summary>Whether mᵞ is a few products, cheap enough for a backward pass to take again.</summary>
    static abstract bool ByProducts { get; }

    /// <summary>mᵞ and γ·m^(γ−1).</summary>
    (TLanes Power, TLanes Slope) Of(TLanes m);
}

/// <summary>A whole γ up to 8 (<see cref="LaneFunctions{TLanes, T}.IsSmallWhole"/>): products, and no division for the slope.</summary>
internal readonly struct WholeUnitPower<TLanes, T>(int gamma) : IUnitPower<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    private readonly TLanes gammaLanes = TLanes.Create(gamma);
    private readonly int gammaValue = gamma;

    public static bool ByProducts => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Power, TLanes Slope) Of(TLanes m)
    {
        if (gammaValue == 0)
        {
            return (TLanes.One, TLanes.Zero);
        }

        var below = LaneFunctions<TLanes, T>.WholePower(m, gammaValue - 1);
        return (below * m, gammaLanes * below);
    }
}

/// <summary>
/// γ = 2, focal's default: m·m and 2·m, with no loop over γ in the pass. <see cref="WholeUnitPower{TLanes, T}"/>'s loop
/// is a branch or two a vector, which share the vector ports.
/// </summary>
internal readonly struct SquareUnitPower<TLanes, T> : IUnitPower<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    public static bool ByProducts => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Power, TLanes Slope) Of(TLanes m) => (m * m, m + m);
}

/// <summary>Any other γ ≥ 0: exp(γ·log m), the slope γ·mᵞ / m (m is at least the smallest normal number).</summary>
internal readonly struct FractionalUnitPower<TLanes, T>(double gamma) : IUnitPower<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    private readonly TLanes gammaLanes = TLanes.Create(gamma);

    public static bool ByProducts => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public (TLanes Power, TLanes Slope) Of(TLanes m)
    {
        var power = LaneFunctions<TLanes, T>.ExpOfNonPositive(gammaLanes * LaneFunctions<TLanes, T>.LogOfNormal(m));
        return (power, gammaLanes * power / m);
    }
}
