using System;
using System.Runtime.CompilerServices;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// The element functions of the fused passes on a vector of lanes of either width, in the lanes' own precision (float32
/// or float64; the branches on <typeparamref name="T"/> are removed by the JIT). One <c>e = exp(−|x|)</c> gives both σ(x)
/// and softplus(x) = max(x, 0) + log1p(e), without overflow for any x; focal's power of 1 − p_t is products for a whole
/// γ up to 8 and exp(γ·log m) otherwise. The exponential, log1p and log are the passes' own, for the ranges they need:
/// .NET's <c>Vector256.Exp</c> and <c>Log</c> took about 20 ns per vector here, as long as a whole pass should.
/// </summary>
internal static unsafe class LaneFunctions<TLanes, T>
    where TLanes : unmanaged, ILanes<TLanes, T>
    where T : unmanaged
{
    /// <summary>
    /// e = exp(−|x|), what <see cref="SigmoidWith"/>, <see cref="SoftplusWith"/> and <see cref="CrossEntropyWith"/> read beside x, at least exp of the floor. For a NaN x, NaN or (with
    /// AVX-512's <see cref="ILanes{TSelf, T}.NegatedAbsAtLeast"/>) that least value: σ and softplus carry x's NaN
    /// themselves (<see cref="ILanes{TSelf, T}.OneWhereNotNegative"/>, the maximum with 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes ExpOfMinusAbs(TLanes x) => ExpAboveFloor(TLanes.NegatedAbsAtLeast(x, ExpFloor));

    /// <summary>σ(x), given e = exp(−|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes SigmoidWith(TLanes x, TLanes e) => TLanes.OneWhereNotNegative(x, e) / (TLanes.One + e);

    /// <summary>softplus(x) = max(x, 0) + log(1 + e), given e = exp(−|x|).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes SoftplusWith(TLanes x, TLanes e) => Log1pOfUnitPlus(e, TLanes.Max(TLanes.Zero, x));

    /// <summary>
    /// The cross-entropy of logits, ce = softplus(x) − t·x = (max(x, 0) − t·x) + log(1 + e), given e = exp(−|x|): the
    /// first part first, exact where it cancels (x·1 − x for t = 1), so that ce keeps the bits of its logarithm where the
    /// prediction is confident and right, which softplus(x) − t·x would round to the ulps of x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes CrossEntropyWith(TLanes x, TLanes t, TLanes e) => Log1pOfUnitPlus(e, TLanes.MultiplyAddNegated(t, x, TLanes.Max(TLanes.Zero, x)));

    /// <summary>
    /// u + e + u·e: with u = Π(1 + eᵢ) − 1 over some vectors, the same for one more. Summing log(1 + eᵢ) as
    /// <see cref="Log1p"/> of the result takes one logarithm for many, and keeps the tiny eᵢ that 1 + eᵢ would round
    /// away: each step rounds u by at most two ulps, relative.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes OnePlusProductMinusOne(TLanes u, TLanes e) => TLanes.MultiplyAdd(u, e, u + e);

    /// <summary>
    /// log(1 + u) for u ≥ 0 with 1 + u normal (NaN stays NaN): the log of m = 1 + u, plus the rounding of that sum,
    /// (u − (m − 1)) / m, which is all of the result where 1 + u rounds to 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Log1p(TLanes u)
    {
        var m = TLanes.One + u;
        return LogOfNormal(m) + ((u - (m - TLanes.One)) / m);
    }

    /// <summary>
    /// eˣ for x ≤ 0 (NaN stays NaN): x = n·ln 2 + r with |r| ≤ ln 2 / 2, eʳ by its Taylor polynomial (degree 13 in
    /// float64, 7 in float32: truncation below half an ulp), times 2ⁿ (<see cref="ILanes{TSelf, T}.ScaleByPowerOfTwo"/>). Below −87 (float32)
    /// or −708 (float64) the result stays at that bound's exponential, about the smallest normal number, rather than
    /// falling to 0: every caller adds it to 1 or to a sum of exponentials, or multiplies it into a sum (focal's slope
    /// γ·m^γ / m through p(1 − p), which is about m), where it is far below the rounding. Making it exactly 0 took three
    /// instructions a vector (with −|x| as one instruction, not two: 3 % off a bce + dice + iou step on an AVX-512 Xeon).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes ExpOfNonPositive(TLanes x) => ExpAboveFloor(TLanes.Max(ExpFloor, x));

    /// <summary>The smallest argument <see cref="ExpOfNonPositive"/> takes: −708 (float64) or −87 (float32).</summary>
    private static TLanes ExpFloor
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TLanes.Create(typeof(T) == typeof(double) ? -708.0 : -87.0);
    }

    // eˣ for x in [ExpFloor, 0], or NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes ExpAboveFloor(TLanes x)
    {
        var isDouble = typeof(T) == typeof(double);
        // n = round(x / ln 2), by adding and taking away 1.5·2^(mantissa bits); r in two steps, for the exactness of n·ln 2.
        var shift = TLanes.Create(isDouble ? 6755399441055744.0 : 12582912.0);
        var n = TLanes.MultiplyAdd(x, TLanes.Create(1.4426950408889634), shift) - shift;
        var r = TLanes.MultiplyAdd(n, TLanes.Create(isDouble ? -0.6931471803691238 : -0.693359375), x);
        r = TLanes.MultiplyAdd(n, TLanes.Create(isDouble ? -1.9082149292705877e-10 : 2.12194440e-4), r);
        // eʳ by Horner's rule; each step one multiply-add (the JIT folds each constant into its instruction).
        TLanes p;
        if (isDouble)
        {
            p = TLanes.Create(1.0 / 6227020800);
            p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 479001600));
            p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 39916800));
            p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 3628800));
            p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 362880));
            p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 40320));
            p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 5040));
        }
        else
        {
            p = TLanes.Create(1.0 / 5040);
        }

        p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 720));
        p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 120));
        p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 24));
        p = TLanes.MultiplyAdd(p, r, TLanes.Create(1.0 / 6));
        p = TLanes.MultiplyAdd(p, r, TLanes.Create(0.5));
        p = TLanes.MultiplyAdd(p, r, TLanes.Create(1));
        p = TLanes.MultiplyAdd(p, r, TLanes.Create(1));
        return TLanes.ScaleByPowerOfTwo(p, n);
    }

    /// <summary>
    /// log(1 + e) + <paramref name="addend"/> for 0 ≤ e ≤ 1 (NaN stays NaN), the addition fused into the last product
    /// (one operation; an addend of 0 gives log(1 + e) itself), exact to the last bits for tiny e, where log(1 + e) would
    /// lose them. float64: 2·atanh(s) with s = e / (2 + e) ≤ 1/3. float32: e·P(e), P of degree 8 with P(0) = 1, fitted
    /// for the least largest relative error on [0, 1] (1.4 ulps at most, evaluated in float32): no division, where σ's
    /// division already keeps the divider busy (focal + dice 0.747 → 0.69 ms a step on an AVX-512 Xeon, sized by dropping it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes Log1pOfUnitPlus(TLanes e, TLanes addend)
    {
        if (typeof(T) == typeof(double))
        {
            return TwiceAtanhPlus(e / (TLanes.Create(2) + e), addend);
        }

        var p = TLanes.Create(0.005365315824747086);
        p = TLanes.MultiplyAdd(p, e, TLanes.Create(-0.030067579820752144));
        p = TLanes.MultiplyAdd(p, e, TLanes.Create(0.07920714467763901));
        p = TLanes.MultiplyAdd(p, e, TLanes.Create(-0.13753996789455414));
        p = TLanes.MultiplyAdd(p, e, TLanes.Create(0.19153732061386108));
        p = TLanes.MultiplyAdd(p, e, TLanes.Create(-0.24857179820537567));
        p = TLanes.MultiplyAdd(p, e, TLanes.Create(0.3332132399082184));
        p = TLanes.MultiplyAdd(p, e, TLanes.Create(-0.49999648332595825));
        p = TLanes.MultiplyAdd(p, e, TLanes.One);
        return TLanes.MultiplyAdd(p, e, addend);
    }

    /// <summary>
    /// log(m) for a positive normal m: m = 2ᵏ·f with f in [√½, √2), log m = k·ln 2 + 2·atanh((f − 1) / (f + 1)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes LogOfNormal(TLanes m)
    {
        var (k, f) = TLanes.Decompose(m);
        var one = TLanes.One;
        return TLanes.MultiplyAdd(k, TLanes.Create(0.6931471805599453), TwiceAtanhPlus((f - one) / (f + one), TLanes.Zero));
    }

    /// <summary>
    /// <paramref name="sum"/> + values·0: stays 0 while every value is finite, and is NaN from the first NaN or infinity
    /// on (minimum and maximum instructions do not keep a NaN; a product by 0 does, and turns ±∞ into one). The finite
    /// checks of <see cref="RangePass"/> and of the statistics passes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes AddNotFinite(TLanes sum, TLanes values) => TLanes.MultiplyAdd(values, TLanes.Zero, sum);

    /// <summary>Whether mᵞ is taken by products: a whole γ up to 8 (the usual 1, 2, 3).</summary>
    public static bool IsSmallWhole(double gamma) => gamma == Math.Floor(gamma) && gamma is >= 0 and <= 8;

    /// <summary>
    /// mᵞ for m in [smallest normal, 1] and γ ≥ 0: products for a whole γ up to 8 (<see cref="IsSmallWhole"/>), else
    /// exp(γ·log m), whose argument is ≤ 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes PowerOfUnit(TLanes m, double gamma) => IsSmallWhole(gamma) ? WholePower(m, (int)gamma) : ExpOfNonPositive(TLanes.Create(gamma) * LogOfNormal(m));

    /// <summary>mᵏ for a whole k ≥ 0, by k − 1 products (the JIT does not fold a product by 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLanes WholePower(TLanes m, int k)
    {
        if (k == 0)
        {
            return TLanes.One;
        }

        var power = m;
        for (var i = 1; i < k; i++)
        {
            power *= m;
        }

        return power;
    }

    /// <summary>The smallest positive normal number of <typeparamref name="T"/>, in every lane.</summary>
    public static TLanes SmallestNormal
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TLanes.Create(typeof(T) == typeof(double) ? 2.2250738585072014E-308 : 1.17549435E-38f);
    }

    /// <summary>The first <paramref name="count"/> (at most a vector's) elements from <paramref name="at"/>, 0 in the other lanes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TLanes LoadPartial(T* at, int count)
    {
        var lanes = stackalloc T[TLanes.Count];
        new Span<T>(lanes, TLanes.Count).Clear();
        new ReadOnlySpan<T>(at, count).CopyTo(new Span<T>(lanes, count));
        return TLanes.Load(lanes);
    }

    /// <summary>1 in the first <paramref name="count"/> lanes, 0 in the others: what keeps a vector's first elements.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static TLanes FirstLanes(int count)
    {
        var lanes = stackalloc T[TLanes.Count];
        new Span<T>(lanes, TLanes.Count).Clear();
        new Span<T>(lanes, count).Fill(TLanes.One[0]);
        return TLanes.Load(lanes);
    }

    /// <summary>Writes the first <paramref name="count"/> (at most a vector's) lanes of <paramref name="value"/> to <paramref name="at"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StorePartial(TLanes value, T* at, int count)
    {
        var lanes = stackalloc T[TLanes.Count];
        value.Store(lanes);
        new ReadOnlySpan<T>(lanes, count).CopyTo(new Span<T>(at, count));
    }

    // 2·atanh(s) + addend for |s| ≤ 1/3, by the odd series of 2·atanh to s³³ in float64 and s¹⁵ in float32 (truncation
    // below half an ulp), the addend fused into its last product.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TLanes TwiceAtanhPlus(TLanes s, TLanes addend)
    {
        var q = s * s;
        TLanes series;
        if (typeof(T) == typeof(double))
        {
            series = TLanes.Create(2.0 / 33);
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 31));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 29));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 27));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 25));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 23));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 21));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 19));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 17));
            series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 15));
        }
        else
        {
            series = TLanes.Create(2.0 / 15);
        }

        series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 13));
        series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 11));
        series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 9));
        series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 7));
        series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 5));
        series = TLanes.MultiplyAdd(series, q, TLanes.Create(2.0 / 3));
        series = TLanes.MultiplyAdd(series, q, TLanes.Create(2));
        return TLanes.MultiplyAdd(series, s, addend);
    }
}
