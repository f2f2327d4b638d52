using System.Collections.Immutable;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;
using LossDsl.Language.Syntax;

namespace LossDsl.Language;

/// <summary>The result of compiling loss text: a plan when there were no errors, and every diagnostic either way.</summary>
internal sealed record LossCompilation(LossPlan? Plan, ImmutableArray<LossDiagnostic> Diagnostics)
{
    public bool Success => Plan is not null;
}

/// <summary>Text to plan through every stage; shared by the source generator and the run-time compiler.</summary>
internal static class LossFrontEnd
{
    /// <param name="name">The loss's name, used in run-time error messages (the class name for generated losses).</param>
    /// <param name="text">The loss expression.</param>
    /// <param name="signature">The declared inputs.</param>
    public static LossCompilation Compile(string name, string text, LossSignature signature)
    {
        var diagnostics = new DiagnosticBag();
        var syntax = Parser.ParseExpression(text, diagnostics);
        var bound = Binder.Bind(syntax, signature, diagnostics);
        var plan = diagnostics.HasErrors ? null : Planner.Plan(name, text, bound, signature, diagnostics);
        return new LossCompilation(plan, diagnostics.ToImmutable());
    }
}
