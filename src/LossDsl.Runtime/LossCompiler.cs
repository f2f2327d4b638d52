using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl;

/// <summary>
/// Compiles loss text at run time (for config-driven training) with the same front end and plan as the source
/// generator; the result runs the plan over the same kernels, so it computes the same values.
/// </summary>
public static class LossCompiler
{
    /// <summary>Compiles <paramref name="text"/>, for example <c>"bce + 0.5 * dice"</c>.</summary>
    /// <exception cref="LossCompileException">The text or the options have errors; the exception lists every diagnostic.</exception>
    public static CompiledLoss Compile(string text, LossOptions? options = null)
    {
        var plan = Plan(text, options ?? new LossOptions(), out var warnings);
        return new CompiledLoss(plan, warnings);
    }

    /// <summary>
    /// Compiles the text of a <c>.loss</c> file: every definition, by name. Definitions may use each other, as in
    /// files the generator compiles; each carries its own signature.
    /// </summary>
    /// <exception cref="LossCompileException">Any definition has errors; the exception lists every diagnostic of the file.</exception>
    public static IReadOnlyDictionary<string, CompiledLoss> CompileFile(string text) =>
        PlanFile(text).ToDictionary(l => l.Loss.Name, l => new CompiledLoss(l.Loss.Plan!, l.Warnings));

    /// <summary>The plan of <paramref name="text"/> (what <see cref="Compile"/> runs, and the command line prints), and its warnings.</summary>
    /// <exception cref="LossCompileException">The text or the options have errors.</exception>
    internal static LossPlan Plan(string text, LossOptions options, out IReadOnlyList<LossDiagnosticInfo> warnings)
    {
        var diagnostics = new List<LossDiagnosticInfo>();
        var signature = SignatureRules.Create(
            options.Input switch
            {
                LossInput.Probabilities => InputKind.Probabilities,
                LossInput.LogProbabilities => InputKind.LogProbabilities,
                _ => InputKind.Logits,
            },
            options.Target == LossTarget.Labels ? TargetKind.Labels : TargetKind.Mask,
            options.Classes,
            options.IgnoreIndex,
            options.Spatial is null ? default : options.Spatial.ToImmutableArray(),
            options.PixelWeight.ToSignature(),
            options.ValidMask.ToSignature(),
            options.Levels?.ToSignature(),
            (setting, descriptor, message) =>
            {
                var diagnostic = LossDiagnostic.Create(descriptor, default, message);
                diagnostics.Add(new LossDiagnosticInfo(diagnostic.Id, ToPublic(diagnostic.Severity), diagnostic.Message, 0, 0, 1, 1) { Setting = setting });
            });

        if (options.Scalars is { } scalars)
        {
            signature = SignatureRules.WithScalars(signature, scalars, (index, message) =>
                diagnostics.Add(new LossDiagnosticInfo(LossDiagnostics.InvalidSignature.Id, LossDiagnosticSeverity.Error, message, 0, 0, 1, 1) { Setting = $"Scalars[{index}]" }));
        }

        // LossDtype's values after Unspecified are PredDtype's, one up.
        signature = signature with { Dtype = options.Dtype == LossDtype.Unspecified ? null : (PredDtype)((int)options.Dtype - 1) };
        var compilation = LossFrontEnd.Compile(options.Name, text, signature);
        diagnostics.AddRange(compilation.Diagnostics.Select(d => ToPublic(d, text)));
        if (compilation.Plan is null || diagnostics.Any(d => d.Severity == LossDiagnosticSeverity.Error))
        {
            throw new LossCompileException(text, diagnostics);
        }

        warnings = diagnostics;
        return compilation.Plan;
    }

    /// <summary>Every definition of a <c>.loss</c> file, in file order, each with a plan and the warnings within it.</summary>
    /// <exception cref="LossCompileException">Any definition has errors.</exception>
    internal static IReadOnlyList<(FileLoss Loss, IReadOnlyList<LossDiagnosticInfo> Warnings)> PlanFile(string text)
    {
        var compilation = LossFrontEnd.CompileFile(text);
        var diagnostics = compilation.Diagnostics.Select(d => ToPublic(d, text)).ToList();
        if (diagnostics.Any(d => d.Severity == LossDiagnosticSeverity.Error) || compilation.Losses.Any(l => l.Plan is null))
        {
            throw new LossCompileException(text, diagnostics);
        }

        return compilation.Losses
            .Select(l => (l, (IReadOnlyList<LossDiagnosticInfo>)diagnostics.Where(d => d.Start >= l.Span.Start && d.Start < l.Span.End).ToList()))
            .ToList();
    }

    private static LossDiagnosticInfo ToPublic(LossDiagnostic diagnostic, string text)
    {
        var start = System.Math.Min(diagnostic.Span.Start, text.Length);
        var lineStart = start == 0 ? 0 : text.LastIndexOf('\n', start - 1) + 1;
        var line = 1 + text.Take(start).Count(c => c == '\n');
        return new(
            diagnostic.Id,
            ToPublic(diagnostic.Severity),
            diagnostic.Message,
            diagnostic.Span.Start,
            diagnostic.Span.Length,
            line,
            start - lineStart + 1);
    }

    private static LossDiagnosticSeverity ToPublic(LossSeverity severity) => severity switch
    {
        LossSeverity.Error => LossDiagnosticSeverity.Error,
        LossSeverity.Warning => LossDiagnosticSeverity.Warning,
        _ => LossDiagnosticSeverity.Info,
    };
}
