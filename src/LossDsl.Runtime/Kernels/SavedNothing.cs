using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// What a node saves for its backward pass in the place of an absent tensor (no positive weight, no scale, nothing
/// kept): one empty tensor for every node, made once, which the backward pass tells apart by its size. A new one per
/// node and step cost a native allocation, its wrapper and its disposal, each step.
/// </summary>
internal static class SavedNothing
{
    /// <summary>The empty tensor, in no dispose scope (it lives as long as the process).</summary>
    public static Tensor Empty { get; } = empty(0).DetachFromDisposeScope();

    /// <summary><paramref name="tensor"/>, or <see cref="Empty"/> for none.</summary>
    public static Tensor Or(Tensor? tensor) => tensor ?? Empty;
}
