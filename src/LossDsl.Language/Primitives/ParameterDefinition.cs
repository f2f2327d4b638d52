using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

internal enum ParameterKind
{
    /// <summary>A real number, optionally constrained by a <see cref="NumberRule"/>; may also accept words.</summary>
    Number,
    Boolean,
    /// <summary>One of <see cref="ParameterDefinition.Words"/> only.</summary>
    Word,
    /// <summary>A list of numbers, one per class unless <see cref="ParameterDefinition.OnePerClass"/> is false.</summary>
    NumberList,
}

/// <summary>One parameter of a primitive, as LOSSES.md declares it.</summary>
internal sealed record ParameterDefinition(
    string Name,
    ParameterKind Kind,
    ArgumentValue Default,
    NumberRule? Rule = null,
    ImmutableArray<string> Words = default)
{
    public ImmutableArray<string> AllowedWords => Words.IsDefault ? ImmutableArray<string>.Empty : Words;

    /// <summary>
    /// A boolean whose false drops channel 0, the background (include_background): it needs a channel 0 to drop and one
    /// left after it, so labels, a mask of C &gt; 1, or the background generalized_dice adds to a single-channel mask.
    /// </summary>
    public bool FalseDropsBackground { get; init; }

    /// <summary>A number list with one entry per class (checked against a static C); false for other lists (ms_ssim's scales).</summary>
    public bool OnePerClass { get; init; } = true;

    /// <summary>Where the parameter is left out, it takes this other parameter's value (smooth_nr and smooth_dr take smooth's).</summary>
    public ParameterDefinition? DefaultsTo { get; init; }

    /// <summary>Words that do not fit every signature, checked against the declared inputs.</summary>
    public ImmutableArray<WordRule> WordRules { get; init; } = ImmutableArray<WordRule>.Empty;

    /// <summary>What the parameter takes, in words, for "expects X" messages and the docs table.</summary>
    public string Describe()
    {
        var words = AllowedWords.IsEmpty ? string.Empty : string.Join(" or ", AllowedWords.Select(w => $"'{w}'"));
        return Kind switch
        {
            ParameterKind.Number when Rule is { Integer: true } => words.Length == 0 ? "an integer" : $"an integer or {words}",
            ParameterKind.Number => words.Length == 0 ? "a number" : $"a number or {words}",
            ParameterKind.Boolean => "true or false",
            ParameterKind.Word => words,
            _ => "a list of numbers such as [1, 2]",
        };
    }
}
