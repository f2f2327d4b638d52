using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;

namespace LossDsl.Cli.Port;

/// <summary>
/// What <c>lossdsl port</c> gives for a peer's call: the LossDsl text and the inputs it is written for (the activation
/// and target form the peer implies, an ignore index, a valid mask), with <see cref="Notes"/> on how to pass the inputs
/// (same numbers) and <see cref="Differences"/> where the numbers differ and why. No differences means the text
/// computes the peer's value and gradient.
/// </summary>
internal sealed record PortedLoss(
    string Peer,
    string Loss,
    LossInput Input,
    LossTarget Target,
    int? Classes,
    int? IgnoreIndex,
    bool ValidMask,
    ImmutableArray<string> Notes,
    ImmutableArray<string> Differences)
{
    public bool Exact => Differences.IsEmpty;

    /// <summary>The compiler options the text is written for, to check it and to print its signature.</summary>
    public LossOptions Options => new()
    {
        Input = Input,
        Target = Target,
        Classes = Classes,
        IgnoreIndex = IgnoreIndex,
        // Beside a mask, smp's ignored elements are per channel.
        ValidMask = !ValidMask ? LossPixelMap.None : Target == LossTarget.Labels ? LossPixelMap.PerPixel : LossPixelMap.PerChannel,
    };

    /// <summary>The signature in <c>.loss</c> syntax, 2-D (<c>H, W</c>); a volume adds <c>D</c>.</summary>
    public string Signature
    {
        get
        {
            var channels = Classes?.ToString(CultureInfo.InvariantCulture) ?? "C";
            var pred = $"pred: {(Input == LossInput.Probabilities ? "probs" : "logits")}[N, {channels}, H, W]";
            var target = Target == LossTarget.Labels
                ? "target: labels[N, H, W]" + (IgnoreIndex is { } ignore ? $" ignore {ignore}" : string.Empty)
                : $"target: mask[N, {channels}, H, W]";
            var valid = ValidMask ? (Target == LossTarget.Labels ? ", valid: mask[N, H, W]" : $", valid: mask[N, {channels}, H, W]") : string.Empty;
            return $"{pred}, {target}{valid}";
        }
    }
}
