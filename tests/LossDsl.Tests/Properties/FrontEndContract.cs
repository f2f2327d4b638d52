using System.Text.Json;
using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Properties;

/// <summary>
/// What the front end promises for ANY text: it returns (never throws), every diagnostic points inside the text, and
/// the result is a plan exactly when there is no error. The run-time compiler keeps the same promise in its own terms.
/// </summary>
internal static class FrontEndContract
{
    public static void HoldsForExpression(string text, LossSignature signature)
    {
        var compilation = LossFrontEnd.Compile("L", text, signature);
        AssertSpansInRange(text, compilation.Diagnostics);
        var errors = compilation.Diagnostics.Count(d => d.Severity == LossSeverity.Error);
        Assert.True(compilation.Plan is null == errors > 0,
            $"{JsonSerializer.Serialize(text)} under {signature.Display()}: {(compilation.Plan is null ? "no plan and no error" : $"a plan and {errors} errors")}");
    }

    public static void HoldsForFile(string text)
    {
        var compilation = LossFrontEnd.CompileFile(text);
        AssertSpansInRange(text, compilation.Diagnostics);
        var hasErrors = compilation.Diagnostics.Any(d => d.Severity == LossSeverity.Error);
        foreach (var loss in compilation.Losses)
        {
            Assert.True(loss.Span.Start >= 0 && loss.Span.End <= text.Length, $"{JsonSerializer.Serialize(text)}: loss {loss.Name} spans {loss.Span}");
            Assert.True(loss.Plan is not null || hasErrors, $"{JsonSerializer.Serialize(text)}: loss {loss.Name} has no plan and the file no error");
        }
    }

    /// <summary>The run-time compiler: a loss or a <see cref="LossCompileException"/> with an error, positions inside the text.</summary>
    public static void HoldsForRuntimeCompiler(string text, LossOptions options)
    {
        try
        {
            LossCompiler.Compile(text, options).Dispose();
        }
        catch (LossCompileException e)
        {
            Assert.Contains(e.Diagnostics, d => d.Severity == LossDiagnosticSeverity.Error);
            Assert.All(e.Diagnostics, d => Assert.True(d.Start >= 0 && d.Start + d.Length <= Math.Max(text.Length, 1) && d.Line >= 1 && d.Column >= 1,
                $"{JsonSerializer.Serialize(text)}: {d.Id} at {d.Start}+{d.Length} ({d.Line}:{d.Column})"));
        }
    }

    public static LossOptions OptionsFor(LossSignature signature) => new()
    {
        Input = (LossInput)signature.Input,
        Target = signature.Target == TargetKind.Labels ? LossTarget.Labels : LossTarget.Mask,
        Classes = signature.Classes,
        IgnoreIndex = signature.IgnoreIndex,
        Spatial = signature.AnySpatialRank ? null : signature.Spatial.ToArray(),
        PixelWeight = signature.PixelWeight.ToPublic(),
        ValidMask = signature.Valid.ToPublic(),
        Levels = LossLevels.FromSignature(signature.Levels),
    };

    private static void AssertSpansInRange(string text, IEnumerable<LossDiagnostic> diagnostics) =>
        Assert.All(diagnostics, d => Assert.True(d.Span.Start >= 0 && d.Span.Start <= d.Span.End && d.Span.End <= text.Length,
            $"{JsonSerializer.Serialize(text)}: {d.Id} '{d.Message}' spans {d.Span.Start}..{d.Span.End}, outside 0..{text.Length}"));
}
