using System.Buffers.Binary;
using System.Numerics;

namespace LossDsl.Tests.Infrastructure;

/// <summary>One scalar record of a TensorBoard event file.</summary>
internal readonly record struct LoggedScalar(string Tag, long Step, float Value, double WallTime);

/// <summary>
/// Reads the scalars of a TensorBoard event file as TensorBoard does: TFRecord framing (length, masked CRC-32C of the
/// length, an <c>Event</c> protocol buffer, masked CRC-32C of it), each checksum verified, so that a file TensorBoard
/// would reject fails the test.
/// </summary>
internal static class TensorBoardEventFile
{
    public static IReadOnlyList<LoggedScalar> ReadScalars(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var scalars = new List<LoggedScalar>();
        var offset = 0;
        var records = 0;
        while (offset < bytes.Length)
        {
            Assert.True(bytes.Length - offset >= 12, $"{path}: a truncated record header at byte {offset}");
            var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
            Assert.Equal(MaskedCrc(bytes.AsSpan(offset, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
            offset += 12;
            Assert.True((ulong)(bytes.Length - offset) >= length + 4, $"{path}: record {records} is truncated");
            var data = bytes.AsSpan(offset, (int)length);
            Assert.Equal(MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + (int)length)));
            offset += (int)length + 4;

            var evnt = Tensorboard.Event.Parser.ParseFrom(data.ToArray());
            if (records++ == 0)
            {
                Assert.Equal("brain.Event:2", evnt.FileVersion);
            }

            foreach (var value in evnt.Summary?.Value ?? [])
            {
                scalars.Add(new LoggedScalar(value.Tag, evnt.Step, value.SimpleValue, evnt.WallTime));
            }
        }

        return scalars;
    }

    // TFRecord's checksum: CRC-32C (Castagnoli), rotated right by 15 bits plus a constant.
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}
