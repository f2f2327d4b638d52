using System;
using MPI;
using static TorchSharp.torch;

namespace LossDsl.Mpi;

/// <summary>
/// <see cref="ILossGroup"/> over MPI: every process of <see cref="Communicator"/> holds a shard of the batch, and
/// <see cref="Sum"/> is one all-reduce (MPI_Allreduce with MPI_SUM). Set it on a loss, <c>loss.Group = new
/// MpiLossGroup(session.World)</c>, and every process's loss value and gradients are the whole batch's
/// (docs/data-parallel.md). Tensors on another device are copied to the CPU and back.
/// </summary>
public sealed class MpiLossGroup : ILossGroup
{
    /// <summary>A group of the processes of <paramref name="communicator"/>.</summary>
    public MpiLossGroup(Intracommunicator communicator)
    {
        Communicator = communicator ?? throw new ArgumentNullException(nameof(communicator));
    }

    /// <summary>The processes that hold the batch's shards.</summary>
    public Intracommunicator Communicator { get; }

    /// <inheritdoc/>
    public Tensor Sum(Tensor local)
    {
        using var cpu = local.detach().cpu().contiguous();
        Tensor summed = local.dtype switch
        {
            ScalarType.Float64 => tensor(AllReduce(cpu.data<double>().ToArray()), dtype: ScalarType.Float64),
            ScalarType.Float32 => tensor(AllReduce(cpu.data<float>().ToArray()), dtype: ScalarType.Float32),
            // Losses compute in float32 or float64 (half-precision preds are widened first), so nothing else is summed.
            _ => throw new NotSupportedException($"MpiLossGroup sums float32 and float64 tensors, not {local.dtype}."),
        };

        using (summed)
        {
            return summed.reshape(local.shape).to(local.device);
        }
    }

    private T[] AllReduce<T>(T[] values)
    {
        var result = new T[values.Length];
        Communicator.Allreduce(values, Operation<T>.Add, ref result);
        return result;
    }
}
