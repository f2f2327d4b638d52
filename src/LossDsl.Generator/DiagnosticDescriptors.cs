using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generator;

/// <summary>Roslyn descriptors for every LossDsl diagnostic, built from the one list in <see cref="LossDiagnostics"/>.</summary>
internal static class DiagnosticDescriptors
{
    public static ImmutableDictionary<string, DiagnosticDescriptor> ById { get; } =
        LossDiagnostics.All.ToImmutableDictionary(d => d.Id, Create);

    private static DiagnosticDescriptor Create(LossDiagnosticDescriptor descriptor) => new(
        descriptor.Id,
        descriptor.Title,
        descriptor.MessageFormat,
        descriptor.Category,
        descriptor.Severity == LossSeverity.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: descriptor.HelpLink);
}
