using System.Collections.Immutable;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// What both back ends execute: the constant buffers, built once at construction; per forward pass the shared steps in
/// dependency order, each computed once, then every term, then the folded scalar expression over the terms.
/// <see cref="Name"/> is the loss's name in messages; <see cref="Text"/> the loss as written (an attribute's string, or a
/// whole <c>.loss</c> definition); <see cref="Source"/> the text that syntax spans index into (the same string, or the
/// whole <c>.loss</c> file).
/// </summary>
internal sealed record LossPlan(
    string Name,
    string Text,
    string Source,
    LossSignature Signature,
    ImmutableArray<PlanBuffer> Buffers,
    ImmutableArray<PlanStep> Steps,
    ImmutableArray<PlanTerm> Terms,
    ScalarNode Total);
