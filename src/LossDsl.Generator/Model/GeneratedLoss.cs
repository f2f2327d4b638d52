namespace LossDsl.Generator.Model;

/// <summary>
/// The generated file for one loss: its hint name and text, and for a <c>.loss</c> definition its full class name and
/// where its name is written, as the diagnostic to report if another file defines it too. Values only, so caching compares them exactly.
/// </summary>
internal sealed record GeneratedLoss(string HintName, string Source, string? FullName = null, DiagnosticInfo? NameLocation = null);

/// <summary>The outcome of compiling one declaration: a file when there were no errors, and the diagnostics either way.</summary>
internal sealed record GenerationResult(GeneratedLoss? Output, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A <c>.loss</c> file as the generator reads it: path, text and the namespace its classes go to.</summary>
internal sealed record LossFileDeclaration(string Path, string Text, string? Namespace);

/// <summary>The outcome of compiling a <c>.loss</c> file: a generated file per definition without errors, and the diagnostics.</summary>
internal sealed record FileGenerationResult(EquatableArray<GeneratedLoss> Outputs, EquatableArray<DiagnosticInfo> Diagnostics);
