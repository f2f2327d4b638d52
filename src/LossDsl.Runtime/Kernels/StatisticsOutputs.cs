using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// TP, P, T and the pixel term's sum from the one output of a statistics node (<see cref="SigmoidStatistics"/>,
/// <see cref="SoftmaxStatistics"/>: the statistics flattened one after the other, then the sum). One split gives all
/// four parts, and backward one node gathers their gradients; a narrow and a view per part, as before, cost about 40 µs
/// more a step, forward and backward, which is a small loss's whole tail. (Four outputs of their own would need
/// TorchSharp's multi-output node, which builds a zero gradient for an unused output from a copy of it that the loss's
/// dispose scope has already released.)
/// </summary>
internal static class StatisticsOutputs
{
    /// <summary>TP, P and T shaped as <paramref name="shape"/>, and the scalar sum after them when there is one.</summary>
    public static (Tensor TruePositive, Tensor Predicted, Tensor Target, Tensor? PixelSum) Split(Tensor all, long[] shape, bool withSum)
    {
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var parts = all.split(withSum ? new[] { size, size, size, 1 } : new[] { size, size, size });
        // One dim already has the statistics' shape (the usual per-class [C]); others take a view.
        Tensor Shaped(Tensor part)
        {
            if (shape.Length == 1)
            {
                return part;
            }

            using (part)
            {
                return part.view(shape);
            }
        }

        Tensor? sum = null;
        if (withSum)
        {
            using var single = parts[3];
            sum = single.view(System.Array.Empty<long>());
        }

        return (Shaped(parts[0]), Shaped(parts[1]), Shaped(parts[2]), sum);
    }
}
