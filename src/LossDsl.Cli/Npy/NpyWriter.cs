using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace LossDsl.Cli.Npy;

/// <summary>Writes arrays as numpy does: format 1.0 (2.0 when the header needs more than 64 KiB), data aligned to 64 bytes.</summary>
internal static class NpyWriter
{
    /// <summary>Writes <paramref name="array"/> to a new file at <paramref name="path"/>, replacing any file there.</summary>
    public static void WriteFile(string path, NpyArray array)
    {
        using var stream = File.Create(path);
        Write(stream, array);
    }

    /// <summary>Writes the preamble, the header and the data of <paramref name="array"/>.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        var dict = new NpyHeader(array.DType.Descr, FortranOrder: false, array.Shape).Format();
        var major = 1;
        var header = PaddedHeader(dict, NpyFormat.PreambleLength(major));
        if (header.Length > ushort.MaxValue)
        {
            major = 2;
            header = PaddedHeader(dict, NpyFormat.PreambleLength(major));
        }

        stream.Write(NpyFormat.Magic);
        stream.Write(new byte[] { (byte)major, 0 });
        var length = new byte[NpyFormat.PreambleLength(major) - NpyFormat.Magic.Length - 2];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        }

        stream.Write(length);
        stream.Write(header);
        stream.Write(Encode(array));
    }

    // Spaces, then a newline, so that the data starts at a multiple of the alignment.
    private static byte[] PaddedHeader(string dict, int preambleLength)
    {
        var padding = (NpyFormat.Alignment - ((preambleLength + dict.Length + 1) % NpyFormat.Alignment)) % NpyFormat.Alignment;
        return Encoding.Latin1.GetBytes(dict + new string(' ', padding) + "\n");
    }

    private static byte[] Encode(NpyArray array)
    {
        var size = array.DType.Size;
        var bytes = new byte[array.Data.Length * size];
        switch (array.Data)
        {
            case float[] values:
                Fill(values, (v, i) => BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * size), v));
                break;
            case double[] values:
                Fill(values, (v, i) => BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * size), v));
                break;
            case int[] values:
                Fill(values, (v, i) => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * size), v));
                break;
            case long[] values:
                Fill(values, (v, i) => BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * size), v));
                break;
            case bool[] values:
                Fill(values, (v, i) => bytes[i] = v ? (byte)1 : (byte)0);
                break;
            default:
                ((byte[])array.Data).CopyTo(bytes, 0);
                break;
        }

        return bytes;
    }

    private static void Fill<T>(T[] values, Action<T, int> write)
    {
        for (var i = 0; i < values.Length; i++)
        {
            write(values[i], i);
        }
    }
}
