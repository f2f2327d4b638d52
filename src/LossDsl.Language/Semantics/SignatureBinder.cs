using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>
/// Checks a <c>.loss</c> signature such as <c>(pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255)</c> and
/// turns it into a <see cref="LossSignature"/>. A missing side is inferred from the other; shapes must agree
/// (a mask has pred's shape, labels have pred's shape without dim 1). A signature may also declare the per-pixel inputs
/// of LOSSES.md, <c>pixel_weight: map[N, 1, H, W]</c> and <c>valid: mask[N, 1, H, W]</c>, shaped like the target with
/// a class dim of 1 or C (masks) or like the labels; their dims are checked against pred's, character by character.
/// </summary>
internal static class SignatureBinder
{
    private static readonly ImmutableArray<string> PredKinds = ImmutableArray.Create(
        LossSignature.InputName(InputKind.Logits), LossSignature.InputName(InputKind.Probabilities), LossSignature.InputName(InputKind.LogProbabilities));
    private static readonly ImmutableArray<string> TargetKinds = ImmutableArray.Create("mask", "labels");
    private static readonly ImmutableArray<string> WeightKinds = ImmutableArray.Create("map");
    private static readonly ImmutableArray<string> ValidKinds = ImmutableArray.Create("mask");
    private static readonly string[] Roles = { "pred", "target", PixelWeightRole, ValidRole };

    /// <summary>Every role a signature parameter may have, in signature order (the editor grammar takes them from here).</summary>
    public static IReadOnlyList<string> RoleNames => Roles;

    /// <summary>Every kind word of every role, each once (the editor grammar takes them from here).</summary>
    public static IEnumerable<string> KindNames => PredKinds.Concat(TargetKinds).Concat(WeightKinds).Concat(ValidKinds).Append(LossSignature.ScalarKind).Distinct();

    /// <summary>The words of the deep-supervision clauses' values, each once (the editor grammar takes them from here).</summary>
    public static IEnumerable<string> LevelWords => SignatureLevels.WeightingNames.Concat(SignatureLevels.ResizeNames).Distinct();

    /// <summary>The signature role of the pixel weight map, as <c>.loss</c> files and the command line name it.</summary>
    public const string PixelWeightRole = "pixel_weight";

    /// <summary>The signature role of the valid mask.</summary>
    public const string ValidRole = "valid";

