using LossDsl.Benchmarks.Cases;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Measurements;

/// <summary>
/// The CPU time of one forward + backward step on one torch thread: with intra-op parallelism off, libtorch runs the
/// forward and (for CPU tensors) the backward on the calling thread, so that thread's CPU time is the step's work,
/// whatever else the machine runs. Wall-clock medians on a shared machine measure the load as much as the loss; this
/// measures the loss. The variants of a case are measured round-robin so they see the same conditions (caches,
/// frequency).
/// </summary>
public static class CpuTime
{
    /// <summary>Median thread CPU time per step, in milliseconds, of each variant.</summary>
    /// <param name="variants">What to measure.</param>
    /// <param name="rounds">Measured steps per variant.</param>
    public static IReadOnlyList<CpuTimeResult> Measure(IEnumerable<LossVariant> variants, int rounds = 15)
    {
        var threads = get_num_threads();
        set_num_threads(1);
        try
        {
            var results = new List<CpuTimeResult>();
            foreach (var group in variants.GroupBy(v => v.Case))
            {
                var (pred, target) = group.Key.CreateInputs(ScalarType.Float32);
                var modules = group.Select(v => (Variant: v, Module: v.Create(), Times: new List<double>())).ToList();
                foreach (var (_, module, _) in modules)
                {
                    TrainingStep.Run(module, pred, target);
                    TrainingStep.Run(module, pred, target);
                }

                for (var round = 0; round < rounds; round++)
                {
                    foreach (var (_, module, times) in modules)
                    {
                        var start = ThreadCpuTime.Milliseconds();
                        TrainingStep.Run(module, pred, target);
                        times.Add(ThreadCpuTime.Milliseconds() - start);
                    }
                }

                foreach (var (variant, module, times) in modules)
                {
                    results.Add(new CpuTimeResult(variant.Case.Name, variant.Label, Statistics.Median(times)));
                    module.Dispose();
                }

                pred.Dispose();
                target.Dispose();
            }

            return results;
        }
        finally
        {
            set_num_threads(threads);
        }
    }

}

/// <summary>The median CPU time of one step on one thread, in milliseconds.</summary>
public sealed record CpuTimeResult(string Case, string Implementation, double CpuMs);
