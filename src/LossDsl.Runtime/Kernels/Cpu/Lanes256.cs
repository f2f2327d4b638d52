using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="ILanes{TSelf, T}"/> on <see cref="Vector256{T}"/>: every x64 machine this project runs on (AVX2 and AVX-512 alike). Its twin, <see cref="Lanes512{T}"/>, differs only in the
/// vector type: .NET gives the two widths no common interface (see <see cref="ILanes{TSelf, T}"/>).
/// </summary>
internal readonly unsafe struct Lanes256<T> : ILanes<Lanes256<T>, T>
    where T : unmanaged
{
    private readonly Vector256<T> value;

    // 1.5·2⁵² and 1.5·2²³, and the first one's bits: a whole number added to them lands in the low bits of the mantissa.
    private const double Shift64 = 6755399441055744.0;
    private const long ShiftBits64 = 0x4338000000000000;
    private const float Shift32 = 12582912.0f;

    private Lanes256(Vector256<T> value) => this.value = value;

    public static int Count => Vector256<T>.Count;

    public static Lanes256<T> Zero => new(Vector256<T>.Zero);

    public static Lanes256<T> One => new(Vector256<T>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Create(double value) =>
        new(typeof(T) == typeof(double) ? Vector256.Create(value).As<double, T>() : Vector256.Create((float)value).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Load(T* at) => new(Vector256.Load(at));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> LoadIndices(long* at) =>
        new(typeof(T) == typeof(double)
            ? Vector256.ConvertToDouble(Vector256.Load(at)).As<double, T>()
            : Vector256.ConvertToSingle(Vector256.Narrow(Vector256.Load(at), Vector256.Load(at + Vector256<long>.Count))).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> LoadIndices(long* at, ref Lanes256<T> bits)
    {
        var low = Vector256.Load(at);
        if (typeof(T) == typeof(double))
        {
            bits = new(bits.value | low.As<long, T>());
            return new(Vector256.ConvertToDouble(low).As<double, T>());
        }

        var high = Vector256.Load(at + Vector256<long>.Count);
        bits = new(bits.value | (low | high).As<long, T>());
        return new(Vector256.ConvertToSingle(Vector256.Narrow(low, high)).As<float, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllBelow(Lanes256<T> bits, long limit) => (bits.value.AsUInt64() & Vector256.Create(~(ulong)(limit - 1))) == Vector256<ulong>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* at) => value.Store(at);

    // VRANGEP's control: bits 1:0 = 10, the operand of the smaller magnitude; bits 3:2 = 11, its sign bit set.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> NegatedAbsAtLeast(Lanes256<T> x, Lanes256<T> bound) =>
        Avx512DQ.VL.IsSupported && typeof(T) == typeof(float) ? new(Avx512DQ.VL.Range(bound.value.AsSingle(), x.value.AsSingle(), 0b1110).As<float, T>())
            : Avx512DQ.VL.IsSupported && typeof(T) == typeof(double) ? new(Avx512DQ.VL.Range(bound.value.AsDouble(), x.value.AsDouble(), 0b1110).As<double, T>())
            : Max(bound, NegatedAbs(x));

    // −|x|: the sign bit set, one instruction (|x| and its negation are two).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Lanes256<T> NegatedAbs(Lanes256<T> x) =>
        new(x.value | (typeof(T) == typeof(double) ? Vector256.Create(-0.0).As<double, T>() : Vector256.Create(-0.0f).As<float, T>()));

    // The shift puts the lowest exponent bit (bit 23 of a float32, 52 of a float64) on the sign bit: 1.0's bits become the
    // sign bit alone.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> FlipSignWhereOne(Lanes256<T> p, Lanes256<T> t) =>
        new(typeof(T) == typeof(double) ? (p.value.AsInt64() ^ (t.value.AsInt64() << 11)).As<long, T>() : (p.value.AsInt32() ^ (t.value.AsInt32() << 8)).As<int, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Lanes256<T> Magnitude, Lanes256<T> SignAsOne) SplitSign(Lanes256<T> x)
    {
        var spread = typeof(T) == typeof(double) ? Vector256.ShiftRightArithmetic(x.value.AsInt64(), 63).As<long, T>() : Vector256.ShiftRightArithmetic(x.value.AsInt32(), 31).As<int, T>();
        return (new(Vector256.AndNot(x.value, NegatedAbs(Zero).value)), new(spread & One.value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Or(Lanes256<T> left, Lanes256<T> right) => new(left.value | right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllZero(Lanes256<T> x) => Vector256.AndNot(x.value, NegatedAbs(Zero).value) == Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Max(Lanes256<T> left, Lanes256<T> right) => new(Vector256.MaxNative(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Min(Lanes256<T> left, Lanes256<T> right) => new(Vector256.MinNative(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> MultiplyAdd(Lanes256<T> left, Lanes256<T> right, Lanes256<T> addend) =>
        new(typeof(T) == typeof(double)
            ? Vector256.MultiplyAddEstimate(left.value.AsDouble(), right.value.AsDouble(), addend.value.AsDouble()).As<double, T>()
            : Vector256.MultiplyAddEstimate(left.value.AsSingle(), right.value.AsSingle(), addend.value.AsSingle()).As<float, T>());

    // The instruction only where MultiplyAdd's Vector256.MultiplyAddEstimate is one too (an accelerated vector type on a CPU
    // with FMA), so that both round alike: a product rounded apart in one and not the other would differ in the last bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> MultiplyAddNegated(Lanes256<T> left, Lanes256<T> right, Lanes256<T> addend) =>
        !(Vector256.IsHardwareAccelerated && Fma.IsSupported) ? MultiplyAdd(new(-left.value), right, addend)
            : typeof(T) == typeof(double) ? new(Fma.MultiplyAddNegated(left.value.AsDouble(), right.value.AsDouble(), addend.value.AsDouble()).As<double, T>())
            : new(Fma.MultiplyAddNegated(left.value.AsSingle(), right.value.AsSingle(), addend.value.AsSingle()).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> MultiplySubtract(Lanes256<T> left, Lanes256<T> right, Lanes256<T> subtrahend) =>
        !(Vector256.IsHardwareAccelerated && Fma.IsSupported) ? MultiplyAdd(left, right, new(-subtrahend.value))
            : typeof(T) == typeof(double) ? new(Fma.MultiplySubtract(left.value.AsDouble(), right.value.AsDouble(), subtrahend.value.AsDouble()).As<double, T>())
            : new(Fma.MultiplySubtract(left.value.AsSingle(), right.value.AsSingle(), subtrahend.value.AsSingle()).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> GreaterThanOrEqual(Lanes256<T> left, Lanes256<T> right) => new(Vector256.GreaterThanOrEqual(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> LessThan(Lanes256<T> left, Lanes256<T> right) => new(Vector256.LessThan(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> EqualTo(Lanes256<T> left, Lanes256<T> right) => new(Vector256.Equals(left.value, right.value));

    // x64: one blend (it reads each condition lane's sign bit, the same thing for all-ones or 0 lanes) where the
    // bitwise select is three instructions: 4 % off a ce + dice step on AMD Zen 3. AVX-512's select is one already.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Select(Lanes256<T> condition, Lanes256<T> whenTrue, Lanes256<T> whenFalse) =>
        new(Avx.IsSupported && typeof(T) == typeof(float) ? Avx.BlendVariable(whenFalse.value.AsSingle(), whenTrue.value.AsSingle(), condition.value.AsSingle()).As<float, T>()
            : Avx.IsSupported && typeof(T) == typeof(double) ? Avx.BlendVariable(whenFalse.value.AsDouble(), whenTrue.value.AsDouble(), condition.value.AsDouble()).As<double, T>()
            : Vector256.ConditionalSelect(condition.value, whenTrue.value, whenFalse.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> OneWhereNotNegative(Lanes256<T> x, Lanes256<T> otherwise) =>
        Avx512F.VL.IsSupported && typeof(T) == typeof(float) ? new(Avx512F.VL.Fixup(otherwise.value.AsSingle(), x.value.AsSingle(), Vector256.Create(FixupTables.OneWhereNotNegative), 0).As<float, T>())
            : Avx512F.VL.IsSupported && typeof(T) == typeof(double) ? new(Avx512F.VL.Fixup(otherwise.value.AsDouble(), x.value.AsDouble(), Vector256.Create((long)FixupTables.OneWhereNotNegative), 0).As<double, T>())
            : Select(GreaterThanOrEqual(x, Zero), One, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> ScaleByPowerOfTwo(Lanes256<T> p, Lanes256<T> n) => new(p.value * PowerOfTwo(n).value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Lanes256<T> PowerOfTwo(Lanes256<T> n)
    {
        // n + bias + 1.5·2^(mantissa bits) holds n + bias in its low bits, which the shift moves into the exponent field.
        if (typeof(T) == typeof(double))
        {
            var biased = n.value.AsDouble() + Vector256.Create(1023 + Shift64);
            return new((biased.AsInt64() << 52).As<long, T>());
        }

        var biasedSingle = n.value.AsSingle() + Vector256.Create(127 + Shift32);
        return new((biasedSingle.AsInt32() << 23).As<int, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Lanes256<T> Exponent, Lanes256<T> Fraction) Decompose(Lanes256<T> m)
    {
        // k = the exponent of m/√2 rounded down; f = m / 2ᵏ by taking k from the exponent bits.
        if (typeof(T) == typeof(double))
        {
            var bits = m.value.AsInt64();
            var k = (bits - Vector256.Create(0x3FE6A09E667F3BCDL)) >> 52;
            var exponent = (k + Vector256.Create(ShiftBits64)).AsDouble() - Vector256.Create(Shift64);
            return (new(exponent.As<double, T>()), new((bits - (k << 52)).As<long, T>()));
        }

        var singleBits = m.value.AsInt32();
        var singleK = (singleBits - Vector256.Create(0x3F3504F3)) >> 23;
        return (new(Vector256.ConvertToSingle(singleK).As<float, T>()), new((singleBits - (singleK << 23)).As<int, T>()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> Accumulate(Lanes256<T> sum, Lanes256<T> value)
    {
        if (typeof(T) == typeof(double))
        {
            return new(sum.value + value.value);
        }

        var (lower, upper) = Vector256.Widen(value.value.AsSingle());
        return new((sum.value.AsDouble() + (lower + upper)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Lanes256<T> sum) => Vector256.Sum(sum.value.AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator +(Lanes256<T> left, Lanes256<T> right) => new(left.value + right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator -(Lanes256<T> left, Lanes256<T> right) => new(left.value - right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator *(Lanes256<T> left, Lanes256<T> right) => new(left.value * right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator /(Lanes256<T> left, Lanes256<T> right) => new(left.value / right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256<T> operator -(Lanes256<T> value) => new(-value.value);

    public T this[int index] => value.GetElement(index);
}
