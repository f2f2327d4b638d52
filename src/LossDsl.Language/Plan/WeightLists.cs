using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Plan;

/// <summary>Weight lists as the plan compares them: by value, none equal only to none.</summary>
internal static class WeightLists
{
    public static bool Same(ImmutableArray<double>? mine, ImmutableArray<double>? theirs) => (mine, theirs) switch
    {
        (null, null) => true,
        ({ } a, { } b) => a.SequenceEqual(b),
        _ => false,
    };
}
