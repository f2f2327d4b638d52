namespace LossDsl.Language.Diagnostics;

/// <summary>
/// One kind of mistake: its stable ID, a short title and a message format with {0}-style holes.
/// The generator turns each into a Roslyn DiagnosticDescriptor; the run-time compiler formats the same text.
/// </summary>
internal sealed record LossDiagnosticDescriptor(string Id, string Title, string MessageFormat, LossSeverity Severity, string Category)
{
    public string HelpLink => $"https://github.com/lossdsl/lossdsl/blob/main/docs/diagnostics.md#{Id.ToLowerInvariant()}";
}