    public static LossSignature Bind(SignatureSyntax? syntax, DiagnosticBag diagnostics)
    {
        if (syntax is null)
        {
            return LossSignature.Default;
        }

        var declared = new Dictionary<string, SignatureParameterSyntax>();
        var scalars = new List<SignatureParameterSyntax>();
        foreach (var parameter in syntax.Parameters)
        {
            var role = parameter.Role.Name;
            if (role.Length == 0)
            {
                continue; // a parse error, already reported
            }

            if (parameter.Kind.Name == LossSignature.ScalarKind)
            {
                // A run-time scalar: a name, no shape; the name rules are SignatureRules.WithScalars's, below.
                if (parameter.Shape is { } shape)
                {
                    Report(diagnostics, shape.Span, $"A scalar input is one number, with no shape: '{role}: {LossSignature.ScalarKind}'");
                }

                scalars.Add(parameter);
            }
            else if (!Roles.Contains(role))
            {
                Report(diagnostics, parameter.Role.Span, $"Unknown signature parameter '{role}'; a signature declares 'pred' and 'target', and may declare '{PixelWeightRole}', '{ValidRole}' and scalar inputs ('a: {LossSignature.ScalarKind}')"
                    + NameSuggester.Suffix(role, Roles));
            }
            else if (declared.ContainsKey(role))
            {
                Report(diagnostics, parameter.Role.Span, $"'{role}' is declared twice");
            }
            else
            {
                declared.Add(role, parameter);
            }
        }

        var pred = Find(declared, "pred");
        var target = Find(declared, "target");
        var predKind = Kind(pred, PredKinds, diagnostics);
        var input = new[] { InputKind.Probabilities, InputKind.LogProbabilities }.FirstOrDefault(k => LossSignature.InputName(k) == predKind);
        var targetKind = Kind(target, TargetKinds, diagnostics) == "labels" ? TargetKind.Labels : TargetKind.Mask;
        foreach (var parameter in new[] { pred, Find(declared, PixelWeightRole), Find(declared, ValidRole) })
        {
            if (parameter?.Ignore is { } misplaced)
            {
                Report(diagnostics, misplaced.Span, $"'ignore' belongs to the target (labels), not to {parameter.Role.Name}");
            }
        }

        foreach (var parameter in new[] { target, Find(declared, PixelWeightRole), Find(declared, ValidRole) })
        {
            foreach (var (clause, misplaced) in new[] { (SignatureClauses.Levels, parameter?.Levels?.Span), (SignatureClauses.Weights, parameter?.Weights?.Span), (SignatureClauses.Resize, parameter?.Resize?.Span), (SignatureClauses.Stride, parameter?.Stride?.Span) })
            {
                if (misplaced is { } span)
                {
                    Report(diagnostics, span, $"'{clause}' belongs to pred (its side outputs), not to {parameter!.Role.Name}");
                }
            }

            if (parameter?.Dtype is { } dtypeElsewhere)
            {
                Report(diagnostics, dtypeElsewhere.Span, $"'{SignatureClauses.Dtype}' belongs to pred, the input whose precision the loss computes in, not to {parameter.Role.Name}");
            }
        }

        var levels = pred is null ? null : LevelsOf(pred, diagnostics);

        // Dims as written, aligned to pred's layout [N, C, *spatial]; labels lack C.
        var predDims = pred?.Shape?.Dimensions;
        var targetDims = target?.Shape?.Dimensions;
        if (targetKind == TargetKind.Labels && targetDims is { Length: > 0 } labelDims)
        {
            targetDims = labelDims.Insert(System.Math.Min(1, labelDims.Length), new DimensionSyntax(default, "C", null));
        }

        if (predDims is { } p && p.Length < 2)
        {
            Report(diagnostics, pred!.Shape!.Span, "pred's shape must be [N, C, *spatial]: at least a batch and a class dim");
            predDims = null;
        }

        if (targetDims is { } t && t.Length < 2)
        {
            Report(diagnostics, target!.Shape!.Span, targetKind == TargetKind.Labels ? "labels' shape must be [N, *spatial]" : "the mask's shape must be [N, C, *spatial]");
            targetDims = null;
        }

        if (predDims is { } pd && targetDims is { } td)
        {
            CheckAgreement(pd, td, target!, targetKind, diagnostics);
        }

        var dims = predDims ?? targetDims;
        int? classes = dims is null ? null : dims.Value[1].Size;
        if (dims is null && targetKind == TargetKind.Mask)
        {
            classes = 1; // the default signature's C
        }

        var spatial = dims is null ? default : dims.Value.Skip(2).Select(d => d.Size).ToImmutableArray();
        var ignore = target?.Ignore?.Value;
        // Without pred's or the target's shape, a map is checked against the default signature's dims.
        var mapDims = dims ?? DefaultDims(targetKind);
        var pixelWeight = PixelMapOf(Find(declared, PixelWeightRole), WeightKinds, mapDims, targetKind, diagnostics);
        var valid = PixelMapOf(Find(declared, ValidRole), ValidKinds, mapDims, targetKind, diagnostics);
        var signatureSpan = syntax.Span;
        var signature = SignatureRules.Create(input, targetKind, classes, ignore, spatial, pixelWeight, valid, levels, (setting, descriptor, message) =>
        {
            var weights = pred?.Weights;
            var span = setting switch
            {
                "IgnoreIndex" when target?.Ignore is { } ignoreSyntax => ignoreSyntax.Span,
                "Levels" when pred?.Levels is { } levelsSyntax => levelsSyntax.Count.Span,
                "Resize" when pred?.Resize is { } resizeSyntax => resizeSyntax.Span,
                "LevelStride" when pred?.Stride is { } strideSyntax => strideSyntax.Value.Span,
                "LevelWeightList" when weights is not null => weights.Span,
                _ when setting.StartsWith("LevelWeightList[", System.StringComparison.Ordinal) && weights is not null =>
                    weights.List[int.Parse(setting.Substring(16, setting.Length - 17), System.Globalization.CultureInfo.InvariantCulture)].Span,
                _ => signatureSpan,
            };
            diagnostics.Add(descriptor, span, message);
        });
        signature = SignatureRules.WithScalars(signature, scalars.Select(s => s.Role.Name).ToList(), (index, message) => Report(diagnostics, scalars[index].Role.Span, message));
        return signature with { Batch = dims?[0].Size, Dtype = pred?.Dtype is { } dtype ? DtypeOf(dtype, diagnostics) : null };
    }

