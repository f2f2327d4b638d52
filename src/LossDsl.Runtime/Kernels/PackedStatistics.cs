using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// How the statistics nodes (<see cref="SigmoidStatistics"/>, <see cref="SoftmaxStatistics"/>) pass their results
/// through autograd's single output tensor: TP and P flattened, then the cross-entropy sum when there is one; and how
/// their backward passes read the incoming gradients back, shaped to broadcast over the dims the sums reduced.
/// </summary>
internal static class PackedStatistics
{
    /// <summary>TP, P and the cross-entropy sum (when there is one), as one vector.</summary>
    public static Tensor Pack(Tensor truePositive, Tensor predicted, Tensor? crossEntropy)
    {
        var parts = new List<Tensor> { truePositive.reshape(-1), predicted.reshape(-1) };
        if (crossEntropy is not null)
        {
            parts.Add(crossEntropy.reshape(1));
        }

        var all = cat(parts, 0);
        parts.ForEach(part => part.Dispose());
        return all;
    }

    /// <summary>The views of <see cref="Pack"/>'s vector, for the statistics of <paramref name="input"/> summed over <paramref name="reduce"/>.</summary>
    public static (Tensor TruePositive, Tensor Predicted, Tensor? CrossEntropy) Unpack(Tensor all, Tensor input, long[] reduce, bool crossEntropy)
    {
        var (shape, size) = Shape(input, reduce);
        return (all.narrow(0, 0, size).view(shape), all.narrow(0, size, size).view(shape), crossEntropy ? all[2 * size] : null);
    }

    /// <summary>
    /// The incoming gradients of TP and P, with a size-1 dim where each reduced dim was (so they broadcast over
    /// <paramref name="input"/>), and the cross-entropy's (a scalar) when there is one.
    /// </summary>
    public static (Tensor TruePositive, Tensor Predicted, Tensor? CrossEntropy) Gradients(Tensor gradOutput, Tensor input, long[] reduce, bool crossEntropy)
    {
        var (shape, size) = Shape(input, reduce);
        return (
            Unreduce(gradOutput.narrow(0, 0, size).view(shape), reduce),
            Unreduce(gradOutput.narrow(0, size, size).view(shape), reduce),
            crossEntropy ? gradOutput[2 * size] : null);
    }

    // The statistics' shape: the input's shape without the reduced dims.
    private static (long[] Shape, long Size) Shape(Tensor input, long[] reduce)
    {
        var shape = input.shape.Where((_, dim) => !reduce.Contains(dim)).ToArray();
        return (shape, shape.Aggregate(1L, (a, b) => a * b));
    }

    private static Tensor Unreduce(Tensor statistic, long[] reduce) =>
        reduce.Aggregate(statistic, (shaped, dim) =>
        {
            using (shaped)
            {
                return shaped.unsqueeze(dim);
            }
        });
}
