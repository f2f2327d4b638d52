using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// The element arithmetic of <see cref="SigmoidStatisticsPass"/> on a vector of logits, in their own precision (float32
/// or float64; the branches on <typeparamref name="T"/> are removed by the JIT). One <c>e = exp(−|x|)</c> gives both σ(x)
/// and softplus(x) = max(x, 0) + log1p(e), without overflow for any x; focal's power of 1 − p_t is products for a
/// whole γ up to 8 and exp(γ·log m) otherwise. The exponential, log1p and log are this kernel's own, for the ranges it
/// needs: .NET's <c>Vector256.Exp</c> and <c>Log</c> took about 20 ns per vector here, as long as the whole pass should.
/// </summary>
internal static class SigmoidLanes<T>
    where T : unmanaged
{
    /// <summary>σ(x) and softplus(x) = log(1 + eˣ).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector256<T> Probability, Vector256<T> Softplus) Evaluate(Vector256<T> x)
    {
        var one = Vector256<T>.One;
        var e = ExpOfNonPositive(-Vector256.Abs(x));
        var nonNegative = Vector256.GreaterThanOrEqual(x, Vector256<T>.Zero);
        var probability = Vector256.ConditionalSelect(nonNegative, one, e) / (one + e);
        return (probability, Vector256.Max(x, Vector256<T>.Zero) + Log1pOfUnit(e));
    }

    /// <summary>The sum of the lanes' values as float64 lanes (a float32 vector's two halves added in float64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Widen(Vector256<T> value)
    {
        if (typeof(T) == typeof(double))
        {
            return value.AsDouble();
        }

        var (lower, upper) = Vector256.Widen(value.AsSingle());
        return lower + upper;
    }

    /// <summary>A float64 value in every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Broadcast(double value) =>
        typeof(T) == typeof(double) ? Vector256.Create(value).As<double, T>() : Vector256.Create((float)value).As<float, T>();

    /// <summary>
    /// eˣ for x ≤ 0 (NaN stays NaN): x = n·ln 2 + r with |r| ≤ ln 2 / 2, eʳ by its Taylor polynomial (degree 13 in
    /// float64, 7 in float32: truncation below half an ulp), times 2ⁿ built in the exponent bits. Below the smallest
    /// normal number the result is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> ExpOfNonPositive(Vector256<T> x)
    {
        if (typeof(T) == typeof(double))
        {
            var v = x.AsDouble();
            var underflow = Vector256.LessThan(v, Vector256.Create(-708.0));
            v = Vector256.Max(v, Vector256.Create(-708.0));
            // n = round(x / ln 2) in the low bits of a float64 beside 1.5·2⁵²; r in two steps for the exactness of n·ln 2.
            var shifted = Vector256.MultiplyAddEstimate(v, Vector256.Create(1.4426950408889634), Vector256.Create(6755399441055744.0));
            var n = shifted - Vector256.Create(6755399441055744.0);
            var r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-0.6931471803691238), v);
            r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-1.9082149292705877e-10), r);
            var p = Vector256.Create(1.0 / 6227020800);
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 479001600));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 39916800));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 3628800));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 362880));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 40320));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 5040));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 720));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 120));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 24));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0 / 6));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(0.5));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0));
            p = Vector256.MultiplyAddEstimate(p, r, Vector256.Create(1.0));

            var scale = ((shifted.AsInt64() - Vector256.Create(6755399441055744.0).AsInt64() + Vector256.Create(1023L)) << 52).AsDouble();
            return Vector256.AndNot(p * scale, underflow.AsDouble()).As<double, T>();
        }

        var f = x.AsSingle();
        var tooSmall = Vector256.LessThan(f, Vector256.Create(-87.0f));
        f = Vector256.Max(f, Vector256.Create(-87.0f));
        var fShifted = Vector256.MultiplyAddEstimate(f, Vector256.Create(1.44269504f), Vector256.Create(12582912.0f));
        var fn = fShifted - Vector256.Create(12582912.0f);
        var fr = Vector256.MultiplyAddEstimate(fn, Vector256.Create(-0.693359375f), f);
        fr = Vector256.MultiplyAddEstimate(fn, Vector256.Create(2.12194440e-4f), fr);
        var fp = Vector256.Create(1.0f / 5040);
        fp = Vector256.MultiplyAddEstimate(fp, fr, Vector256.Create(1.0f / 720));
        fp = Vector256.MultiplyAddEstimate(fp, fr, Vector256.Create(1.0f / 120));
        fp = Vector256.MultiplyAddEstimate(fp, fr, Vector256.Create(1.0f / 24));
        fp = Vector256.MultiplyAddEstimate(fp, fr, Vector256.Create(1.0f / 6));
        fp = Vector256.MultiplyAddEstimate(fp, fr, Vector256.Create(0.5f));
        fp = Vector256.MultiplyAddEstimate(fp, fr, Vector256.Create(1.0f));
        fp = Vector256.MultiplyAddEstimate(fp, fr, Vector256.Create(1.0f));

        var fScale = ((fShifted.AsInt32() - Vector256.Create(12582912.0f).AsInt32() + Vector256.Create(127)) << 23).AsSingle();
        return Vector256.AndNot(fp * fScale, tooSmall.AsSingle()).As<float, T>();
    }

    /// <summary>
    /// log(1 + e) for 0 ≤ e ≤ 1 (NaN stays NaN): 2·atanh(s) with s = e / (2 + e) ≤ 1/3; exact to the last bits for tiny
    /// e, where log(1 + e) would lose them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Log1pOfUnit(Vector256<T> e) => TwiceAtanh(e / (Vector256<T>.One + Vector256<T>.One + e));

    /// <summary>
    /// log(m) for a positive normal m: m = 2ᵏ·f with f in [√½, √2), log m = k·ln 2 + 2·atanh((f − 1) / (f + 1)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> LogOfNormal(Vector256<T> m)
    {
        if (typeof(T) == typeof(double))
        {
            var bits = m.AsInt64();
            // The exponent of m/√2 rounded down: f = m / 2ᵏ then lies in [√½, √2).
            var shifted = bits - Vector256.Create(0x3FE6A09E667F3BCDL);
            var k = shifted >> 52;
            var f = (bits - (k << 52)).AsDouble();
            var log = TwiceAtanh(((f - Vector256<double>.One) / (f + Vector256<double>.One)).As<double, T>()).AsDouble();
            return Vector256.MultiplyAddEstimate(Vector256.ConvertToDouble(k), Vector256.Create(0.6931471805599453), log).As<double, T>();
        }

        var fBits = m.AsInt32();
        var fk = (fBits - Vector256.Create(0x3F3504F3)) >> 23;
        var ff = (fBits - (fk << 23)).AsSingle();
        var fLog = TwiceAtanh(((ff - Vector256<float>.One) / (ff + Vector256<float>.One)).As<float, T>()).AsSingle();
        return Vector256.MultiplyAddEstimate(Vector256.ConvertToSingle(fk), Vector256.Create(0.693147181f), fLog).As<float, T>();
    }

    /// <summary>
    /// mᵞ for m in [smallest normal, 1] and γ ≥ 0: repeated products for a whole γ up to 8 (the usual 1, 2, 3), else
    /// exp(γ·log m), whose argument is ≤ 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> PowerOfUnit(Vector256<T> m, double gamma)
    {
        if (gamma == Math.Floor(gamma) && gamma <= 8)
        {
            var power = Vector256<T>.One;
            for (var i = 0; i < (int)gamma; i++)
            {
                power *= m;
            }

            return power;
        }

        return ExpOfNonPositive(Broadcast(gamma) * LogOfNormal(m));
    }

    /// <summary>The smallest positive normal number of <typeparamref name="T"/>, in every lane.</summary>
    internal static Vector256<T> SmallestNormal =>
        typeof(T) == typeof(double) ? Vector256.Create(2.2250738585072014E-308).As<double, T>() : Vector256.Create(1.17549435E-38f).As<float, T>();

    // 2·atanh(s) for |s| ≤ 1/3 by its odd series to s³³ in float64 and s¹⁵ in float32 (truncation below half an ulp).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> TwiceAtanh(Vector256<T> s)
    {
        var square = s * s;
        if (typeof(T) == typeof(double))
        {
            var q = square.AsDouble();
            var series = Vector256.Create(2.0 / 33);
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 31));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 29));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 27));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 25));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 23));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 21));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 19));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 17));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 15));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 13));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 11));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 9));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 7));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 5));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 3));
            series = Vector256.MultiplyAddEstimate(series, q, Vector256.Create(2.0 / 1));

            return (series * s.AsDouble()).As<double, T>();
        }

        var fq = square.AsSingle();
        var fSeries = Vector256.Create(2.0f / 15);
        fSeries = Vector256.MultiplyAddEstimate(fSeries, fq, Vector256.Create(2.0f / 13));
        fSeries = Vector256.MultiplyAddEstimate(fSeries, fq, Vector256.Create(2.0f / 11));
        fSeries = Vector256.MultiplyAddEstimate(fSeries, fq, Vector256.Create(2.0f / 9));
        fSeries = Vector256.MultiplyAddEstimate(fSeries, fq, Vector256.Create(2.0f / 7));
        fSeries = Vector256.MultiplyAddEstimate(fSeries, fq, Vector256.Create(2.0f / 5));
        fSeries = Vector256.MultiplyAddEstimate(fSeries, fq, Vector256.Create(2.0f / 3));
        fSeries = Vector256.MultiplyAddEstimate(fSeries, fq, Vector256.Create(2.0f / 1));

        return (fSeries * s.AsSingle()).As<float, T>();
    }
}
