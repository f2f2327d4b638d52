using System.Collections.Immutable;

namespace LossDsl.Language.Plan;

/// <summary>
/// The tensors a plan reads from one call of the module (<c>LossDsl.LossInputs</c>), under the names kernel arguments
/// and generated code give them: the planner hands them to kernels, the interpreter binds them to its first slots in
/// <see cref="All"/>'s order, the emitter declares them.
/// </summary>
internal static class PlanInputs
{
    public static LocalValue Pred { get; } = new("pred");

    public static LocalValue Target { get; } = new("target");

    /// <summary>The declared pixel weight map as given; kernels read it checked (<see cref="IPlanInputs.PixelWeights"/>).</summary>
    public static LocalValue PixelWeight { get; } = new("pixelWeight");

    /// <summary>The declared valid mask as given; kernels read it checked (<see cref="IPlanInputs.ValidPixels"/>).</summary>
    public static LocalValue ValidMask { get; } = new("validMask");

    public static ImmutableArray<LocalValue> All { get; } = ImmutableArray.Create(Pred, Target, PixelWeight, ValidMask);

    /// <summary>
    /// The data-parallel group (<c>LossModule.Group</c>), null for a loss of one process's batch: read at every call by
    /// the kernels that make a shard's values the whole batch's.
    /// </summary>
    public static SettingValue Group { get; } = new("Group");
}
