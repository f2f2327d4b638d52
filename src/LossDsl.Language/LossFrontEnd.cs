using System.Collections.Immutable;
using System.Linq;
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

/// <summary>One definition of a <c>.loss</c> file: its name, where it and its name are written, and its plan when it has no errors.</summary>
internal sealed record FileLoss(string Name, SourceSpan Span, SourceSpan NameSpan, LossPlan? Plan);

/// <summary>The result of compiling a <c>.loss</c> file: every definition, and every diagnostic in text order.</summary>
internal sealed record LossFileCompilation(ImmutableArray<FileLoss> Losses, ImmutableArray<LossDiagnostic> Diagnostics);

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
        var bound = Binder.Bind(syntax, text, signature, diagnostics);
        var plan = diagnostics.HasErrors ? null : Planner.Plan(name, text, text, bound, signature, diagnostics);
        return new LossCompilation(plan, diagnostics.ToImmutable());
    }

    /// <summary>Compiles every definition of a <c>.loss</c> file; a definition with errors gets no plan, the others still do.</summary>
    public static LossFileCompilation CompileFile(string text)
    {
        var fileDiagnostics = new DiagnosticBag();
        var syntax = Parser.ParseFile(text, fileDiagnostics);
        var perDefinition = ImmutableArray.CreateBuilder<LossDiagnostic>();
        var losses = ImmutableArray.CreateBuilder<FileLoss>();
        foreach (var (definition, diagnostics) in LossFileBinder.Bind(syntax, text, fileDiagnostics))
        {
            var bag = new DiagnosticBag();
            foreach (var diagnostic in diagnostics)
            {
                bag.Add(diagnostic);
            }

            var span = definition.Syntax.Span;
            var plan = definition.Body is null || definition.Syntax.ContainsErrors
                ? null
                : Planner.Plan(definition.Name, text.Substring(span.Start, span.Length), text, definition.Body, definition.Signature, bag);
            perDefinition.AddRange(bag.ToImmutable());
            losses.Add(new FileLoss(definition.Name, span, definition.Syntax.Name.Span, bag.HasErrors ? null : plan));
        }

        // File-level diagnostics: parse errors, duplicate and invalid names.
        var all = fileDiagnostics.ToImmutable().Concat(perDefinition).OrderBy(d => d.Span.Start).ThenBy(d => d.Id, System.StringComparer.Ordinal);
        return new LossFileCompilation(losses.ToImmutable(), all.ToImmutableArray());
    }
}
