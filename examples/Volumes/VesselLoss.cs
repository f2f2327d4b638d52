using LossDsl;

namespace Volumes;

/// <summary>
/// Dice for the overlap, clDice for the vessels' connectivity, the Hausdorff distance-transform term for stray
/// voxels far from any vessel: a loss on volumes, [N, 1, D, H, W], declared with three symbolic spatial dims.
/// </summary>
[Loss("dice + cldice(iter: 2) + 0.01 * hausdorff_dt", Spatial = new[] { 0, 0, 0 })]
public sealed partial class VesselLoss;
