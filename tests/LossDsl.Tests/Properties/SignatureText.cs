using System.Globalization;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Properties;

/// <summary>A signature as a <c>[Loss]</c> attribute's settings and as a <c>.loss</c> definition's parameters.</summary>
internal static class SignatureText
{
    /// <summary><c>, Input = LossInput.Logits, Target = LossTarget.Labels, Classes = 4, Spatial = new int[] { 0, 0 }, IgnoreIndex = 255</c>.</summary>
    public static string AttributeSettings(LossSignature signature)
    {
        var settings = new List<string>
        {
            "Input = LossInput." + (LossInput)signature.Input,
            "Target = LossTarget." + (signature.Target == TargetKind.Mask ? "Mask" : "Labels"),
        };
        if (signature.Classes is { } classes)
        {
            settings.Add("Classes = " + classes);
        }

        if (!signature.AnySpatialRank)
        {
            settings.Add($"Spatial = new int[] {{ {string.Join(", ", signature.Spatial.Select(d => d ?? 0))} }}");
        }

        if (signature.IgnoreIndex is { } ignore)
        {
            settings.Add("IgnoreIndex = " + ignore);
        }

        if (signature.PixelWeight is { } weight)
        {
            settings.Add("PixelWeight = LossPixelMap." + weight);
        }

        if (signature.Valid is { } valid)
        {
            settings.Add("ValidMask = LossPixelMap." + valid);
        }

        if (signature.Levels is { } levels)
        {
            settings.Add("Levels = " + (levels.Count ?? LossLevels.FromCall));
            settings.Add(levels.Weighting == LevelWeighting.List
                ? $"LevelWeightList = new double[] {{ {string.Join(", ", levels.List.Select(w => w.ToString("R", CultureInfo.InvariantCulture)))} }}"
                : "LevelWeights = LossLevelWeights." + levels.Weighting);
            settings.Add("Resize = LossResize." + levels.Resize);
            if (levels.Stride is { } stride)
            {
                settings.Add("LevelStride = " + stride);
            }
        }

        return ", " + string.Join(", ", settings);
    }

    /// <summary>
    /// <c>pred: logits[N, 4, S0, 5], target: labels[N, S0, 5] ignore 255</c>, then any <c>pixel_weight: map[...]</c> and
    /// <c>valid: mask[...]</c>; symbolic sizes are S0, S1, ...
    /// </summary>
    public static string LossFileParameters(LossSignature signature)
    {
        var spatial = string.Concat(signature.Spatial.Select((d, i) => ", " + (d?.ToString(CultureInfo.InvariantCulture) ?? "S" + i)));
        var classes = signature.Classes?.ToString(CultureInfo.InvariantCulture) ?? "C";
        var pred = $"pred: {LossSignature.InputName(signature.Input)}[N, {classes}{spatial}]" + (signature.Levels is { } levels ? " " + levels.Display() : string.Empty);
        var target = signature.Target == TargetKind.Mask
            ? $"target: mask[N, {classes}{spatial}]"
            : $"target: labels[N{spatial}]" + (signature.IgnoreIndex is { } ignore ? $" ignore {ignore}" : string.Empty);
        string Map(string role, string kind, PixelMap? map) => map switch
        {
            null => string.Empty,
            PixelMap.PerChannel => $", {role}: {kind}[N, {classes}{spatial}]",
            _ => signature.Target == TargetKind.Labels ? $", {role}: {kind}[N{spatial}]" : $", {role}: {kind}[N, 1{spatial}]",
        };

        return pred + ", " + target + Map("pixel_weight", "map", signature.PixelWeight) + Map("valid", "mask", signature.Valid);
    }
}
