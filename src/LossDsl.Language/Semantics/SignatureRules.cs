using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Syntax;

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
    /// <param name="levels">The declared side outputs of pred, if any (deep supervision).</param>
    /// <param name="report">
    /// Called with the setting's name (<c>Classes</c>, <c>IgnoreIndex</c>, <c>PixelWeight</c>, ..., <c>LevelWeightList[2]</c>
    /// for one weight of the list), the diagnostic (an error, or the warning <see cref="LossDiagnostics.ZeroLevelWeights"/>)
    /// and its message.
    /// </param>
    public static LossSignature Create(
        InputKind input, TargetKind target, int? classes, int? ignoreIndex, ImmutableArray<int?> spatial, PixelMap? pixelWeight, PixelMap? valid,
        SignatureLevels? levels, Action<string, LossDiagnosticDescriptor, string> report)
    {
        void Error(string setting, string message) => report(setting, LossDiagnostics.InvalidSignature, message);

        // Labels have no class dim to give a value per channel to; the map is one value per pixel.
        if (target == TargetKind.Labels && pixelWeight == PixelMap.PerChannel)
        {
            Error("PixelWeight", "A pixel weight map beside labels is [N, *spatial], one weight per pixel: labels have no channels to weigh one by one");
            pixelWeight = PixelMap.PerPixel;
        }

        if (target == TargetKind.Labels && valid == PixelMap.PerChannel)
        {
            Error("ValidMask", "A valid mask beside labels is [N, *spatial], one value per pixel: labels have no channels to leave out one by one");
            valid = PixelMap.PerPixel;
        }

        var minimum = target == TargetKind.Labels ? 2 : 1;
        if (classes is { } c && c < minimum)
        {
            Error("Classes", $"The class count must be at least {minimum} for {(target == TargetKind.Labels ? "labels" : "a mask")}, not {c}");
            classes = null;
        }

        if (ignoreIndex is not null && target == TargetKind.Mask)
        {
            Error("IgnoreIndex", "An ignore index applies to label targets only; a mask has no class index to ignore");
            ignoreIndex = null;
        }

        // The default signature is [N, 1, H, W] for masks; labels have no default class count.
        classes ??= target == TargetKind.Mask ? 1 : null;
        if (!spatial.IsDefault && spatial.Any(d => d is < 1))
        {
            Error("Spatial", "Spatial sizes must be at least 1 (0 in the attribute means a symbolic size)");
            spatial = spatial.Select(d => d is < 1 ? null : d).ToImmutableArray();
        }

        if (levels is not null)
        {
            levels = CheckLevels(levels, spatial.IsDefault ? LossSignature.DefaultSpatial : spatial, report);
        }

        return new LossSignature(input, target, classes, ignoreIndex, spatial.IsDefault ? LossSignature.DefaultSpatial : spatial)
        {
            PixelWeight = pixelWeight,
            Valid = valid,
            Levels = levels,
        };
    }

    /// <summary>
    /// <paramref name="signature"/> with the run-time scalars <paramref name="names"/>, each checked to be a name the
    /// expression can use: an identifier that is not a primitive, a function, a signature role or true/false, declared
    /// once. <paramref name="report"/> gets the index of a refused name and why; refused names are left out.
    /// </summary>
    public static LossSignature WithScalars(LossSignature signature, IReadOnlyList<string> names, Action<int, string> report)
    {
        var kept = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var problem = !Lexer.IsIdentifier(name) ? "is not a name: letters, digits and '_', not starting with a digit"
                : Catalog.Find(name) is { } primitive ? $"is the primitive '{primitive.Name}'"
                : ScalarFunctions.Parse(name) is not null ? "is a function of the language"
                : SignatureBinder.RoleNames.Contains(name) ? "is a signature role"
                : name is "true" or "false" ? "is a boolean word"
                : kept.Contains(name) ? "is declared twice"
                : null;
            if (problem is null)
            {
                kept.Add(name);
            }
            else
            {
                report(i, $"The scalar input '{name}' {problem}; a scalar input is a name the loss text uses, such as 'a' or 'boundary_weight'");
            }
        }

        return signature with { Scalars = kept.ToImmutable() };
    }

    private static SignatureLevels CheckLevels(SignatureLevels levels, ImmutableArray<int?> spatial, Action<string, LossDiagnosticDescriptor, string> report)
    {
        if (levels.Resize == ResizePolicy.Pred && spatial.Length is < 1 or > 3)
        {
            report("Resize", LossDiagnostics.InvalidSignature, $"'resize pred' interpolates linearly, bilinearly or trilinearly: 1 to 3 spatial dims, not {spatial.Length}; resize the target instead");
        }

        if (levels.Stride is { } stride)
        {
            if (stride < 2)
            {
                report("LevelStride", LossDiagnostics.InvalidSignature, $"A level stride is at least 2 (each level that many times smaller than the one above), not {stride}");
                levels = levels with { Stride = null };
            }
            else if (levels.Count is { } last and > 1 && spatial.Where(d => d.HasValue).Select(d => d!.Value).DefaultIfEmpty(int.MaxValue).Min() is var smallest
                && smallest != int.MaxValue && levels.SizeAt(last - 1, smallest) < 1)
            {
                report("LevelStride", LossDiagnostics.InvalidSignature,
                    $"With stride {stride}, level {last - 1} of a static size {smallest} has no pixel left: {last} levels need a size of at least {(long)Math.Pow(stride, last - 1)}");
            }
        }

        if (levels.Count is { } count and < 1)
        {
            report("Levels", LossDiagnostics.InvalidSignature, $"A deep-supervised loss has at least 1 level, not {count}");
            levels = levels with { Count = null };
        }

        if (levels.Weighting != LevelWeighting.List)
        {
            return levels;
        }

        var list = levels.List;
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] < 0) // NaN is a parse error, already reported
            {
                report($"LevelWeightList[{i}]", LossDiagnostics.InvalidSignature, $"A level weight must be a number >= 0, not {NumberText.Format(list[i])}");
            }
        }

        if (list.IsEmpty)
        {
            report("LevelWeightList", LossDiagnostics.InvalidSignature, "A list of level weights needs one weight per level, not none");
        }
        else if (levels.Count is { } k && list.Length != k)
        {
            report("LevelWeightList", LossDiagnostics.InvalidSignature, $"{list.Length} level weights for {k} levels: give exactly one weight per level, the main output's first");
        }
        else if (list.All(w => w == 0))
        {
            report("LevelWeightList", LossDiagnostics.ZeroLevelWeights, string.Empty);
        }

        return levels;
    }
}
