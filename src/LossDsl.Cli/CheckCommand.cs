using System.CommandLine;
using System.IO;

namespace LossDsl.Cli;

/// <summary><c>lossdsl check "&lt;expression&gt;"</c>: compiles loss text for a declared signature and prints its diagnostics.</summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter stdout)
    {
        var expression = SharedOptions.Expression();
        var probabilities = SharedOptions.Probabilities();
        var labels = new Option<bool>("--labels") { Description = "The target holds class labels (default: a mask)." };
        var classes = new Option<int?>("--classes") { Description = "The number of channels/classes in dim 1 of pred.", HelpName = "N" };
        var ignoreIndex = SharedOptions.IgnoreIndex();

        var command = new Command("check", "Compile loss text and print its diagnostics; exit code 0 when it has no errors.")
        {
            expression, probabilities, labels, classes, ignoreIndex,
        };

        command.SetAction(parse =>
        {
            var text = parse.GetRequiredValue(expression);
            var options = new LossOptions
            {
                Input = parse.GetValue(probabilities) ? LossInput.Probabilities : LossInput.Logits,
                Target = parse.GetValue(labels) ? LossTarget.Labels : LossTarget.Mask,
                Classes = parse.GetValue(classes),
                IgnoreIndex = parse.GetValue(ignoreIndex),
            };

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
