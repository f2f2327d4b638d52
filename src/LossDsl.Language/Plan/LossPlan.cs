using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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
    ScalarNode Total)
{
    /// <summary>
    /// The whole total as one call of a statistics node (<see cref="FusionAnalysis.TotalInStatistics"/>), after the
    /// steps it reads (<see cref="StepsRead"/>): what <c>forward</c> makes instead of every step and term, where the
    /// call gives a value; null when the plan has none.
    /// </summary>
    public KernelCall? TotalCall { get; init; }

    /// <summary>The steps <paramref name="call"/> reads, directly or through other steps, in plan order.</summary>
    public ImmutableArray<PlanStep> StepsRead(KernelCall call)
    {
        var read = new HashSet<string>(Locals(call));
        // Backwards: a step is read when a later step that is read, or the call, reads one of its outputs.
        for (var i = Steps.Length - 1; i >= 0; i--)
        {
            if (Steps[i].Outputs.Any(read.Contains))
            {
                read.UnionWith(Locals(Steps[i].Call));
            }
        }

        return Steps.Where(step => step.Outputs.Any(read.Contains)).ToImmutableArray();
    }

    // The locals a call reads, its nested calls' (region terms') included.
    private static IEnumerable<string> Locals(KernelCall call) =>
        call.Arguments.SelectMany(a => a.Value switch
        {
            LocalValue local => new[] { local.Name },
            CallsValue calls => calls.Calls.SelectMany(Locals),
            _ => Enumerable.Empty<string>(),
        });
}
