using System;

namespace LossDsl.Language.Semantics;

/// <summary>Builds a <see cref="LossSignature"/> from declared settings, reporting impossible combinations by setting name.</summary>
internal static class SignatureRules
{
    /// <param name="input">Logits or probabilities.</param>
    /// <param name="target">Mask or labels.</param>
    /// <param name="classes">The declared class count, if any.</param>
    /// <param name="ignoreIndex">The declared ignore index, if any.</param>
    /// <param name="report">Called with the setting's name (<c>Classes</c>, <c>IgnoreIndex</c>) and the problem.</param>
    public static LossSignature Create(InputKind input, TargetKind target, int? classes, int? ignoreIndex, Action<string, string> report)
    {
        var minimum = target == TargetKind.Labels ? 2 : 1;
        if (classes is { } c && c < minimum)
        {
            report("Classes", $"Classes must be at least {minimum} for {(target == TargetKind.Labels ? "labels" : "a mask")}, not {c}");
            classes = null;
        }

        if (ignoreIndex is not null && target == TargetKind.Mask)
        {
            report("IgnoreIndex", "IgnoreIndex applies to label targets only; a mask has no class index to ignore (use labels as the target)");
            ignoreIndex = null;
        }

        // The default signature is [N, 1, H, W] for masks; labels have no default class count.
        classes ??= target == TargetKind.Mask ? 1 : null;
        return new LossSignature(input, target, classes, ignoreIndex, default);
    }
}
