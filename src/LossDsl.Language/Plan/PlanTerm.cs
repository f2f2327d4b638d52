using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>One term of the loss: the bound primitive and the kernel call that computes it from the shared steps.</summary>
internal sealed record PlanTerm(BoundTerm Bound, KernelCall Call)
{
    public string Name => Bound.Name;

    public PrimitiveDefinition Primitive => Bound.Primitive;
}
