using System.Numerics;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// A hardware vector of float32 or float64 lanes, so that a fused pass is written once for every width: 256 bits
/// (<see cref="Lanes256{T}"/>, every x64 and Arm64 machine) and 512 bits (<see cref="Lanes512{T}"/>, AVX-512). .NET's
/// own vector types share no public interface a generic kernel could be written against (<c>ISimdVector</c> is
/// internal in .NET 10); a struct of one vector is as cheap as the vector itself once the JIT inlines these members.
/// Comparisons give all-ones lanes where they hold, for <see cref="Select"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing vector struct.</typeparam>
/// <typeparam name="T">float or double.</typeparam>
internal unsafe interface ILanes<TSelf, T> :
    IAdditionOperators<TSelf, TSelf, TSelf>,
    ISubtractionOperators<TSelf, TSelf, TSelf>,
    IMultiplyOperators<TSelf, TSelf, TSelf>,
    IDivisionOperators<TSelf, TSelf, TSelf>,
    IUnaryNegationOperators<TSelf, TSelf>
    where TSelf : unmanaged, ILanes<TSelf, T>
    where T : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>0 in every lane.</summary>
    static abstract TSelf Zero { get; }

    /// <summary>1 in every lane.</summary>
    static abstract TSelf One { get; }

    /// <summary><paramref name="value"/>, rounded to <typeparamref name="T"/>, in every lane.</summary>
    static abstract TSelf Create(double value);

    /// <summary><see cref="Count"/> elements from <paramref name="at"/>.</summary>
    static abstract TSelf Load(T* at);

    /// <summary><see cref="Count"/> class indices from <paramref name="at"/>, as <typeparamref name="T"/>.</summary>
    static abstract TSelf LoadIndices(long* at);

    /// <summary>
    /// <see cref="LoadIndices(long*)"/>, with the indices' int64 bits ORed into <paramref name="bits"/> (held in this
    /// type's bits) for <see cref="AllBelow"/>: the conversion to <typeparamref name="T"/> wraps or rounds large indices,
    /// so a range check of the converted lanes alone would pass some that are not in range.
    /// </summary>
    static abstract TSelf LoadIndices(long* at, ref TSelf bits);

    /// <summary>
    /// Whether every index whose bits <see cref="LoadIndices(long*, ref TSelf)"/> ORed into <paramref name="bits"/> lies
    /// in [0, <paramref name="limit"/>), for a power of two limit (a negative index has its sign bit set).
    /// </summary>
    static abstract bool AllBelow(TSelf bits, long limit);

    /// <summary>Lane <paramref name="index"/>.</summary>
    T this[int index] { get; }

    /// <summary>Writes the lanes to <paramref name="at"/>.</summary>
    void Store(T* at);

    /// <summary>
    /// max(−|x|, <paramref name="bound"/>) for a negative bound: one AVX-512 <c>VRANGEP</c> (the smaller magnitude, its
    /// sign set) where the CPU has it, else the sign bit set and a maximum. A NaN x gives the bound with
    /// <c>VRANGEP</c> (it takes the number of a number and a NaN) and NaN without.
    /// </summary>
    static abstract TSelf NegatedAbsAtLeast(TSelf x, TSelf bound);

    /// <summary>
    /// <paramref name="p"/> with its bits XORed with those of <paramref name="t"/> shifted to put t's lowest exponent bit
    /// on the sign: for t in {0, 1}, p with its sign flipped where t is 1; for any t, undone by the same call with the
    /// same t. How a forward pass keeps a binary mask in the sign of the p it stores.
    /// </summary>
    static abstract TSelf FlipSignWhereOne(TSelf p, TSelf t);

    /// <summary>x without its sign, and 1 where its sign bit is set (0 elsewhere): what <see cref="FlipSignWhereOne"/> kept.</summary>
    static abstract (TSelf Magnitude, TSelf SignAsOne) SplitSign(TSelf x);

    /// <summary>The bits of <paramref name="left"/> ORed with those of <paramref name="right"/>.</summary>
    static abstract TSelf Or(TSelf left, TSelf right);

    /// <summary>Whether every lane is +0 or −0.</summary>
    static abstract bool AllZero(TSelf x);

    /// <summary>
    /// The larger of each pair of lanes, in one instruction: where either is NaN, the right one (x64) or NaN (Arm64), so
    /// a value that may be NaN goes on the right, and its NaN is kept.
    /// </summary>
    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>The smaller of each pair of lanes, in one instruction; NaN as for <see cref="Max"/>.</summary>
    static abstract TSelf Min(TSelf left, TSelf right);

    /// <summary>left·right + addend, fused where the hardware has an FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf left, TSelf right, TSelf addend);

    /// <summary>
    /// addend − left·right, the bits of <see cref="MultiplyAdd"/>(−left, right, addend) in one instruction where the
    /// hardware has a negated FMA: the JIT does not fold the negation into the FMA (an XOR a vector).
    /// </summary>
    static abstract TSelf MultiplyAddNegated(TSelf left, TSelf right, TSelf addend);

    /// <summary>left·right − subtrahend, the bits of <see cref="MultiplyAdd"/>(left, right, −subtrahend) in one instruction, as <see cref="MultiplyAddNegated"/>.</summary>
    static abstract TSelf MultiplySubtract(TSelf left, TSelf right, TSelf subtrahend);

    /// <summary>All ones where left ≥ right.</summary>
    static abstract TSelf GreaterThanOrEqual(TSelf left, TSelf right);

    /// <summary>All ones where left &lt; right.</summary>
    static abstract TSelf LessThan(TSelf left, TSelf right);

    /// <summary>All ones where left = right.</summary>
    static abstract TSelf EqualTo(TSelf left, TSelf right);

    /// <summary>whenTrue where the condition's lanes are all ones, whenFalse where they are 0.</summary>
    static abstract TSelf Select(TSelf condition, TSelf whenTrue, TSelf whenFalse);

    /// <summary>
    /// 1 where x ≥ 0 (−0 included), <paramref name="otherwise"/> where x is negative: σ's numerator. AVX-512's
    /// VFIXUPIMM classifies x and writes 1 in one instruction, where a comparison and a selection take two or three; it
    /// writes NaN where x is NaN, which the selection does not (it writes <paramref name="otherwise"/>, the e that
    /// <see cref="NegatedAbsAtLeast"/> kept NaN without AVX-512): σ of NaN is NaN either way.
    /// </summary>
    static abstract TSelf OneWhereNotNegative(TSelf x, TSelf otherwise);

    /// <summary>
    /// p·2ⁿ for lanes n that hold a whole number with 2ⁿ a normal number: exact, with 2ⁿ built in the exponent bits, or
    /// AVX-512's one scaling instruction.
    /// </summary>
    static abstract TSelf ScaleByPowerOfTwo(TSelf p, TSelf n);

    /// <summary>m = 2ᵏ·f with f in [√½, √2), for a positive normal m.</summary>
    static abstract (TSelf Exponent, TSelf Fraction) Decompose(TSelf m);

    /// <summary>
    /// <paramref name="sum"/> plus the lanes of <paramref name="value"/> in float64: a sum is a vector of float64 lanes
    /// held in this type's bits (half as many as float32 lanes, so a float32 vector's halves are added in float64 first),
    /// which only <see cref="Accumulate"/> and <see cref="Total"/> read. Zero is the empty sum.
    /// </summary>
    static abstract TSelf Accumulate(TSelf sum, TSelf value);

    /// <summary>The float64 lanes of a sum built by <see cref="Accumulate"/>, added.</summary>
    static abstract double Total(TSelf sum);
}

/// <summary>Response tables of AVX-512's VFIXUPIMM, which both lane widths use.</summary>
internal static class FixupTables
{
    /// <summary>
    /// A nibble per class of x (QNaN, SNaN, ±0, +1, −∞, +∞, negative, positive, from the lowest): 0x2 (x as a quiet NaN)
    /// for NaN, 0xA (write +1) for ±0, +1, +∞ and positive x, 0 (keep the destination) for −∞ and negative x.
    /// </summary>
    public const int OneWhereNotNegative = unchecked((int)0xA0A0AA22);
}
