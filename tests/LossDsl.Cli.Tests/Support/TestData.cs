namespace LossDsl.Cli.Tests;

/// <summary>The numpy-written files of TestData/, copied beside the test assembly.</summary>
public static class TestData
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", file);
}
