using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;

namespace LossDsl.Cli.Npy;

/// <summary>
/// Reads .npy files of format versions 1.0, 2.0 and 3.0 holding a C-order array of one of the <see cref="NpyDType"/>s.
/// Everything else (another format, a truncated file, big-endian or Fortran-order data, another dtype) throws
/// <see cref="NpyFormatException"/> saying what is wrong.
/// </summary>
internal static class NpyReader
{
    /// <summary>Reads the file at <paramref name="path"/>; I/O errors (a missing file) are thrown as they are.</summary>
    public static NpyArray ReadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>Reads one array from <paramref name="stream"/>, which must end where the array's data ends.</summary>
    public static NpyArray Read(Stream stream)
    {
        var magic = ReadBytes(stream, NpyFormat.Magic.Length);
        if (magic.Length == 0)
        {
            throw new NpyFormatException("not a .npy file: the file is empty");
        }

        if (!magic.AsSpan().SequenceEqual(NpyFormat.Magic))
        {
            throw new NpyFormatException("not a .npy file: it does not start with the .npy magic string \\x93NUMPY");
        }

        var version = ReadBytes(stream, 2);
        if (version.Length < 2)
        {
            throw new NpyFormatException("truncated: the file ends inside the format version");
        }

        var (major, minor) = (version[0], version[1]);
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new NpyFormatException($"unsupported .npy format version {major}.{minor} (supported: 1.0, 2.0, 3.0)");
        }

        var lengthBytes = ReadBytes(stream, NpyFormat.PreambleLength(major) - NpyFormat.Magic.Length - 2);
        if (lengthBytes.Length < (major == 1 ? 2 : 4))
        {
            throw new NpyFormatException("truncated: the file ends inside the header length");
        }

        var headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > int.MaxValue)
        {
            throw new NpyFormatException($"the header length {headerLength} is not plausible");
        }

        var headerBytes = ReadBytes(stream, (int)headerLength);
        if (headerBytes.Length < headerLength)
        {
            throw new NpyFormatException($"truncated: the header should be {headerLength} bytes, the file has {headerBytes.Length} after the preamble");
        }

        // Versions 1.0 and 2.0 store the header in latin-1, 3.0 in UTF-8.
        var header = NpyHeader.Parse((major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes));
        var dtype = NpyDType.Parse(header.Descr);

        // A 0-d or 1-d array is laid out the same in both orders.
        if (header.FortranOrder && header.Shape.Count > 1)
        {
            throw new NpyFormatException($"the array of shape {NpyArray.FormatShape(header.Shape)} is stored in Fortran (column-major) order; only C order is supported (in numpy: np.save(path, np.ascontiguousarray(a)))");
        }

        var count = ElementCount(header);
        var data = ReadBytes(stream, (int)(count * dtype.Size));
        if (data.Length < count * dtype.Size)
        {
            throw new NpyFormatException($"truncated data: shape {NpyArray.FormatShape(header.Shape)} of {dtype} needs {count * dtype.Size} bytes, the file has {data.Length}");
        }

        if (stream.ReadByte() != -1)
        {
            throw new NpyFormatException($"the file goes on after the {count * dtype.Size} bytes of data that shape {NpyArray.FormatShape(header.Shape)} of {dtype} needs");
        }

        return Decode(dtype, header.Shape.ToArray(), data, (int)count);
    }

    private static long ElementCount(NpyHeader header)
    {
        try
        {
            var count = NpyArray.ElementCount(header.Shape);
            if (count * 8 <= Array.MaxLength)
            {
                return count;
            }
        }
        catch (OverflowException)
        {
        }

        throw new NpyFormatException($"the shape {NpyArray.FormatShape(header.Shape)} is too large to load");
    }

    private static NpyArray Decode(NpyDType dtype, long[] shape, byte[] bytes, int count)
    {
        if (dtype == NpyDType.Float32)
        {
            return NpyArray.Create(Elements(count, i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))), shape);
        }

        if (dtype == NpyDType.Float64)
        {
            return NpyArray.Create(Elements(count, i => BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8))), shape);
        }

        if (dtype == NpyDType.Int32)
        {
            return NpyArray.Create(Elements(count, i => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4))), shape);
        }

        if (dtype == NpyDType.Int64)
        {
            return NpyArray.Create(Elements(count, i => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8))), shape);
        }

        return dtype == NpyDType.Bool
            ? NpyArray.Create(Elements(count, i => bytes[i] != 0), shape)
            : NpyArray.Create(bytes, shape);
    }

    private static T[] Elements<T>(int count, Func<int, T> read)
    {
        var elements = new T[count];
        for (var i = 0; i < count; i++)
        {
            elements[i] = read(i);
        }

        return elements;
    }

    // As many of the next `count` bytes as the stream has: callers compare the length to say what is truncated.
    private static byte[] ReadBytes(Stream stream, int count)
    {
        var buffer = new byte[count];
        var read = stream.ReadAtLeast(buffer, count, throwOnEndOfStream: false);
        return read == count ? buffer : buffer[..read];
    }
}