    /// <summary><c>dtype float16</c>: one of <see cref="LossSignature.DtypeNames"/>.</summary>
    private static PredDtype? DtypeOf(DtypeSyntax dtype, DiagnosticBag diagnostics)
    {
        var index = LossSignature.DtypeNames.IndexOf(dtype.Value.Name);
        if (index < 0 && dtype.Value.Name.Length > 0)
        {
            Report(diagnostics, dtype.Value.Span, $"'{SignatureClauses.Dtype}' is one of {string.Join(", ", LossSignature.DtypeNames)}, not '{dtype.Value.Name}'"
                + NameSuggester.Suffix(dtype.Value.Name, LossSignature.DtypeNames));
        }

        return index < 0 ? null : (PredDtype)index;
    }

    /// <summary>
    /// pred's side outputs, <c>levels K weights exp resize target stride 2</c>: null without <c>levels</c>. The weights default to
    /// <c>same</c> and the policy to <c>target</c> (MONAI's and nnU-Net's); <see cref="SignatureRules"/> checks the numbers.
    /// </summary>
    private static SignatureLevels? LevelsOf(SignatureParameterSyntax pred, DiagnosticBag diagnostics)
    {
        if (pred.Levels is null)
        {
            foreach (var (clause, orphan) in new[] { (SignatureClauses.Weights, pred.Weights?.Span), (SignatureClauses.Resize, pred.Resize?.Span), (SignatureClauses.Stride, pred.Stride?.Span) })
            {
                if (orphan is { } span)
                {
                    Report(diagnostics, span, $"'{clause}' applies to side outputs: declare them first, as in 'levels 4 {clause} ...' after pred's shape");
                }
            }

            return null;
        }

        var weighting = LevelWeighting.Same;
        var list = ImmutableArray<double>.Empty;
        if (pred.Weights is { Mode: { } mode })
        {
            var index = SignatureLevels.WeightingNames.IndexOf(mode.Name);
            if (index >= 0)
            {
                weighting = (LevelWeighting)index;
            }
            else if (mode.Name.Length > 0)
            {
                Report(diagnostics, mode.Span, $"Level weights are 'same', 'exp', 'two' or a list such as [1, 0.5], not '{mode.Name}'"
                    + NameSuggester.Suffix(mode.Name, SignatureLevels.WeightingNames));
            }
        }
        else if (pred.Weights is { } weights)
        {
            weighting = LevelWeighting.List;
            list = weights.List.Select(n => n.Value).ToImmutableArray();
        }

        var resize = ResizePolicy.Target;
        if (pred.Resize is { Policy: var policy } && policy.Name.Length > 0)
        {
            var index = SignatureLevels.ResizeNames.IndexOf(policy.Name);
            if (index >= 0)
            {
                resize = (ResizePolicy)index;
            }
            else
            {
                Report(diagnostics, policy.Span, $"'resize' takes 'target' (the target to each prediction, nearest neighbour) or 'pred' (each prediction to the target, bilinear), not '{policy.Name}'"
                    + NameSuggester.Suffix(policy.Name, SignatureLevels.ResizeNames));
            }
        }

        int? stride = null;
        if (pred.Stride is { Value: var value } && value.Text.Length > 0)
        {
            if (value.Size is null)
            {
                Report(diagnostics, value.Span, $"'stride' is a whole number of at least 2 (each level that many times smaller than the one above), not '{value.Text}'");
            }

            stride = value.Size;
        }

        return new SignatureLevels(pred.Levels.Count.Size, weighting, list, resize) { Stride = stride };
    }

