using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// The stable order that sorts a row of float32 or float64 values in decreasing order, NaN first and −0 equal to +0,
/// as <c>torch.sort(descending: true)</c> orders them on the CPU (ties keep their positions' order). A least-significant-digit
/// radix sort of the values' bits, a byte per pass: linear in the row's length where a comparison sort is n·log n, and
/// a pass is skipped when every value has the same byte there (the sign and most exponent bits of a row of errors).
/// </summary>
internal static class DescendingOrder
{
    private const int Radix = 256;

    /// <summary>Writes into <paramref name="order"/> the positions of <paramref name="values"/> from the largest value to the smallest.</summary>
    public static void Sort<T>(ReadOnlySpan<T> values, Span<int> order)
        where T : unmanaged
    {
        if (order.Length != values.Length)
        {
            throw new ArgumentException($"An order of {order.Length} positions for {values.Length} values.", nameof(order));
        }

        if (typeof(T) == typeof(float))
        {
            Sort<float, uint>(Cast<T, float>(values), order);
        }
        else if (typeof(T) == typeof(double))
        {
            Sort<double, ulong>(Cast<T, double>(values), order);
        }
        else
        {
            throw new NotSupportedException($"No descending order of {typeof(T).Name} values.");
        }
    }

    private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> values)
        where TFrom : unmanaged
        where TTo : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(values);

    private static unsafe void Sort<T, TKey>(ReadOnlySpan<T> values, Span<int> order)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        var n = values.Length;
        if (n == 0)
        {
            return;
        }

        var bytes = Unsafe.SizeOf<TKey>();
        var keyPool = System.Buffers.ArrayPool<TKey>.Shared;
        var orderPool = System.Buffers.ArrayPool<int>.Shared;
        var (keyBuffer, swapKeyBuffer, swapOrderBuffer) = (keyPool.Rent(n), keyPool.Rent(n), orderPool.Rent(n));
        // How many keys have each byte value, at each byte; then where they start.
        var counts = stackalloc int[bytes * Radix];
        try
        {
            fixed (T* valuesAt = values)
            fixed (int* orderAt = order, swapOrderAt = swapOrderBuffer)
            fixed (TKey* keysAt = keyBuffer, swapKeysAt = swapKeyBuffer)
            {
                Count(valuesAt, keysAt, orderAt, n, counts);
                // Stable passes from the lowest byte up, moving the positions 0 .. n − 1 with their keys.
                TKey* keys = keysAt, swapKeys = swapKeysAt;
                int* positions = orderAt, swapPositions = swapOrderAt;
                for (var b = 0; b < bytes; b++)
                {
                    var starts = counts + (b * Radix);
                    if (!Starts(starts, n))
                    {
                        continue;
                    }

                    Scatter(keys, positions, swapKeys, swapPositions, starts, n, 8 * b);
                    var movedKeys = swapKeys;
                    swapKeys = keys;
                    keys = movedKeys;
                    var movedPositions = swapPositions;
                    swapPositions = positions;
                    positions = movedPositions;
                }

                if (positions != orderAt)
                {
                    new ReadOnlySpan<int>(positions, n).CopyTo(order);
                }
            }
        }
        finally
        {
            keyPool.Return(keyBuffer);
            keyPool.Return(swapKeyBuffer);
            orderPool.Return(swapOrderBuffer);
        }
    }

    // The counts at one byte turned into where the keys of each byte value start. False (nothing changed) when every
    // key has one byte value there: the pass would move nothing.
    private static unsafe bool Starts(int* counts, int n)
    {
        if (new ReadOnlySpan<int>(counts, Radix).IndexOf(n) >= 0)
        {
            return false;
        }

        var start = 0;
        for (var d = 0; d < Radix; d++)
        {
            (counts[d], start) = (start, start + counts[d]);
        }

        return true;
    }

    // Every value's key, its position, and how many keys have each byte value at each byte, the bytes written out (the
    // JIT does not unroll a loop over them: it took twice the instructions). Neither loop is inlined: in the caller,
    // whose buffers are pinned across a try block, the JIT kept their pointers on the stack.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Count<T, TKey>(T* values, TKey* keys, int* positions, int n, int* counts)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        var bytes = Unsafe.SizeOf<TKey>();
        new Span<int>(counts, bytes * Radix).Clear();
        for (var i = 0; i < n; i++)
        {
            var key = DescendingKey<T, TKey>(values[i]);
            keys[i] = key;
            positions[i] = i;
            var bits = ulong.CreateTruncating(key);
            counts[(int)(bits & 0xFF)]++;
            counts[Radix + (int)((bits >> 8) & 0xFF)]++;
            counts[(2 * Radix) + (int)((bits >> 16) & 0xFF)]++;
            counts[(3 * Radix) + (int)((bits >> 24) & 0xFF)]++;
            if (bytes == 8)
            {
                counts[(4 * Radix) + (int)((bits >> 32) & 0xFF)]++;
                counts[(5 * Radix) + (int)((bits >> 40) & 0xFF)]++;
                counts[(6 * Radix) + (int)((bits >> 48) & 0xFF)]++;
                counts[(7 * Radix) + (int)(bits >> 56)]++;
            }
        }
    }

    // One stable pass: each key and its position to the next free place of its byte's bucket.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Scatter<TKey>(TKey* keys, int* positions, TKey* toKeys, int* toPositions, int* starts, int n, int shift)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        for (var i = 0; i < n; i++)
        {
            var key = keys[i];
            var at = starts[Digit(key, shift)]++;
            toKeys[at] = key;
            toPositions[at] = positions[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Digit<TKey>(TKey key, int shift)
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey> =>
        int.CreateTruncating(key >>> shift) & (Radix - 1);

    // Unsigned keys whose increasing order is the values' decreasing order: the bits of a non-negative value with the
    // sign bit set, of a negative one all flipped, give increasing keys for increasing values; then flipped once more.
    // NaN gets the smallest key (first), and −0 becomes +0 by adding 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TKey DescendingKey<T, TKey>(T value)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TKey : unmanaged, IBinaryInteger<TKey>, IUnsignedNumber<TKey>
    {
        if (T.IsNaN(value))
        {
            return TKey.Zero;
        }

        var bits = Unsafe.BitCast<T, TKey>(value + T.Zero);
        var sign = TKey.One << ((8 * Unsafe.SizeOf<TKey>()) - 1);
        var increasing = (bits & sign) == TKey.Zero ? bits | sign : ~bits;
        return ~increasing;
    }
}
