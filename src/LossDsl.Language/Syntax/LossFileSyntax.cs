using System.Collections.Immutable;

namespace LossDsl.Language.Syntax;

/// <summary>A <c>.loss</c> file: definitions in order.</summary>
internal sealed record LossFileSyntax(ImmutableArray<LossDefinitionSyntax> Definitions);

/// <summary>
/// <c>loss Name(signature) = expression;</c>, the signature optional. <see cref="ContainsErrors"/>: the lexer or the
/// parser reported an error within it (a bad character, a missing token), as Roslyn marks a node with diagnostics.
/// </summary>
internal sealed record LossDefinitionSyntax(SourceSpan Span, NameSyntax Name, SignatureSyntax? Signature, ExpressionSyntax Body)
{
    public bool ContainsErrors { get; init; }
}

/// <summary><c>pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255</c>.</summary>
internal sealed record SignatureSyntax(SourceSpan Span, ImmutableArray<SignatureParameterSyntax> Parameters);

/// <summary>
/// One parameter of a signature: its role (<c>pred</c>, <c>target</c>, ...), kind word, optional shape, and the clauses
/// after the shape (<c>ignore 255</c> on labels; <c>levels K</c>, <c>weights exp</c>, <c>resize pred</c> on pred).
/// </summary>
internal sealed record SignatureParameterSyntax(SourceSpan Span, NameSyntax Role, NameSyntax Kind, ShapeSyntax? Shape, IgnoreSyntax? Ignore)
{
    public LevelsSyntax? Levels { get; init; }

    public LevelWeightsSyntax? Weights { get; init; }

    public ResizeSyntax? Resize { get; init; }

    public StrideSyntax? Stride { get; init; }

    public DtypeSyntax? Dtype { get; init; }
}

internal sealed record ShapeSyntax(SourceSpan Span, ImmutableArray<DimensionSyntax> Dimensions);

/// <summary>A dimension: a symbol such as <c>N</c> or <c>H</c>, or a static size. <see cref="Size"/> is null for symbols.</summary>
internal sealed record DimensionSyntax(SourceSpan Span, string Text, int? Size);

/// <summary><c>ignore 255</c>; <see cref="Value"/> is null when the number was missing or invalid (already reported).</summary>
internal sealed record IgnoreSyntax(SourceSpan Span, int? Value);

/// <summary><c>levels 6</c> or <c>levels K</c>: how many predictions pred is, static or taken from the call.</summary>
internal sealed record LevelsSyntax(SourceSpan Span, DimensionSyntax Count);

/// <summary><c>weights exp</c> or <c>weights [1, 0.5, 0.25]</c>: one of <see cref="Mode"/> and <see cref="List"/> is set.</summary>
internal sealed record LevelWeightsSyntax(SourceSpan Span, NameSyntax? Mode, ImmutableArray<NumberSyntax> List);

/// <summary><c>resize target</c> or <c>resize pred</c>: which side is resized when a level's size differs.</summary>
internal sealed record ResizeSyntax(SourceSpan Span, NameSyntax Policy);

/// <summary><c>stride 2</c>: each level is this many times smaller than the one above, in every spatial dim.</summary>
internal sealed record StrideSyntax(SourceSpan Span, DimensionSyntax Value);

/// <summary><c>dtype float16</c> on pred.</summary>
internal sealed record DtypeSyntax(SourceSpan Span, NameSyntax Value);
