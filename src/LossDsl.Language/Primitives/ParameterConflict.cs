using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>
/// Two arguments of one term that cannot be given together: where <see cref="When"/> is <see cref="Is"/>, an explicit
/// <see cref="Other"/> other than its default is an error (LOSS0117) on it, saying <see cref="Reason"/>.
/// </summary>
internal sealed record ParameterConflict(ParameterDefinition When, ArgumentValue Is, ParameterDefinition Other, string Reason);
