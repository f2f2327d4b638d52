using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator.Model;

/// <summary>
/// A diagnostic as plain values: descriptor ID, file, span and message arguments; made into a Roslyn Diagnostic only
/// when reported. <see cref="Lines"/> locates it in files that are not C# (<c>.loss</c>), where no syntax tree exists.
/// <see cref="Replacement"/> is the quick fix's text for the span, given only where the span is exactly the loss text's
/// characters (not the fallback to the whole argument).
/// </summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, TextSpan Span, EquatableArray<string> Arguments, LinePositionSpan Lines = default, string? Replacement = null);
