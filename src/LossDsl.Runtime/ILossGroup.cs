using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// The processes that each hold a shard of one batch (data parallelism), as a loss sees them: a transport that sums
/// tensors across them. Set on <see cref="LossModule.Group"/>, it makes every process's loss value and gradients those
/// of the whole batch (docs/data-parallel.md). <c>LossDsl.Mpi</c> implements it over MPI; any all-reduce will do.
/// </summary>
public interface ILossGroup
{
    /// <summary>
    /// The element-wise sum of <paramref name="local"/> over every process of the group: a new tensor of the same shape,
    /// dtype and device. Every process calls it the same number of times, in the same order, with tensors of the same
    /// shapes and dtypes; none requires a gradient.
    /// </summary>
    Tensor Sum(Tensor local);
}
