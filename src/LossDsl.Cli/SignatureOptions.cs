using System.CommandLine;
using System.Linq;

namespace LossDsl.Cli;

/// <summary>
/// The signature of loss text given on the command line, the same options for <c>check</c>, <c>emit</c>, <c>explain</c>
/// and <c>diff</c>: what pred holds, what the target holds, the classes, the ignore index, and whether the loss takes a
/// pixel weight map or a valid mask (one value per <c>pixel</c>, or per element of a mask, <c>channel</c>), and whether
/// pred is several levels (deep supervision).
/// </summary>
internal sealed class SignatureOptions
{
    public Option<bool> Probabilities { get; } = SharedOptions.Probabilities();

    public Option<bool> LogProbabilities { get; } = SharedOptions.LogProbabilities();

    public Option<bool> Labels { get; } = new("--labels") { Description = "The target holds class labels (default: a mask)." };

    public Option<int?> Classes { get; } = new("--classes") { Description = "The number of channels/classes in dim 1 of pred.", HelpName = "N" };

    public Option<int?> IgnoreIndex { get; } = SharedOptions.IgnoreIndex();

    public Option<string?> PixelWeight { get; } = MapOption("--pixel-weight", "The loss takes a pixel weight map: one weight per pixel or per channel.");

    public Option<string?> Valid { get; } = MapOption("--valid", "The loss takes a valid mask: one value per pixel or per channel.");

    public Option<string?> Levels { get; } = LevelOptions.Count();

    public Option<string?> LevelWeights { get; } = LevelOptions.Weights();

    public Option<string?> Resize { get; } = LevelOptions.Resize();

    public Option<int?> LevelStride { get; } = LevelOptions.Stride();

    public Option<string[]> Scalars { get; } = new("--scalar")
    {
        Description = "The loss takes a run-time scalar input of this name (a schedule's weight, 'a' in '(1 - a) * dice + a * boundary_dist'); repeat for several.",
        HelpName = "NAME",
    };

    private Option[] All => new Option[] { Probabilities, LogProbabilities, Labels, Classes, IgnoreIndex, PixelWeight, Valid, Levels, LevelWeights, Resize, LevelStride, Scalars };

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
        Input = SharedOptions.Input(parse, Probabilities, LogProbabilities),
        Target = parse.GetValue(Labels) ? LossTarget.Labels : LossTarget.Mask,
        Classes = parse.GetValue(Classes),
        IgnoreIndex = parse.GetValue(IgnoreIndex),
        PixelWeight = Map(parse.GetValue(PixelWeight)),
        ValidMask = Map(parse.GetValue(Valid)),
        Levels = LevelOptions.Read(parse.GetValue(Levels), parse.GetValue(LevelWeights), parse.GetValue(Resize), parse.GetValue(LevelStride)),
        Scalars = parse.GetValue(Scalars) ?? System.Array.Empty<string>(),
        Name = name,
    };

    private static Option<string?> MapOption(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "pixel|channel" };
        option.AcceptOnlyFromAmong(PerPixel, PerChannel);
        return option;
    }

    private static LossPixelMap Map(string? value) => value switch
    {
        PerPixel => LossPixelMap.PerPixel,
        PerChannel => LossPixelMap.PerChannel,
        _ => LossPixelMap.None,
    };

    private const string PerPixel = "pixel";
    private const string PerChannel = "channel";

    /// <summary>The first of the options written on the command line, or null: a <c>.loss</c> file declares its own signatures.</summary>
    public string? FirstGiven(ParseResult parse) => All.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;
}
