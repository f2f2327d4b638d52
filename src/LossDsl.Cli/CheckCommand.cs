using System.CommandLine;
using System.IO;

namespace LossDsl.Cli;

/// <summary><c>lossdsl check "&lt;expression&gt;"</c>: compiles loss text for a declared signature and prints its diagnostics.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter stdout)
    {
        var expression = SharedOptions.Expression();
        var signature = new SignatureOptions();

        var command = new Command("check", "Compile loss text and print its diagnostics; exit code 0 when it has no errors.") { expression };
        signature.AddTo(command);

        command.SetAction(parse =>
        {
            var text = parse.GetRequiredValue(expression);
            var options = signature.Read(parse);

            try
            {
                using var loss = LossCompiler.Compile(text, options);
                DiagnosticPrinter.Print(text, loss.Warnings, stdout);
                return ExitCodes.Success;
            }
            catch (LossCompileException e)
            {
                DiagnosticPrinter.Print(text, e.Diagnostics, stdout);
                return ExitCodes.BadLossText;
            }
        });

        return command;
    }
}
