using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// One term of the loss: the bound primitive and the kernel call that computes it from the shared steps, and the call
/// that gives its values before the reduction (<see cref="Unreduced"/>; null when the term reports its scalar only),
/// run only when the caller asks for them.
/// </summary>
internal sealed record PlanTerm(BoundTerm Bound, KernelCall Call)
{
    public KernelCall? Unreduced { get; init; }

    /// <summary>
    /// The call that makes the term's value on this process's shard the whole batch's across a data-parallel group,
    /// reading the term's own value; null when the term reads only statistics already summed across the group.
    /// </summary>
    public KernelCall? AcrossGroup { get; init; }

    public string Name => Bound.Name;

    public PrimitiveDefinition Primitive => Bound.Primitive;
}
