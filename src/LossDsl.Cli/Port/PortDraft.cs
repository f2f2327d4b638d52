using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Cli.Port;

/// <summary>A translation in progress: the inputs a translator has decided, and what it has to say about them.</summary>
internal sealed class PortDraft(PeerArguments arguments, int? classes)
{
    private readonly List<string> notes = new();
    private readonly List<string> differences = new();

    public PeerArguments Arguments => arguments;

    /// <summary>The channel count given with <c>--classes</c>, if any.</summary>
    public int? Classes => classes;

    public LossInput Input { get; set; } = LossInput.Logits;

    public LossTarget Target { get; set; } = LossTarget.Mask;

    public int? IgnoreIndex { get; set; }

    /// <summary>
    /// What the region terms read when it is not the signature's probabilities: MONAI's other_act, or the raw values
    /// MONAI's combined losses give Dice without an activation; null for the signature's own.
    /// </summary>
    public Language.Plan.Activation? RegionActivation { get; set; }

    public bool ValidMask { get; set; }

    /// <summary>How to pass the inputs so the numbers are the same.</summary>
    public void Note(string note) => notes.Add(note);

    /// <summary>Where the numbers differ, and why.</summary>
    public void Differs(string difference) => differences.Add(difference);

    /// <summary>The channel count, for a translation that depends on it; an error asking for it otherwise.</summary>
    public int RequireClasses(string why) =>
        classes ?? throw new PortException($"{arguments.Peer}: {why}; give the channel count with --classes");

    /// <summary>The peer's reduction: the mean is a scalar like LossDsl's; the others are differences.</summary>
    public void MeanReduction(string name = "reduction", string peerDefault = "mean")
    {
        var reduction = arguments.Word(name, peerDefault);
        if (reduction != "mean")
        {
            Differs(reduction == "none"
                ? $"{name}='none' returns values per element; LossDsl's loss is their mean (its unreduced values, Terms(..., unreduced: true), are per element for pixel terms and per channel for region terms)"
                : $"{name}='{reduction}': LossDsl's loss is the mean; multiply by the element count if you need the sum");
        }
    }

    public PortedLoss Build(string loss)
    {
        foreach (var unread in arguments.Unread)
        {
            Differs($"'{unread}' is not translated");
        }

        return new PortedLoss(arguments.Peer, loss, Input, Target, classes, IgnoreIndex, ValidMask, notes.ToImmutableArray(), differences.ToImmutableArray());
    }
}
