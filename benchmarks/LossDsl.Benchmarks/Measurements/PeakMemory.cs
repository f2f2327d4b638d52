using LossDsl.Benchmarks.Cases;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Measurements;

/// <summary>Peak native memory of one forward + backward step, per measured module (see <see cref="ResidentMemory"/>).</summary>
public static class PeakMemory
{
    /// <summary>
    /// For each variant, after one step of every variant of its loss: two unmeasured steps (first-call allocations:
    /// module buffers, libtorch's thread pools), then three measured steps, each from a reset peak; the result is the largest
    /// <c>VmHWM − VmRSS before the step</c>, in bytes. Inputs are allocated before the reset, so only what the loss
    /// itself allocates counts (its temporaries, the tensors autograd saves, and the gradient).
    /// </summary>
    public static IReadOnlyList<PeakMemoryResult> Measure(IEnumerable<LossVariant> variants)
    {
        ResidentMemory.ReturnFreedBlocksToTheSystem();
        var results = new List<PeakMemoryResult>();
        foreach (var group in variants.GroupBy(v => v.Case))
        {
            var (pred, target) = group.Key.CreateInputs(ScalarType.Float32);

            // Every variant runs once before any is measured: libtorch and its math libraries set up per-kernel state
            // (MKL's buffers for a dot product, oneDNN's for a convolution) at a kernel's first use in the process, and
            // that one-time cost must not land on whichever variant happens to be measured first.
            foreach (var variant in group)
            {
                using var warmUp = variant.Create();
                TrainingStep.Run(warmUp, pred, target);
            }

            foreach (var variant in group)
            {
                using var loss = variant.Create();
                TrainingStep.Run(loss, pred, target);
                TrainingStep.Run(loss, pred, target);
                long peak = 0;
                for (var i = 0; i < 3; i++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    ResidentMemory.ResetPeak();
                    var before = ResidentMemory.Current();
                    TrainingStep.Run(loss, pred, target);
                    peak = Math.Max(peak, ResidentMemory.Peak() - before);
                }

                results.Add(new PeakMemoryResult(variant.Case.Name, variant.Label, peak));
            }

            pred.Dispose();
            target.Dispose();
        }

        return results;
    }
}

/// <summary>The peak native memory of one implementation's step, in bytes.</summary>
public sealed record PeakMemoryResult(string Case, string Implementation, long PeakBytes);
