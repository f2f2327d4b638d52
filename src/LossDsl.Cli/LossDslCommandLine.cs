using System.CommandLine;
using System.IO;

namespace LossDsl.Cli;

/// <summary>The <c>lossdsl</c> command line: <c>check</c>, <c>eval</c>, <c>emit</c>, <c>explain</c>, <c>diff</c> and <c>doctor</c>.</summary>
public static class LossDslCommandLine
{
    /// <summary>
    /// Runs one command line, writing to <paramref name="stdout"/> and <paramref name="stderr"/> (the process's console
    /// in <c>Main</c>, string writers in tests), and returns the exit code: 0 success, 1 bad loss text, 2 bad input files
    /// or usage.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Checks LossDsl loss text, evaluates it on .npy arrays, prints its generated C#, explains its plan, compares two versions, and checks the platform.")
        {
            CheckCommand.Create(stdout),
            EvalCommand.Create(stdout, stderr),
            EmitCommand.Create(stdout, stderr),
            ExplainCommand.Create(stdout, stderr),
            DiffCommand.Create(stdout, stderr),
            PortCommand.Create(stdout, stderr),
            DoctorCommand.Create(stdout),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine's own error action returns 1, which here means bad loss text: usage errors are 2.
            foreach (var error in parse.Errors)
            {
                stderr.WriteLine($"lossdsl: {error.Message}");
            }

            var command = parse.CommandResult.Command;
            stderr.WriteLine($"Run 'lossdsl{(command == root ? "" : " " + command.Name)} --help' for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            // No default exception handler: it would print a stack trace and return 1; unexpected exceptions are bugs.
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (InvalidInputException e)
        {
            stderr.WriteLine($"lossdsl: {e.Message}");
            return ExitCodes.BadInput;
        }
    }
}
