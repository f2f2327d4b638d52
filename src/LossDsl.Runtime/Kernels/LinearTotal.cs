using System;

namespace LossDsl.Kernels;

/// <summary>
/// A loss that a statistics node returns itself (<see cref="SigmoidStatistics.Total"/>, <see cref="SoftmaxStatistics.Total"/>):
/// a constant, plus the node's pixel term's mean over every element (every pixel, for class indices) times <see cref="PixelTermFactor"/>, plus each region term the node evaluates times its
/// factor, in the order the node was given them.
/// </summary>
internal sealed record LinearTotal(double PixelTermFactor, double[] RegionTermFactors, double Constant)
{
    /// <summary>
    /// The factor of each number of the node's output, as <see cref="SigmoidStatistics.Compute"/> returns it: 0 for the
    /// <paramref name="statistics"/> numbers of TP, P and T, the pixel term's factor over the element count for its sum
    /// (when <paramref name="withSum"/>), then the region terms' own.
    /// </summary>
    public double[] OutputFactors(int statistics, bool withSum, long elements)
    {
        var factors = new double[statistics + (withSum ? 1 : 0) + RegionTermFactors.Length];
        if (withSum)
        {
            // The mean's count as PixelLosses.MeanOverAllElements takes it: at least 1.
            factors[statistics] = PixelTermFactor / Math.Max(1, elements);
        }

        RegionTermFactors.CopyTo(factors, statistics + (withSum ? 1 : 0));
        return factors;
    }

    /// <summary>The total of the node's <paramref name="output"/> weighed by <paramref name="factors"/> (<see cref="OutputFactors"/>).</summary>
    public double Of(ReadOnlySpan<double> output, ReadOnlySpan<double> factors)
    {
        var total = Constant;
        for (var k = 0; k < output.Length; k++)
        {
            // A number the total does not read adds nothing, NaN or not, as it adds nothing to the terms' sum.
            total += factors[k] == 0 ? 0 : factors[k] * output[k];
        }

        return total;
    }

    /// <summary>Each output number's gradient from the total's <paramref name="incoming"/> one: 0 where the total does not read it.</summary>
    public static double[] Gradients(double[] factors, double incoming) => Array.ConvertAll(factors, factor => factor == 0 ? 0 : factor * incoming);
}
