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

    public static LossDiagnostic Create(LossDiagnosticDescriptor descriptor, SourceSpan span, params string[] arguments) =>
        new(descriptor, span, ImmutableArray.Create(arguments));

    public override string ToString() => $"{Id} {Span}: {Message}";
}
