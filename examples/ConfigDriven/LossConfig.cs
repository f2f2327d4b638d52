using System.Text.Json;
using LossDsl;

namespace ConfigDriven;

/// <summary>
/// A training config's loss section: <c>{ "loss": "bce + 0.5 * dice", "input": "logits", "target": "mask", "classes": 1 }</c>.
/// Only the loss text is required; the rest says what the model outputs and what the labels are.
/// </summary>
internal sealed class LossConfig
{
    // snake_case keys as in most training configs; an unknown key is an error, so a typo is not silently ignored.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The loss text, compiled at run time.</summary>
    public required string Loss { get; init; }

    /// <summary><c>logits</c> (default) or <c>probs</c>.</summary>
    public string Input { get; init; } = "logits";

    /// <summary><c>mask</c> (default) or <c>labels</c>.</summary>
    public string Target { get; init; } = "mask";

    /// <summary>Channels of a mask or classes of labels; unset means 1 for a mask and any number for labels.</summary>
    public int? Classes { get; init; }

    /// <summary>A label value to leave out of every term (labels only).</summary>
    public int? IgnoreIndex { get; init; }

    /// <exception cref="InvalidConfigException">The file is missing, is not JSON, or lacks the <c>loss</c> key.</exception>
    public static LossConfig Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<LossConfig>(File.ReadAllText(path), Json)
                ?? throw new InvalidConfigException("the file holds null, not a loss config");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidConfigException(e.Message);
        }
    }

    /// <summary>The compiler's options for this config.</summary>
    /// <exception cref="InvalidConfigException"><c>input</c> or <c>target</c> is not one of its words.</exception>
    public LossOptions ToOptions() => new()
    {
        Input = Input switch
        {
            "logits" => LossInput.Logits,
            "probs" => LossInput.Probabilities,
            _ => throw new InvalidConfigException($"\"input\" must be \"logits\" or \"probs\", not \"{Input}\""),
        },
        Target = Target switch
        {
            "mask" => LossTarget.Mask,
            "labels" => LossTarget.Labels,
            _ => throw new InvalidConfigException($"\"target\" must be \"mask\" or \"labels\", not \"{Target}\""),
        },
        Classes = Classes,
        IgnoreIndex = IgnoreIndex,
    };
}

/// <summary>The config file itself is wrong (as opposed to the loss text in it).</summary>
internal sealed class InvalidConfigException(string message) : Exception(message);
