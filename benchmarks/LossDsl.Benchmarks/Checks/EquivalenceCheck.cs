using LossDsl.Benchmarks.Cases;
using LossDsl.Benchmarks.Measurements;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Checks;

/// <summary>
/// Before anything is timed: every measured module must compute what the generated module computes, value and gradient,
/// or the comparison would be of different losses. In float64 on small inputs to 1e-9 relative (the project's contract),
/// and in float32 at the benchmark shapes to 1e-4 for values (summation order differs between implementations) and
/// 5e-3 for gradients, relative to the largest gradient entry: the Lovász gradient <c>J_i − J_(i−1)</c> of 65,536 sorted
/// pixels is a difference of two numbers near 0.5 that is itself near 1/65,536, so float32 keeps only ~3 digits of it
/// in any implementation (the float64 check is the one that proves the formulas equal).
/// </summary>
public static class EquivalenceCheck
{
    private static readonly long[] SmallBinary = { 2, 1, 40, 48 };
    private static readonly long[] SmallMulticlass = { 2, BenchmarkShapes.MulticlassClasses, 24, 32 };

    /// <summary>Checks every variant against its case's generated module; throws on the first disagreement.</summary>
    /// <returns>One line per variant and precision, for the log.</returns>
    public static IReadOnlyList<string> Run(IEnumerable<LossVariant> variants)
    {
        var lines = new List<string>();
        foreach (var group in variants.GroupBy(v => v.Case))
        {
            var lossCase = group.Key;
            var small = lossCase.Target == LossTarget.Labels ? SmallMulticlass : SmallBinary;
            foreach (var (dtype, shape, tolerance, gradientTolerance) in new[] { (ScalarType.Float64, small, 1e-9, 1e-9), (ScalarType.Float32, lossCase.Shape, 1e-4, 5e-3) })
            {
                var (pred, target) = lossCase.CreateInputs(dtype, shape, seed: 1);
                using (pred)
                using (target)
                {
                    using var reference = lossCase.Create(Implementation.Generated);
                    var (expected, expectedGradient) = TrainingStep.ValueAndGradient(reference, pred, target);
                    using (expectedGradient)
                    {
                        foreach (var variant in group.Where(v => v.Label != nameof(Implementation.Generated) && v.ComputesTheLoss))
                        {
                            using var scope = NewDisposeScope();
                            using var loss = variant.Create();
                            var (actual, gradient) = TrainingStep.ValueAndGradient(loss, pred, target);
                            using (gradient)
                            {
                                var valueError = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-30);
                                var gradientError = (gradient - expectedGradient).abs().max().item<double>() / Math.Max(expectedGradient.abs().max().item<double>(), 1e-30);
                                var line = $"{variant}, {dtype} [{string.Join(", ", shape)}]: value {actual:G10} vs {expected:G10} (relative error {valueError:E1}), gradient relative error {gradientError:E1}";
                                if (!(valueError <= tolerance && gradientError <= gradientTolerance))
                                {
                                    throw new InvalidOperationException($"Not the same loss (tolerances {tolerance:E0}, gradients {gradientTolerance:E0}): {line}");
                                }

                                lines.Add(line);
                            }
                        }
                    }
                }
            }
        }

        return lines;
    }
}
