using System;
using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Syntax;

/// <summary>The syntax tree of a loss expression. Every node knows the characters it came from.</summary>
internal abstract record ExpressionSyntax(SourceSpan Span)
{
    /// <summary>Height of the tree below this node, kept so that later stages can rely on a bounded recursion depth.</summary>
    public virtual int Height => 1;
}

/// <summary>A numeric literal; <see cref="Value"/> is NaN when the text was not a valid number (already reported).</summary>
internal sealed record NumberSyntax(SourceSpan Span, string Text, double Value) : ExpressionSyntax(Span);

/// <summary>A bare name: a primitive without arguments (<c>bce</c>), or a word value (<c>auto</c>, <c>true</c>).</summary>
internal sealed record NameSyntax(SourceSpan Span, string Name) : ExpressionSyntax(Span);

/// <summary><c>name(arguments)</c>: a primitive or a scalar function.</summary>
internal sealed record CallSyntax(SourceSpan Span, NameSyntax Callee, ImmutableArray<ArgumentSyntax> Arguments) : ExpressionSyntax(Span)
{
    public override int Height { get; } = 1 + Arguments.Select(a => a.Value.Height).DefaultIfEmpty(0).Max();
}

/// <summary><c>[a, b, c]</c>, only meaningful as an argument value.</summary>
internal sealed record ListSyntax(SourceSpan Span, ImmutableArray<ExpressionSyntax> Items) : ExpressionSyntax(Span)
{
    public override int Height { get; } = 1 + Items.Select(i => i.Height).DefaultIfEmpty(0).Max();
}

internal sealed record UnarySyntax(SourceSpan Span, TokenKind Operator, ExpressionSyntax Operand) : ExpressionSyntax(Span)
{
    public override int Height { get; } = 1 + Operand.Height;
}

internal sealed record BinarySyntax(SourceSpan Span, ExpressionSyntax Left, TokenKind Operator, ExpressionSyntax Right) : ExpressionSyntax(Span)
{
    public override int Height { get; } = 1 + Math.Max(Left.Height, Right.Height);
}

internal sealed record ParenthesizedSyntax(SourceSpan Span, ExpressionSyntax Inner) : ExpressionSyntax(Span)
{
    public override int Height { get; } = 1 + Inner.Height;
}

/// <summary>Stands where an expression was expected but not found; the parser has reported it.</summary>
internal sealed record MissingSyntax(SourceSpan Span) : ExpressionSyntax(Span);

/// <summary>One argument of a call: <c>11</c> or <c>gamma: 2</c>.</summary>
internal sealed record ArgumentSyntax(SourceSpan Span, NameSyntax? Name, ExpressionSyntax Value);
