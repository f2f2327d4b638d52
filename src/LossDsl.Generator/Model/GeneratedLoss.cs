namespace LossDsl.Generator.Model;

/// <summary>The generated file for one loss: its hint name and text. Strings only, so caching compares them exactly.</summary>
internal sealed record GeneratedLoss(string HintName, string Source);

/// <summary>The outcome of compiling one declaration: a file when there were no errors, and the diagnostics either way.</summary>
internal sealed record GenerationResult(GeneratedLoss? Output, EquatableArray<DiagnosticInfo> Diagnostics);
