using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace LossDsl.Cli.Npy;

/// <summary>Writes named arrays as numpy's <c>np.savez</c> does: a zip of one stored (uncompressed) <c>name.npy</c> per array.</summary>
internal static class NpzWriter
{
    /// <summary>Writes <paramref name="arrays"/>, in order, to a new file at <paramref name="path"/>; <c>np.load(path)[name]</c> reads each back.</summary>
    public static void WriteFile(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays)
    {
        using var stream = File.Create(path);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        foreach (var (name, array) in arrays)
        {
            using var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
            NpyWriter.Write(entry, array);
        }
    }
}
