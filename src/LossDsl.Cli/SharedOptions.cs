using System.CommandLine;

namespace LossDsl.Cli;

/// <summary>The argument and options <c>check</c> and <c>eval</c> both take, one definition each.</summary>
internal static class SharedOptions
{
    public static Argument<string> Expression() => new("expression")
    {
        Description = "The loss text, for example \"bce + iou\" (quote it for the shell).",
    };

    public static Option<bool> Probabilities() => new("--probabilities")
    {
        Description = "pred holds probabilities in [0, 1] rather than logits.",
    };

    public static Option<bool> LogProbabilities() => new("--log-probabilities")
    {
        Description = "pred holds log-probabilities (a log_softmax or logsigmoid output, <= 0) rather than logits.",
    };

    /// <summary>What pred holds, from <see cref="Probabilities"/> and <see cref="LogProbabilities"/>; both at once is an error.</summary>
    public static LossInput Input(ParseResult parse, Option<bool> probabilities, Option<bool> logProbabilities) =>
        (parse.GetValue(probabilities), parse.GetValue(logProbabilities)) switch
        {
            (true, true) => throw new InvalidInputException("--probabilities and --log-probabilities exclude each other: pred holds one or the other."),
            (true, false) => LossInput.Probabilities,
            (false, true) => LossInput.LogProbabilities,
            _ => LossInput.Logits,
        };

    public static Option<int?> IgnoreIndex() => new("--ignore-index")
    {
        Description = "A label value to leave out of every term (label targets only).",
        HelpName = "N",
    };
}
