using System;
using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Semantics;

/// <summary>Builds a <see cref="LossSignature"/> from declared settings, reporting impossible combinations by setting name.</summary>
internal static class SignatureRules
{
    /// <param name="input">Logits or probabilities.</param>
    /// <param name="target">Mask or labels.</param>
    /// <param name="classes">The declared class count, if any.</param>
    /// <param name="ignoreIndex">The declared ignore index, if any.</param>
    /// <param name="spatial">Static spatial sizes (null entries symbolic); default means the default rank, <c>H, W</c>.</param>
    /// <param name="report">Called with the setting's name (<c>Classes</c>, <c>IgnoreIndex</c>) and the problem.</param>
    public static LossSignature Create(InputKind input, TargetKind target, int? classes, int? ignoreIndex, ImmutableArray<int?> spatial, Action<string, string> report)
    {
        var minimum = target == TargetKind.Labels ? 2 : 1;
        if (classes is { } c && c < minimum)
        {
            report("Classes", $"The class count must be at least {minimum} for {(target == TargetKind.Labels ? "labels" : "a mask")}, not {c}");
            classes = null;
        }

        if (ignoreIndex is not null && target == TargetKind.Mask)
        {
            report("IgnoreIndex", "An ignore index applies to label targets only; a mask has no class index to ignore");
            ignoreIndex = null;
        }

        // The default signature is [N, 1, H, W] for masks; labels have no default class count.
        classes ??= target == TargetKind.Mask ? 1 : null;
        if (!spatial.IsDefault && spatial.Any(d => d is < 1))
        {
            report("Spatial", "Spatial sizes must be at least 1 (0 in the attribute means a symbolic size)");
            spatial = spatial.Select(d => d is < 1 ? null : d).ToImmutableArray();
        }

        return new LossSignature(input, target, classes, ignoreIndex, spatial.IsDefault ? LossSignature.DefaultSpatial : spatial);
    }
}
