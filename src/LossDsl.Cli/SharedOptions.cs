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

    public static Option<int?> IgnoreIndex() => new("--ignore-index")
    {
        Description = "A label value to leave out of every term (label targets only).",
        HelpName = "N",
    };
}
