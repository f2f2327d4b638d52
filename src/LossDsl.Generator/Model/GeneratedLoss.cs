namespace LossDsl.Generator.Model;

/// <summary>The generated file for one loss: its hint name and text. Strings only, so caching compares them exactly.</summary>
internal sealed record GeneratedLoss(string HintName, string Source);

/// <summary>The outcome of compiling one declaration: a file when there were no errors, and the diagnostics either way.</summary>
internal sealed record GenerationResult(GeneratedLoss? Output, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A <c>.loss</c> file as the generator reads it: path, text and the namespace its classes go to.</summary>
internal sealed record LossFileDeclaration(string Path, string Text, string? Namespace);

/// <summary>The outcome of compiling a <c>.loss</c> file: a generated file per definition without errors, and the diagnostics.</summary>
internal sealed record FileGenerationResult(EquatableArray<GeneratedLoss> Outputs, EquatableArray<DiagnosticInfo> Diagnostics);
