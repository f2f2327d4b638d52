using System.Collections.Immutable;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// What both back ends execute: the constant buffers, built once at construction; per forward pass the shared steps in
/// dependency order, each computed once, then every term, then the folded scalar expression over the terms.
/// <see cref="Name"/> is the loss's name in messages.
/// </summary>
internal sealed record LossPlan(
    string Name,
    string Text,
    LossSignature Signature,
    ImmutableArray<PlanBuffer> Buffers,
    ImmutableArray<PlanStep> Steps,
    ImmutableArray<PlanTerm> Terms,
    ScalarNode Total);
