using System.Collections.Immutable;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Diagnostics;

/// <summary>Collects diagnostics in the order they are found, so output is deterministic.</summary>
internal sealed class DiagnosticBag
{
    private readonly ImmutableArray<LossDiagnostic>.Builder items = ImmutableArray.CreateBuilder<LossDiagnostic>();

    public bool HasErrors { get; private set; }

    public void Add(LossDiagnosticDescriptor descriptor, SourceSpan span, params string[] arguments) =>
        Add(LossDiagnostic.Create(descriptor, span, arguments));

    public void Add(LossDiagnostic diagnostic)
    {
        items.Add(diagnostic);
        HasErrors |= diagnostic.Severity == LossSeverity.Error;
    }

    public ImmutableArray<LossDiagnostic> ToImmutable() => items.ToImmutable();
}
