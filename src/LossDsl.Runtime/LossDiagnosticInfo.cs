namespace LossDsl;

/// <summary>How serious a diagnostic is.</summary>
public enum LossDiagnosticSeverity
{
    /// <summary>Legal but suspicious text; the loss still compiles.</summary>
    Warning,

    /// <summary>The loss cannot be compiled.</summary>
    Error,

    /// <summary>A suggestion (the IDE's "Info"): the loss is fine, something in it may not do what was meant.</summary>
    Info,
}

/// <summary>
/// A mistake in loss text, as the source generator reports it: the same <paramref name="Id"/> and message,
/// located by character offsets into the text.
/// </summary>
/// <param name="Id">Stable ID such as <c>LOSS0100</c>; docs/diagnostics.md explains each.</param>
/// <param name="Severity">Error, warning or suggestion.</param>
/// <param name="Message">What is wrong and how to fix it.</param>
/// <param name="Start">Offset of the first character the diagnostic points at.</param>
/// <param name="Length">Number of characters it points at (0 for a missing token).</param>
/// <param name="Line">Line of <paramref name="Start"/>, from 1.</param>
/// <param name="Column">Column of <paramref name="Start"/>, from 1.</param>
public sealed record LossDiagnosticInfo(string Id, LossDiagnosticSeverity Severity, string Message, int Start, int Length, int Line, int Column)
{
    /// <summary>
    /// The <see cref="LossOptions"/> property the diagnostic is about (<c>Classes</c>, <c>IgnoreIndex</c>, ...) when it is
    /// about a setting rather than characters of the text; null otherwise. Such a diagnostic points at no text: its
    /// <see cref="Start"/> and <see cref="Length"/> are 0, its <see cref="Line"/> and <see cref="Column"/> 1.
    /// </summary>
    public string? Setting { get; init; }

    /// <summary><c>(1,7): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?</c>, as the C# compiler prints it.</summary>
    public override string ToString() =>
        $"({Line},{Column}): {Severity.ToString().ToLowerInvariant()} {Id}: {Message}";
}
