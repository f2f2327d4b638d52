using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl.Cli.Npy;

/// <summary>An n-dimensional array as a .npy file holds it: a type, a shape and the elements in C (row-major) order.</summary>
internal sealed class NpyArray
{
    private NpyArray(NpyDType dtype, long[] shape, Array data)
    {
        DType = dtype;
        Shape = shape;
        Data = data;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The dimensions; empty for a 0-d (scalar) array.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The elements in C order: a <c>float[]</c>, <c>double[]</c>, <c>int[]</c>, <c>long[]</c>, <c>bool[]</c> or <c>byte[]</c> per <see cref="DType"/>.</summary>
    public Array Data { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Count;

    /// <summary>Wraps <paramref name="data"/> (not copied) as an array of <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The element count is not the product of the shape, or a dimension is negative.</exception>
    public static NpyArray Create<T>(T[] data, params long[] shape)
        where T : unmanaged
    {
        if (shape.Any(d => d < 0))
        {
            throw new ArgumentException($"Shape {FormatShape(shape)} has a negative dimension.", nameof(shape));
        }

        if (ElementCount(shape) != data.Length)
        {
            throw new ArgumentException($"Shape {FormatShape(shape)} holds {ElementCount(shape)} element(s), the data has {data.Length}.", nameof(data));
        }

        return new NpyArray(NpyDType.Of<T>(), shape.ToArray(), data);
    }

    /// <summary>The elements as <typeparamref name="T"/>, which must be the <see cref="DType"/>'s element type.</summary>
    public T[] As<T>() => Data as T[]
        ?? throw new InvalidOperationException($"The array holds {DType} ({DType.ElementType.Name}), not {typeof(T).Name}.");

    /// <summary>The elements as float64, exactly for the floating-point types and integers up to 2^53.</summary>
    public double[] ToDoubleArray() => Data switch
    {
        float[] values => Array.ConvertAll(values, v => (double)v),
        double[] values => (double[])values.Clone(),
        int[] values => Array.ConvertAll(values, v => (double)v),
        long[] values => Array.ConvertAll(values, v => (double)v),
        bool[] values => Array.ConvertAll(values, v => v ? 1.0 : 0.0),
        _ => Array.ConvertAll((byte[])Data, v => (double)v),
    };

    /// <summary>The elements as int64; the array must hold integers.</summary>
    public long[] ToInt64Array() => Data switch
    {
        int[] values => Array.ConvertAll(values, v => (long)v),
        long[] values => (long[])values.Clone(),
        byte[] values => Array.ConvertAll(values, v => (long)v),
        _ => throw new InvalidOperationException($"The array holds {DType}, not integers."),
    };

    /// <summary>The C-order position of element <paramref name="flatIndex"/> as numpy prints an index: <c>(0, 2, 1)</c>.</summary>
    public string FormatIndex(long flatIndex)
    {
        var index = new long[Rank];
        for (var d = Rank - 1; d >= 0; d--)
        {
            index[d] = flatIndex % Shape[d];
            flatIndex /= Shape[d];
        }

        return FormatShape(index);
    }

    /// <summary>The product of the dimensions (1 for a 0-d array).</summary>
    public static long ElementCount(IReadOnlyList<long> shape) => shape.Aggregate(1L, (product, d) => checked(product * d));

    /// <summary>A shape as numpy prints it: <c>(2, 3)</c>, <c>(3,)</c>, <c>()</c>.</summary>
    public static string FormatShape(IReadOnlyList<long> shape) =>
        shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    /// <inheritdoc/>
    public override string ToString() => $"{DType} array of shape {FormatShape(Shape)}";
}
