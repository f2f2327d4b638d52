using System;
using System.Collections.Generic;
using System.Linq;

namespace LossDsl;

/// <summary>Thrown by <see cref="LossCompiler.Compile"/> when loss text has errors; carries every diagnostic.</summary>
public sealed class LossCompileException : Exception
{
    /// <summary>Creates the exception for <paramref name="text"/> and its diagnostics.</summary>
    public LossCompileException(string text, IReadOnlyList<LossDiagnosticInfo> diagnostics)
        : base(Describe(text, diagnostics))
    {
        Text = text;
        Diagnostics = diagnostics;
    }

    /// <summary>The loss text that failed to compile.</summary>
    public string Text { get; }

    /// <summary>Every diagnostic, errors and warnings, in text order of discovery.</summary>
    public IReadOnlyList<LossDiagnosticInfo> Diagnostics { get; }

    private static string Describe(string text, IReadOnlyList<LossDiagnosticInfo> diagnostics) =>
        $"The loss \"{text}\" has {diagnostics.Count(d => d.Severity == LossDiagnosticSeverity.Error)} error(s):"
        + string.Concat(diagnostics.Select(d => Environment.NewLine + "  " + d));
}