    /// <summary>
    /// The shape of a declared pixel weight map or valid mask, checked against pred's dims (<paramref name="pred"/>, in
    /// pred's layout, labels given a class dim): <c>[N, 1, *spatial]</c> or <c>[N, C, *spatial]</c> beside a mask, <c>[N, *spatial]</c> beside
    /// labels. No shape written means one value per pixel.
    /// </summary>
    private static PixelMap? PixelMapOf(SignatureParameterSyntax? parameter, ImmutableArray<string> kinds, ImmutableArray<DimensionSyntax> pred, TargetKind target, DiagnosticBag diagnostics)
    {
        if (parameter is null)
        {
            return null;
        }

        Kind(parameter, kinds, diagnostics);
        if (parameter.Shape is not { } shape)
        {
            return PixelMap.PerPixel;
        }

        var written = shape.Dimensions;
        var labels = target == TargetKind.Labels;
        var expectedRank = labels ? pred.Length - 1 : pred.Length;
        var role = parameter.Role.Name;
        if (written.Length != expectedRank)
        {
            var expected = labels
                ? string.Join(", ", pred.RemoveAt(1).Select(d => d.Text))
                : string.Join(", ", pred.SetItem(1, new DimensionSyntax(default, "1", 1)).Select(d => d.Text));
            Report(diagnostics, shape.Span, $"{role}'s shape must be [{expected}]{(labels ? " (the labels' shape)" : " or pred's shape (one value per element)")}, to broadcast against the target");
            return PixelMap.PerPixel;
        }

        var map = PixelMap.PerPixel;
        for (var i = 0; i < written.Length; i++)
        {
            var predIndex = labels && i >= 1 ? i + 1 : i;
            if (!labels && i == 1)
            {
                // The class dim: 1 broadcasts over the channels, pred's own C gives a value per channel.
                if (written[i].Text == pred[1].Text)
                {
                    map = pred[1].Size == 1 ? PixelMap.PerPixel : PixelMap.PerChannel;
                }
                else if (written[i].Size != 1)
                {
                    Report(diagnostics, written[i].Span, $"{role}'s class dim is '{written[i].Text}': it must be 1 (one value per pixel, broadcast over the channels) or pred's '{pred[1].Text}'");
                }

                continue;
            }

            if (written[i].Text != pred[predIndex].Text)
            {
                Report(diagnostics, written[i].Span, $"this dim is '{written[i].Text}' but pred has '{pred[predIndex].Text}' here: {role} must broadcast against the target");
            }
        }

        return map;
    }

    /// <summary><c>[N, 1, H, W]</c> for a mask, <c>[N, C, H, W]</c> for labels: the dims an undeclared shape has.</summary>
    private static ImmutableArray<DimensionSyntax> DefaultDims(TargetKind target) => ImmutableArray.Create(
        new DimensionSyntax(default, "N", null),
        target == TargetKind.Mask ? new DimensionSyntax(default, "1", 1) : new DimensionSyntax(default, "C", null),
        new DimensionSyntax(default, "H", null),
        new DimensionSyntax(default, "W", null));

    private static SignatureParameterSyntax? Find(Dictionary<string, SignatureParameterSyntax> declared, string role) =>
        declared.TryGetValue(role, out var parameter) ? parameter : null;

    private static string? Kind(SignatureParameterSyntax? parameter, ImmutableArray<string> kinds, DiagnosticBag diagnostics)
    {
        if (parameter is null || parameter.Kind.Name.Length == 0 || kinds.Contains(parameter.Kind.Name))
        {
            return parameter?.Kind.Name;
        }

        Report(diagnostics, parameter.Kind.Span, $"'{parameter.Role.Name}' is {string.Join(" or ", kinds.Select(k => $"'{k}'"))}, not '{parameter.Kind.Name}'"
            + NameSuggester.Suffix(parameter.Kind.Name, kinds));
        return null;
    }

    private static void CheckAgreement(ImmutableArray<DimensionSyntax> pred, ImmutableArray<DimensionSyntax> target, SignatureParameterSyntax targetSyntax, TargetKind kind, DiagnosticBag diagnostics)
    {
        var expected = kind == TargetKind.Labels ? pred.RemoveAt(1) : pred;
        var written = targetSyntax.Shape!.Dimensions;
        if (written.Length != expected.Length)
        {
            Report(diagnostics, targetSyntax.Shape.Span,
                $"the target's shape must be [{string.Join(", ", expected.Select(d => d.Text))}] ({(kind == TargetKind.Labels ? "pred's shape without the class dim" : "pred's shape")})");
            return;
        }

        for (var i = 0; i < expected.Length; i++)
        {
            if (written[i].Text != expected[i].Text)
            {
                Report(diagnostics, written[i].Span, $"this dim is '{written[i].Text}' but pred has '{expected[i].Text}' here");
            }
        }
    }

    private static void Report(DiagnosticBag diagnostics, SourceSpan span, string message) =>
        diagnostics.Add(LossDiagnostics.InvalidSignature, span, message);
}
