using System.Collections.Immutable;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Diagnostics;

/// <summary>Collects diagnostics in the order they are found, so output is deterministic.</summary>
internal sealed class DiagnosticBag
{
    private readonly ImmutableArray<LossDiagnostic>.Builder items = ImmutableArray.CreateBuilder<LossDiagnostic>();

    public bool HasErrors => ErrorCount > 0;

    /// <summary>Errors so far: a parser compares counts to tell which node its errors belong to.</summary>
    public int ErrorCount { get; private set; }

    public void Add(LossDiagnosticDescriptor descriptor, SourceSpan span, params string[] arguments) =>
        Add(LossDiagnostic.Create(descriptor, span, arguments));

    /// <summary>Adds a diagnostic with its quick fix, <paramref name="replacement"/> for its span (none when null).</summary>
    public void AddWithFix(LossDiagnosticDescriptor descriptor, SourceSpan span, string? replacement, params string[] arguments) =>
        Add(LossDiagnostic.Create(descriptor, span, arguments) with { Replacement = replacement });

    public void Add(LossDiagnostic diagnostic)
    {
        items.Add(diagnostic);
        ErrorCount += diagnostic.Severity == LossSeverity.Error ? 1 : 0;
    }

    public ImmutableArray<LossDiagnostic> ToImmutable() => items.ToImmutable();
}
