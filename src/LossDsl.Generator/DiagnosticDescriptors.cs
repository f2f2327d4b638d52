using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using Microsoft.CodeAnalysis;

namespace LossDsl.Generator;

/// <summary>
/// Roslyn descriptors for every LossDsl diagnostic, built from the one list in <see cref="LossDiagnostics"/>, with help
/// links into docs/diagnostics.md wherever the project's <c>LossDslHelpLinkBase</c> says it is: the copy in the LossDsl
/// package by default (build/LossDsl.targets), or a site of the project's own. Without one there is no help link, rather
/// than a link to a page that does not exist.
/// </summary>
internal static class DiagnosticDescriptors
{
    private static readonly ConcurrentDictionary<string, ImmutableDictionary<string, DiagnosticDescriptor>> ByHelpLinkBase = new();

    /// <summary>The descriptors, by ID, linking to <paramref name="helpLinkBase"/> (a URL or a file path), or to nothing.</summary>
    public static ImmutableDictionary<string, DiagnosticDescriptor> For(string? helpLinkBase) =>
        ByHelpLinkBase.GetOrAdd(HelpPage(helpLinkBase) ?? string.Empty,
            page => LossDiagnostics.All.ToImmutableDictionary(d => d.Id, d => Create(d, page.Length == 0 ? null : $"{page}#{d.Anchor}")));

    /// <summary>The page as a URI: a URL as it is, a file path as a file URI; null for nothing usable.</summary>
    internal static string? HelpPage(string? helpLinkBase)
    {
        var value = helpLinkBase?.Trim();
        if (string.IsNullOrEmpty(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return uri.IsFile ? uri.AbsoluteUri : value;
    }

    private static DiagnosticDescriptor Create(LossDiagnosticDescriptor descriptor, string? helpLink) => new(
        descriptor.Id,
        descriptor.Title,
        descriptor.MessageFormat,
        descriptor.Category,
        descriptor.Severity switch
        {
            LossSeverity.Error => DiagnosticSeverity.Error,
            LossSeverity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        },
        isEnabledByDefault: true,
        helpLinkUri: helpLink);
}
