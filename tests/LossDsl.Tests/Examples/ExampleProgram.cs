using System.Diagnostics;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Examples;

/// <summary>
/// Runs an example's built program as a user does (<c>dotnet Example.dll args</c>), from its own build output, where
/// the native fix-up has been applied. The test project references the examples, so they are built first.
/// </summary>
public static class ExampleProgram
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string example, params string[] arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var folder = Path.Combine(RepositoryRoot.Path, "examples", example);
        var program = Path.Combine(folder, "bin", configuration, "net10.0", example + ".dll");
        Assert.True(File.Exists(program), $"{program} is not built");

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill();
            Assert.Fail($"{example} did not finish in 3 minutes");
        }

        return new Result(process.ExitCode, stdout.Result.Replace("\r\n", "\n"), stderr.Result.Replace("\r\n", "\n"));
    }
}
