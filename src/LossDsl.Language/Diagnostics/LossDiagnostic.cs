using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Diagnostics;

/// <summary>A mistake found in loss text, located by offsets into that text.</summary>
internal sealed record LossDiagnostic(LossDiagnosticDescriptor Descriptor, SourceSpan Span, ImmutableArray<string> Arguments)
{
    public string Id => Descriptor.Id;

    public LossSeverity Severity => Descriptor.Severity;

    public string Message => string.Format(CultureInfo.InvariantCulture, Descriptor.MessageFormat, Arguments.Cast<object>().ToArray());

    /// <summary>
    /// The text that fixes the mistake in place of <see cref="Span"/>, when there is one obvious fix (the name "did you
    /// mean" suggests, the nearest value in range, a small constant added): the IDE offers it as a quick fix.
    /// </summary>
    public string? Replacement { get; init; }

    /// <summary>The key under which the generator passes <see cref="Replacement"/> to the IDE's quick fix (Diagnostic.Properties).</summary>
    public const string ReplacementProperty = "LossDsl.Replacement";

    public static LossDiagnostic Create(LossDiagnosticDescriptor descriptor, SourceSpan span, params string[] arguments) =>
        new(descriptor, span, ImmutableArray.Create(arguments));

    public override string ToString() => $"{Id} {Span}: {Message}";
}
