using static TorchSharp.torch;

namespace LossDsl.Tests.Infrastructure;

/// <summary>
/// A data-parallel group of this process alone: the sums are its own, but a loss with it takes every path a group
/// takes (statistics summed across it before any term reads them).
/// </summary>
internal sealed class GroupOfOne : ILossGroup
{
    public Tensor Sum(Tensor local) => local.clone();
}
