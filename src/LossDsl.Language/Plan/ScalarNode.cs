using System.Collections.Immutable;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>How the terms' scalar values combine into the total, after constant folding.</summary>
internal abstract record ScalarNode;

internal sealed record ScalarConstant(double Value) : ScalarNode;

/// <summary>The value of <see cref="LossPlan.Terms"/>[<see cref="Index"/>].</summary>
internal sealed record ScalarTerm(int Index) : ScalarNode;

/// <summary>The run-time scalar <see cref="LossSignature.Scalars"/>[<see cref="Index"/>], set by the training loop.</summary>
internal sealed record ScalarInput(int Index) : ScalarNode;

internal sealed record ScalarNegation(ScalarNode Operand) : ScalarNode;

internal sealed record ScalarBinary(ScalarNode Left, BinaryOperator Operator, ScalarNode Right) : ScalarNode;

internal sealed record ScalarCall(ScalarFunction Function, ImmutableArray<ScalarNode> Arguments) : ScalarNode;
