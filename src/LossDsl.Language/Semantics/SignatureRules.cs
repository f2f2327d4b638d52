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
    /// <param name="pixelWeight">The declared pixel weight map's shape, if the loss takes one.</param>
    /// <param name="valid">The declared valid mask's shape, if the loss takes one.</param>
    /// <param name="report">Called with the setting's name (<c>Classes</c>, <c>IgnoreIndex</c>, <c>PixelWeight</c>, ...) and the problem.</param>
    public static LossSignature Create(
        InputKind input, TargetKind target, int? classes, int? ignoreIndex, ImmutableArray<int?> spatial, PixelMap? pixelWeight, PixelMap? valid, Action<string, string> report)
    {
        // Labels have no class dim to give a value per channel to; the map is one value per pixel.
        if (target == TargetKind.Labels && pixelWeight == PixelMap.PerChannel)
        {
            report("PixelWeight", "A pixel weight map beside labels is [N, *spatial], one weight per pixel: labels have no channels to weigh one by one");
            pixelWeight = PixelMap.PerPixel;
        }

        if (target == TargetKind.Labels && valid == PixelMap.PerChannel)
        {
            report("ValidMask", "A valid mask beside labels is [N, *spatial], one value per pixel: labels have no channels to leave out one by one");
            valid = PixelMap.PerPixel;
        }

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

        return new LossSignature(input, target, classes, ignoreIndex, spatial.IsDefault ? LossSignature.DefaultSpatial : spatial)
        {
            PixelWeight = pixelWeight,
            Valid = valid,
        };
    }
}
