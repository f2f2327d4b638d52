namespace LossDsl.Language.Diagnostics;

/// <summary>
/// One kind of mistake: its stable ID, a short title and a message format with {0}-style holes.
/// The generator turns each into a Roslyn DiagnosticDescriptor; the run-time compiler formats the same text.
/// </summary>
internal sealed record LossDiagnosticDescriptor(string Id, string Title, string MessageFormat, LossSeverity Severity, string Category)
{
    /// <summary>The heading of this diagnostic in docs/diagnostics.md, as a link fragment: <c>loss0100</c>.</summary>
    public string Anchor => Id.ToLowerInvariant();
}
