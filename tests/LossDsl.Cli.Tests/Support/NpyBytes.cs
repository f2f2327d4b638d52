using System.Buffers.Binary;
using System.Text;

namespace LossDsl.Cli.Tests.Support;

/// <summary>Builds .npy files byte by byte, independently of the writer under test, with any header text.</summary>
public static class NpyBytes
{
    public static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Magic, version <paramref name="major"/>.0, the header length (2 bytes for 1.0, else 4), the header, the data.</summary>
    public static byte[] File(int major, string header, byte[] data, Encoding? encoding = null)
    {
        var headerBytes = (encoding ?? Encoding.Latin1).GetBytes(header);
        var length = new byte[major == 1 ? 2 : 4];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerBytes.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerBytes.Length);
        }

        return Magic.Concat(new byte[] { (byte)major, 0 }).Concat(length).Concat(headerBytes).Concat(data).ToArray();
    }

    public static byte[] Float32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
