using LossDsl.Cli.Npy;

namespace LossDsl.Cli.Tests.Support;

/// <summary>A folder of its own for one test's files, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lossdsl-cli-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Writes <paramref name="array"/> as <paramref name="name"/> with the writer under test; returns the path.</summary>
    internal string Write(string name, NpyArray array)
    {
        var path = File(name);
        NpyWriter.WriteFile(path, array);
        return path;
    }

    public string WriteBytes(string name, byte[] bytes)
    {
        var path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public string WriteText(string name, string text)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
