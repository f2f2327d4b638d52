namespace LossDsl.Language.Plan;

/// <summary>
/// How much data one kernel call moves per forward pass, in passes (docs/cli.md, "Counting passes"): every tensor
/// operation the kernel runs counts one pass per tensor it reads and one per tensor it writes. <see cref="Full"/> counts
/// tensors of pred's size, <c>[N, C, *spatial]</c>; <see cref="PerPixel"/> counts tensors with one value per pixel,
/// <c>[N, *spatial]</c> or <c>[N, 1, *spatial]</c> (labels, valid pixels), each 1/C of a full pass. Reductions to
/// per-channel values write nothing counted; views (reshape, narrow, unsqueeze) cost nothing; the backward pass is not counted.
/// </summary>
internal readonly record struct PassCount(int Full, int PerPixel)
{
    public static PassCount operator +(PassCount left, PassCount right) => new(left.Full + right.Full, left.PerPixel + right.PerPixel);

    public static PassCount operator -(PassCount left, PassCount right) => new(left.Full - right.Full, left.PerPixel - right.PerPixel);
}
