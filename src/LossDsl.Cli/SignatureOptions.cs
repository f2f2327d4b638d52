using System.CommandLine;
using System.Linq;

namespace LossDsl.Cli;

/// <summary>
/// The signature of loss text given on the command line, the same four options for <c>check</c>, <c>emit</c> and
/// <c>explain</c>: what pred holds, what the target holds, the classes and the ignore index.
/// </summary>
internal sealed class SignatureOptions
{
    public Option<bool> Probabilities { get; } = SharedOptions.Probabilities();

    public Option<bool> Labels { get; } = new("--labels") { Description = "The target holds class labels (default: a mask)." };

    public Option<int?> Classes { get; } = new("--classes") { Description = "The number of channels/classes in dim 1 of pred.", HelpName = "N" };

    public Option<int?> IgnoreIndex { get; } = SharedOptions.IgnoreIndex();

    private Option[] All => new Option[] { Probabilities, Labels, Classes, IgnoreIndex };

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The compiler's options for the parsed command line; <paramref name="name"/> names the loss in messages.</summary>
    public LossOptions Read(ParseResult parse, string name = "loss") => new()
    {
        Input = parse.GetValue(Probabilities) ? LossInput.Probabilities : LossInput.Logits,
        Target = parse.GetValue(Labels) ? LossTarget.Labels : LossTarget.Mask,
        Classes = parse.GetValue(Classes),
        IgnoreIndex = parse.GetValue(IgnoreIndex),
        Name = name,
    };

    /// <summary>The first of the options written on the command line, or null: a <c>.loss</c> file declares its own signatures.</summary>
    public string? FirstGiven(ParseResult parse) => All.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;
}
