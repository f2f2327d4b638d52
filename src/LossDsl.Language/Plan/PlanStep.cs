using System.Collections.Immutable;

namespace LossDsl.Language.Plan;

/// <summary>
/// A value computed once per forward pass and read by every term that needs it: the target in kernel form,
/// the probabilities, the region statistics. Equal steps are shared, which is what fuses the terms. A step may have
/// several <see cref="Outputs"/> (the statistics node on logits yields the statistics and bce's sum): its kernel then
/// returns a tuple of that many values, one local each.
/// </summary>
internal sealed record PlanStep(ImmutableArray<string> Outputs, KernelCall Call)
{
    /// <summary>The outputs as generated code declares them: <c>stats</c>, or <c>(stats, bceSum)</c>.</summary>
    public string Declared => Outputs.Length == 1 ? Outputs[0] : "(" + string.Join(", ", Outputs) + ")";
}
