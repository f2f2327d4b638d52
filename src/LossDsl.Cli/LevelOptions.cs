using System.CommandLine;
using System.Globalization;
using System.Linq;

namespace LossDsl.Cli;

/// <summary>
/// Deep supervision on the command line: <c>--level-weights same|exp|two|1,0.5,...</c>, <c>--resize target|pred</c> and
/// <c>--level-stride S</c>,
/// read into <see cref="LossLevels"/> with the count that <c>--levels</c> or the number of <c>--pred</c> files gives.
/// </summary>
internal static class LevelOptions
{
    private const string PerCall = "call";

    public static Option<string?> Weights() => new("--level-weights")
    {
        Description = "Deep supervision's level weights: 'same' (default), 'exp', 'two' or a list such as 1,0.5,0.25 (main output first).",
        HelpName = "same|exp|two|W,...",
    };

    public static Option<string?> Resize()
    {
        var option = new Option<string?>("--resize")
        {
            Description = "Deep supervision's resize policy: 'target' (default; the target to each prediction, nearest neighbour) or 'pred' (each prediction to the target, bilinear).",
            HelpName = "target|pred",
        };
        option.AcceptOnlyFromAmong("target", "pred");
        return option;
    }

    public static Option<int?> Stride() => new("--level-stride")
    {
        Description = "Each level is this many times smaller than the one above, in every spatial dim (checked on every call).",
        HelpName = "S",
    };

    public static Option<string?> Count() => new("--levels")
    {
        Description = "pred is this many predictions (deep supervision), or 'call' to take the number from each call.",
        HelpName = "K|call",
    };

    /// <summary>The levels of <c>--levels</c> as written (a number or <c>call</c>); null when not given and no level option is.</summary>
    public static LossLevels? Read(string? count, string? weights, string? resize, int? stride)
    {
        if (count is null)
        {
            if (weights is not null || resize is not null || stride is not null)
            {
                var option = weights is not null ? "--level-weights" : resize is not null ? "--resize" : "--level-stride";
                throw new InvalidInputException($"{option} applies to side outputs: give --levels K (or --levels call) too.");
            }

            return null;
        }

        if (count == PerCall)
        {
            return Read((int?)null, weights, resize, stride);
        }

        if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var levels))
        {
            throw new InvalidInputException($"--levels takes the number of predictions or 'call', not '{count}'.");
        }

        return Read(levels, weights, resize, stride);
    }

    /// <summary>The levels of <paramref name="count"/> predictions (null: from the call); null for one prediction and no level option.</summary>
    public static LossLevels? Read(int? count, string? weights, string? resize, int? stride)
    {
        if (count == 1 && weights is null && resize is null && stride is null)
        {
            return null;
        }

        var levels = new LossLevels(count) { Resize = resize == "pred" ? LossResize.Pred : LossResize.Target, Stride = stride };
        return weights switch
        {
            null or "same" => levels,
            "exp" => levels with { Weights = LossLevelWeights.Exp },
            "two" => levels with { Weights = LossLevelWeights.Two },
            _ => levels with { WeightList = weights.Split(',').Select(ParseWeight).ToArray() },
        };
    }

    private static double ParseWeight(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var weight)
            ? weight
            : throw new InvalidInputException($"--level-weights takes 'same', 'exp', 'two' or numbers separated by commas, such as 1,0.5,0.25; '{text}' is not a number.");
}
