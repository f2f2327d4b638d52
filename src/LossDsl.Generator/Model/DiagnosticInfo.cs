using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator.Model;

/// <summary>A diagnostic as plain values: descriptor ID, file, span and message arguments. Made into a Roslyn Diagnostic only when reported.</summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, TextSpan Span, EquatableArray<string> Arguments);
