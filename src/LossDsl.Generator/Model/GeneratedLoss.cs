using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator.Model;

/// <summary>
/// The generated file for one loss: its hint name and text, and for a <c>.loss</c> definition its name, its full class
/// name and where its name is written (where a clash with another file's definition is reported). Values only, so
/// caching compares them exactly.
/// </summary>
internal sealed record GeneratedLoss(string HintName, string Source, FileDefinition? Definition = null);

/// <summary>A definition of a <c>.loss</c> file: its name as written, its class's full name, and where the name stands.</summary>
internal sealed record FileDefinition(string Name, string FullName, string FilePath, TextSpan NameSpan, LinePositionSpan NameLines);

/// <summary>The outcome of compiling one declaration: a file when there were no errors, and the diagnostics either way.</summary>
internal sealed record GenerationResult(GeneratedLoss? Output, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>A <c>.loss</c> file as the generator reads it: path, text and the namespace its classes go to.</summary>
internal sealed record LossFileDeclaration(string Path, string Text, string? Namespace);

/// <summary>The outcome of compiling a <c>.loss</c> file: a generated file per definition without errors, and the diagnostics.</summary>
internal sealed record FileGenerationResult(EquatableArray<GeneratedLoss> Outputs, EquatableArray<DiagnosticInfo> Diagnostics);
