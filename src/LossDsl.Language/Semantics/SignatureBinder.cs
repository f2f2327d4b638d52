using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>
/// Checks a <c>.loss</c> signature such as <c>(pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255)</c> and
/// turns it into a <see cref="LossSignature"/>. A missing side is inferred from the other; shapes must agree
/// (a mask has pred's shape, labels have pred's shape without dim 1).
/// </summary>
internal static class SignatureBinder
{
    private static readonly ImmutableArray<string> PredKinds = ImmutableArray.Create("logits", "probs");
    private static readonly ImmutableArray<string> TargetKinds = ImmutableArray.Create("mask", "labels");

    public static LossSignature Bind(SignatureSyntax? syntax, DiagnosticBag diagnostics)
    {
        if (syntax is null)
        {
            return LossSignature.Default;
        }

        SignatureParameterSyntax? pred = null;
        SignatureParameterSyntax? target = null;
        foreach (var parameter in syntax.Parameters)
        {
            switch (parameter.Role.Name)
            {
                case "pred" when pred is null:
                    pred = parameter;
                    break;
                case "target" when target is null:
                    target = parameter;
                    break;
                case "pred" or "target":
                    Report(diagnostics, parameter.Role.Span, $"'{parameter.Role.Name}' is declared twice");
                    break;
                case "":
                    break; // a parse error, already reported
                default:
                    Report(diagnostics, parameter.Role.Span, $"Unknown signature parameter '{parameter.Role.Name}'; a signature declares 'pred' and 'target'"
                        + NameSuggester.Suffix(parameter.Role.Name, new[] { "pred", "target" }));
                    break;
            }
        }

        var input = Kind(pred, PredKinds, diagnostics) == "probs" ? InputKind.Probabilities : InputKind.Logits;
        var targetKind = Kind(target, TargetKinds, diagnostics) == "labels" ? TargetKind.Labels : TargetKind.Mask;
        if (pred?.Ignore is { } predIgnore)
        {
            Report(diagnostics, predIgnore.Span, "'ignore' belongs to the target (labels), not to pred");
        }

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
        var signatureSpan = syntax.Span;
        var signature = SignatureRules.Create(input, targetKind, classes, ignore, spatial, (setting, message) =>
        {
            var span = setting == "IgnoreIndex" && target?.Ignore is { } ignoreSyntax ? ignoreSyntax.Span : signatureSpan;
            Report(diagnostics, span, message);
        });
        return signature with { Batch = dims?[0].Size };
    }

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
