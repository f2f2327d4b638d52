using System;
using LossDsl.Kernels.Cpu;
using static TorchSharp.torch;

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

    /// <summary>Refuses <paramref name="regionTerms"/> of another count than the factors.</summary>
    public void CheckFactorsOf(RegionTerm[] regionTerms)
    {
        if (RegionTermFactors.Length != regionTerms.Length)
        {
            throw new ArgumentException($"{regionTerms.Length} region term(s) but {RegionTermFactors.Length} factor(s).", "total");
        }
    }

    /// <summary>
    /// What a statistics node's forward pass returns: its output (<paramref name="sums"/>, then each evaluated term's
    /// value), or with a total that total of it as one scalar, whose factors are saved for <see cref="OutputGradients"/>.
    /// </summary>
    /// <param name="ctx">The node's context.</param>
    /// <param name="total">The total to return, or null for the whole output.</param>
    /// <param name="evaluated">The region terms the node evaluated.</param>
    /// <param name="sums">TP, P and T flattened, then the pixel term's sum when <paramref name="withSum"/>.</param>
    /// <param name="withSum">Whether the node sums a pixel term.</param>
    /// <param name="elements">The count the pixel term's mean divides by: pred's elements, or the pixels of class indices.</param>
    /// <param name="dtype">The output's dtype, pred's.</param>
    public static Tensor NodeOutput(autograd.AutogradContext ctx, LinearTotal? total, EvaluatedRegionTerms evaluated, double[] sums, bool withSum, long elements, ScalarType dtype)
    {
        var factors = total?.OutputFactors(sums.Length - (withSum ? 1 : 0), withSum, elements);
        ctx.save_data(FactorsKey, factors!);
        return total is null ? evaluated.Output(sums, dtype) : CpuValues.Write(new[] { total.Of(evaluated.Appended(sums), factors) }, dtype);
    }

    /// <summary>
    /// The gradient of each number of the node's output (<see cref="NodeOutput"/>): as the backward pass received it, or
    /// with a total each number's factor times the total's gradient, 0 where the total does not read it.
    /// </summary>
    public static double[] OutputGradients(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var incoming = CpuValues.Read(gradOutput);
        return ctx.get_data(FactorsKey) is double[] factors ? Array.ConvertAll(factors, factor => factor == 0 ? 0 : factor * incoming[0]) : incoming;
    }

    // The key of the factors in the node's context.
    private const string FactorsKey = "totalFactors";
}
