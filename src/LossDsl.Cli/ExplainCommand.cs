using System.CommandLine;
using System.IO;
using System.Linq;
using LossDsl.Language.Plan;

namespace LossDsl.Cli;

/// <summary>
/// <c>lossdsl explain &lt;file.loss | "expression"&gt;</c>: the plan for a reader: what is computed once and shared, what
/// each term reads, and an estimate of the passes over the data each makes, so that what fusion saves is visible.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var loss = LossArgument.Create();
        var signature = new SignatureOptions();
        var command = new Command("explain", "Print the plan of a .loss file or of loss text: shared steps, terms and passes over the data.") { loss };
        signature.AddTo(command);

        command.SetAction(parse =>
        {
            var argument = parse.GetRequiredValue(loss);
            LossArgument.CheckOptions(argument, signature.FirstGiven(parse));
            var plans = LossArgument.Compile(argument, signature.Read(parse), stderr);
            if (plans is null)
            {
                return ExitCodes.BadLossText;
            }

            stdout.Write(string.Join("\n", plans.Select(p => ExplanationText.Format(PlanExplanation.Explain(p.Plan), fromFile: p.FileName is not null))));
            return ExitCodes.Success;
        });

        return command;
    }
}
