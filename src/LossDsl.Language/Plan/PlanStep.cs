namespace LossDsl.Language.Plan;

/// <summary>
/// A value computed once per forward pass and read by every term that needs it: the target in kernel form,
/// the probabilities, the region statistics. Equal steps are shared, which is what fuses the terms.
/// </summary>
internal sealed record PlanStep(string Local, KernelCall Call);
