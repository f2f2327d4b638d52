using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="ILanes{TSelf, T}"/> on <see cref="Vector512{T}"/>: AVX-512 machines, where the JIT reports <see cref="Vector512.IsHardwareAccelerated"/>; elsewhere .NET
/// runs it in software, which the tests use to check it on every machine. The twin of <see cref="Lanes256{T}"/>, differing
/// only in the vector type.
/// </summary>
internal readonly unsafe struct Lanes512<T> : ILanes<Lanes512<T>, T>
    where T : unmanaged
{
    private readonly Vector512<T> value;

    // 1.5·2⁵² and 1.5·2²³, and the first one's bits: a whole number added to them lands in the low bits of the mantissa.
    private const double Shift64 = 6755399441055744.0;
    private const long ShiftBits64 = 0x4338000000000000;
    private const float Shift32 = 12582912.0f;

    private Lanes512(Vector512<T> value) => this.value = value;

    public static int Count => Vector512<T>.Count;

    public static Lanes512<T> Zero => new(Vector512<T>.Zero);

    public static Lanes512<T> One => new(Vector512<T>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Create(double value) =>
        new(typeof(T) == typeof(double) ? Vector512.Create(value).As<double, T>() : Vector512.Create((float)value).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Load(T* at) => new(Vector512.Load(at));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> LoadIndices(long* at) =>
        new(typeof(T) == typeof(double)
            ? Vector512.ConvertToDouble(Vector512.Load(at)).As<double, T>()
            : Vector512.ConvertToSingle(Vector512.Narrow(Vector512.Load(at), Vector512.Load(at + Vector512<long>.Count))).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> LoadIndices(long* at, ref Lanes512<T> bits)
    {
        var low = Vector512.Load(at);
        if (typeof(T) == typeof(double))
        {
            bits = new(bits.value | low.As<long, T>());
            return new(Vector512.ConvertToDouble(low).As<double, T>());
        }

        var high = Vector512.Load(at + Vector512<long>.Count);
        bits = new(bits.value | (low | high).As<long, T>());
        return new(Vector512.ConvertToSingle(Vector512.Narrow(low, high)).As<float, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllBelow(Lanes512<T> bits, long limit) => (bits.value.AsUInt64() & Vector512.Create(~(ulong)(limit - 1))) == Vector512<ulong>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(T* at) => value.Store(at);

    // VRANGEP's control: bits 1:0 = 10, the operand of the smaller magnitude; bits 3:2 = 11, its sign bit set.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> NegatedAbsAtLeast(Lanes512<T> x, Lanes512<T> bound) =>
        Avx512DQ.IsSupported && typeof(T) == typeof(float) ? new(Avx512DQ.Range(bound.value.AsSingle(), x.value.AsSingle(), 0b1110).As<float, T>())
            : Avx512DQ.IsSupported && typeof(T) == typeof(double) ? new(Avx512DQ.Range(bound.value.AsDouble(), x.value.AsDouble(), 0b1110).As<double, T>())
            : Max(bound, NegatedAbs(x));

    // −|x|: the sign bit set, one instruction (|x| and its negation are two).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Lanes512<T> NegatedAbs(Lanes512<T> x) =>
        new(x.value | (typeof(T) == typeof(double) ? Vector512.Create(-0.0).As<double, T>() : Vector512.Create(-0.0f).As<float, T>()));

    // The shift puts the lowest exponent bit (bit 23 of a float32, 52 of a float64) on the sign bit: 1.0's bits become the
    // sign bit alone.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> FlipSignWhereOne(Lanes512<T> p, Lanes512<T> t) =>
        new(typeof(T) == typeof(double) ? (p.value.AsInt64() ^ (t.value.AsInt64() << 11)).As<long, T>() : (p.value.AsInt32() ^ (t.value.AsInt32() << 8)).As<int, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Lanes512<T> Magnitude, Lanes512<T> SignAsOne) SplitSign(Lanes512<T> x)
    {
        var spread = typeof(T) == typeof(double) ? Vector512.ShiftRightArithmetic(x.value.AsInt64(), 63).As<long, T>() : Vector512.ShiftRightArithmetic(x.value.AsInt32(), 31).As<int, T>();
        return (new(Vector512.AndNot(x.value, NegatedAbs(Zero).value)), new(spread & One.value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Or(Lanes512<T> left, Lanes512<T> right) => new(left.value | right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllZero(Lanes512<T> x) => Vector512.AndNot(x.value, NegatedAbs(Zero).value) == Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Max(Lanes512<T> left, Lanes512<T> right) => new(Vector512.MaxNative(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Min(Lanes512<T> left, Lanes512<T> right) => new(Vector512.MinNative(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> MultiplyAdd(Lanes512<T> left, Lanes512<T> right, Lanes512<T> addend) =>
        new(typeof(T) == typeof(double)
            ? Vector512.MultiplyAddEstimate(left.value.AsDouble(), right.value.AsDouble(), addend.value.AsDouble()).As<double, T>()
            : Vector512.MultiplyAddEstimate(left.value.AsSingle(), right.value.AsSingle(), addend.value.AsSingle()).As<float, T>());

    // The instruction only where MultiplyAdd's Vector512.MultiplyAddEstimate is one too (an accelerated vector type on a CPU
    // with FMA), so that both round alike: a product rounded apart in one and not the other would differ in the last bit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> MultiplyAddNegated(Lanes512<T> left, Lanes512<T> right, Lanes512<T> addend) =>
        !(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) ? MultiplyAdd(new(-left.value), right, addend)
            : typeof(T) == typeof(double) ? new(Avx512F.FusedMultiplyAddNegated(left.value.AsDouble(), right.value.AsDouble(), addend.value.AsDouble()).As<double, T>())
            : new(Avx512F.FusedMultiplyAddNegated(left.value.AsSingle(), right.value.AsSingle(), addend.value.AsSingle()).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> MultiplySubtract(Lanes512<T> left, Lanes512<T> right, Lanes512<T> subtrahend) =>
        !(Vector512.IsHardwareAccelerated && Avx512F.IsSupported) ? MultiplyAdd(left, right, new(-subtrahend.value))
            : typeof(T) == typeof(double) ? new(Avx512F.FusedMultiplySubtract(left.value.AsDouble(), right.value.AsDouble(), subtrahend.value.AsDouble()).As<double, T>())
            : new(Avx512F.FusedMultiplySubtract(left.value.AsSingle(), right.value.AsSingle(), subtrahend.value.AsSingle()).As<float, T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> GreaterThanOrEqual(Lanes512<T> left, Lanes512<T> right) => new(Vector512.GreaterThanOrEqual(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> LessThan(Lanes512<T> left, Lanes512<T> right) => new(Vector512.LessThan(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> EqualTo(Lanes512<T> left, Lanes512<T> right) => new(Vector512.Equals(left.value, right.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Select(Lanes512<T> condition, Lanes512<T> whenTrue, Lanes512<T> whenFalse) =>
        new(Vector512.ConditionalSelect(condition.value, whenTrue.value, whenFalse.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> OneWhereNotNegative(Lanes512<T> x, Lanes512<T> otherwise) =>
        Avx512F.IsSupported && typeof(T) == typeof(float) ? new(Avx512F.Fixup(otherwise.value.AsSingle(), x.value.AsSingle(), Vector512.Create(FixupTables.OneWhereNotNegative), 0).As<float, T>())
            : Avx512F.IsSupported && typeof(T) == typeof(double) ? new(Avx512F.Fixup(otherwise.value.AsDouble(), x.value.AsDouble(), Vector512.Create((long)FixupTables.OneWhereNotNegative), 0).As<double, T>())
            : Select(GreaterThanOrEqual(x, Zero), One, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> ScaleByPowerOfTwo(Lanes512<T> p, Lanes512<T> n) =>
        // VSCALEFPS/PD: one instruction for the three of an exponent built in bits and a product.
        Avx512F.IsSupported && typeof(T) == typeof(float) ? new(Avx512F.Scale(p.value.AsSingle(), n.value.AsSingle()).As<float, T>())
            : Avx512F.IsSupported && typeof(T) == typeof(double) ? new(Avx512F.Scale(p.value.AsDouble(), n.value.AsDouble()).As<double, T>())
            : new(p.value * PowerOfTwo(n).value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Lanes512<T> PowerOfTwo(Lanes512<T> n)
    {
        // n + bias + 1.5·2^(mantissa bits) holds n + bias in its low bits, which the shift moves into the exponent field.
        if (typeof(T) == typeof(double))
        {
            var biased = n.value.AsDouble() + Vector512.Create(1023 + Shift64);
            return new((biased.AsInt64() << 52).As<long, T>());
        }

        var biasedSingle = n.value.AsSingle() + Vector512.Create(127 + Shift32);
        return new((biasedSingle.AsInt32() << 23).As<int, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Lanes512<T> Exponent, Lanes512<T> Fraction) Decompose(Lanes512<T> m)
    {
        // k = the exponent of m/√2 rounded down; f = m / 2ᵏ by taking k from the exponent bits.
        if (typeof(T) == typeof(double))
        {
            var bits = m.value.AsInt64();
            var k = (bits - Vector512.Create(0x3FE6A09E667F3BCDL)) >> 52;
            var exponent = (k + Vector512.Create(ShiftBits64)).AsDouble() - Vector512.Create(Shift64);
            return (new(exponent.As<double, T>()), new((bits - (k << 52)).As<long, T>()));
        }

        var singleBits = m.value.AsInt32();
        var singleK = (singleBits - Vector512.Create(0x3F3504F3)) >> 23;
        return (new(Vector512.ConvertToSingle(singleK).As<float, T>()), new((singleBits - (singleK << 23)).As<int, T>()));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> Accumulate(Lanes512<T> sum, Lanes512<T> value)
    {
        if (typeof(T) == typeof(double))
        {
            return new(sum.value + value.value);
        }

        var (lower, upper) = Vector512.Widen(value.value.AsSingle());
        return new((sum.value.AsDouble() + (lower + upper)).As<double, T>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Total(Lanes512<T> sum) => Vector512.Sum(sum.value.AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator +(Lanes512<T> left, Lanes512<T> right) => new(left.value + right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator -(Lanes512<T> left, Lanes512<T> right) => new(left.value - right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator *(Lanes512<T> left, Lanes512<T> right) => new(left.value * right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator /(Lanes512<T> left, Lanes512<T> right) => new(left.value / right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512<T> operator -(Lanes512<T> value) => new(-value.value);

    public T this[int index] => value.GetElement(index);
}
