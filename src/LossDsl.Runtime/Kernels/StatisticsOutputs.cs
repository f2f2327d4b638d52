using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// TP, P, T, the pixel term's sum and the values of the region terms the node evaluated from the one output of a
/// statistics node (<see cref="SigmoidStatistics"/>, <see cref="SoftmaxStatistics"/>: the statistics flattened one after
/// the other, then the sum, then the terms' values). One split gives every part, and backward one node gathers their
/// gradients; a narrow and a view per part, as before, cost about 40 µs more a step, forward and backward, which is a
/// small loss's whole tail. (Four outputs of their own would need
/// TorchSharp's multi-output node, which builds a zero gradient for an unused output from a copy of it that the loss's
/// dispose scope has already released.)
/// </summary>
internal static class StatisticsOutputs
{
    /// <summary>
    /// TP, P and T shaped as <paramref name="shape"/>, the scalar sum after them when there is one, and the scalar value of
    /// each region term after that (as many as the output holds).
    /// </summary>
    public static (Tensor TruePositive, Tensor Predicted, Tensor Target, Tensor? PixelSum, Tensor[] TermValues) Split(Tensor all, long[] shape, bool withSum)
    {
        var size = shape.Aggregate(1L, (a, b) => a * b);
        var terms = (int)(all.size(0) - (3 * size) - (withSum ? 1 : 0));
        var sizes = new[] { size, size, size }.Concat(Enumerable.Repeat(1L, (withSum ? 1 : 0) + terms)).ToArray();
        var parts = all.split(sizes);
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

        static Tensor Scalar(Tensor single)
        {
            using (single)
            {
                return single.view(System.Array.Empty<long>());
            }
        }

        var sum = withSum ? Scalar(parts[3]) : null;
        var values = parts.Skip(withSum ? 4 : 3).Select(Scalar).ToArray();
        return (Shaped(parts[0]), Shaped(parts[1]), Shaped(parts[2]), sum, values);
    }
}
