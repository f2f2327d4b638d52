using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Cli.Npy;

/// <summary>An element type the .npy reader and writer support: little-endian numbers and one-byte masks.</summary>
internal sealed class NpyDType
{
    private NpyDType(string descr, int size, Type elementType, bool isFloatingPoint, bool isInteger)
    {
        Descr = descr;
        Size = size;
        ElementType = elementType;
        IsFloatingPoint = isFloatingPoint;
        IsInteger = isInteger;
    }

    /// <summary><c>&lt;f4</c>: float32.</summary>
    public static NpyDType Float32 { get; } = new("<f4", 4, typeof(float), isFloatingPoint: true, isInteger: false);

    /// <summary><c>&lt;f8</c>: float64.</summary>
    public static NpyDType Float64 { get; } = new("<f8", 8, typeof(double), isFloatingPoint: true, isInteger: false);

    /// <summary><c>&lt;i4</c>: int32.</summary>
    public static NpyDType Int32 { get; } = new("<i4", 4, typeof(int), isFloatingPoint: false, isInteger: true);

    /// <summary><c>&lt;i8</c>: int64.</summary>
    public static NpyDType Int64 { get; } = new("<i8", 8, typeof(long), isFloatingPoint: false, isInteger: true);

    /// <summary><c>|b1</c>: bool, one byte, nonzero is true.</summary>
    public static NpyDType Bool { get; } = new("|b1", 1, typeof(bool), isFloatingPoint: false, isInteger: false);

    /// <summary><c>|u1</c>: uint8.</summary>
    public static NpyDType UInt8 { get; } = new("|u1", 1, typeof(byte), isFloatingPoint: false, isInteger: true);

    /// <summary>Every supported type, in the order messages list them.</summary>
    public static IReadOnlyList<NpyDType> All { get; } = new[] { Float32, Float64, Int32, Int64, Bool, UInt8 };

    /// <summary>The numpy type string, as written in a header: <c>&lt;f4</c>.</summary>
    public string Descr { get; }

    /// <summary>Bytes per element.</summary>
    public int Size { get; }

    /// <summary>The .NET element type of <see cref="NpyArray.Data"/>.</summary>
    public Type ElementType { get; }

    /// <summary>float32 or float64.</summary>
    public bool IsFloatingPoint { get; }

    /// <summary>A signed or unsigned integer type (not bool).</summary>
    public bool IsInteger { get; }

    /// <summary>
    /// The type a header's <c>descr</c> names. One-byte types carry no byte order, so numpy writes <c>|</c>; <c>&lt;</c>
    /// and <c>=</c> are accepted for them too. Anything else throws <see cref="NpyFormatException"/> naming the problem.
    /// </summary>
    public static NpyDType Parse(string descr)
    {
        var match = All.FirstOrDefault(d => d.Descr == descr
            || (d.Size == 1 && descr.Length == 3 && (descr[0] == '<' || descr[0] == '=') && descr[1..] == d.Descr[1..]));
        if (match is not null)
        {
            return match;
        }

        if (descr.Length > 1 && descr[0] == '>' && All.Any(d => d.Descr[1..] == descr[1..]))
        {
            throw new NpyFormatException($"the data is big-endian ('{descr}'); only little-endian is supported (in numpy: a.astype('<{descr[1..]}'))");
        }

        throw new NpyFormatException($"unsupported dtype '{descr}'; supported: {string.Join(", ", All.Select(d => d.Descr))}");
    }

    /// <summary>The type whose elements are <typeparamref name="T"/>.</summary>
    public static NpyDType Of<T>() => All.FirstOrDefault(d => d.ElementType == typeof(T))
        ?? throw new ArgumentException($"{typeof(T).Name} has no .npy type here; supported: float, double, int, long, bool, byte.");

    /// <inheritdoc/>
    public override string ToString() => Descr;
}
