using System.Diagnostics;
using LossDsl.Benchmarks.Cases;
using LossDsl.Kernels;
using LossDsl.Kernels.Cpu;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Measurements;

/// <summary>
/// The fused pass of class indices alone (<see cref="SoftmaxStatisticsPass"/>), forward and backward, without the
/// module, autograd or the dispose scope around them: what a change to the pass itself is worth, apart from the
/// framework's share of a step. One thread, float32, the multiclass cases' classes on [4, C, side, side] with random
/// labels; the backward pass starts from the kept p and writes the gradient over it, as in a training step.
/// </summary>
public static class PassLoop
{
    private const int CallsPerChunk = 50;

    /// <summary>
    /// Runs the pass with <paramref name="term"/> (<c>ce</c> or <c>focal</c>, γ = 2) for <paramref name="seconds"/> and
    /// prints the least and median CPU time of a forward and of a backward call over chunks of calls.
    /// </summary>
    public static void Run(string term, double seconds, int side)
    {
        set_num_threads(1);
        manual_seed(1);
        var classes = BenchmarkShapes.MulticlassClasses;
        using var logits = randn(4, classes, side, side).mul_(3);
        using var labels = randint(0, classes, new long[] { 4, 1, side, side }, dtype: ScalarType.Int64);
        var pixels = CpuRows.OfLabels(logits, labels, null, new long[] { 0, 2, 3 })
            ?? throw new InvalidOperationException("The fused pass does not take these tensors.");
        var pixelSum = term switch
        {
            "ce" => LabelPixelSum.WeightedCrossEntropy(null, 0),
            "focal" => LabelPixelSum.Focal(2.0),
            _ => throw new ArgumentException($"--pass takes ce or focal, not {term}."),
        };

        // Gradients of TP and P as a dice term's would be: small, and different per class.
        var truePositiveGrad = Enumerable.Range(1, classes).Select(c => -1e-3 * c).ToArray();
        var predictedGrad = Enumerable.Range(1, classes).Select(c => 5e-4 * c).ToArray();
        var (forward, backward) = (new List<double>(), new List<double>());
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var (forwardTime, backwardTime) = (0.0, 0.0);
            for (var call = 0; call < CallsPerChunk; call++)
            {
                using var scope = NewDisposeScope();
                var start = ThreadCpuTime.Milliseconds();
                var (_, _, probabilities, logProbabilities) = SoftmaxStatisticsPass.Forward(pixels, logits, labels, null, pixelSum, keepProbabilities: true);
                var middle = ThreadCpuTime.Milliseconds();
                SoftmaxStatisticsPass.Backward(pixels, logits, labels, null, truePositiveGrad, predictedGrad, 1.0 / labels.numel(), pixelSum, probabilities, logProbabilities);
                var end = ThreadCpuTime.Milliseconds();
                (forwardTime, backwardTime) = (forwardTime + middle - start, backwardTime + end - middle);
            }

            forward.Add(forwardTime / CallsPerChunk);
            backward.Add(backwardTime / CallsPerChunk);
        }

        Console.WriteLine(FormattableString.Invariant(
            $"{term} pass on [4, {classes}, {side}, {side}], one thread: forward least {forward.Min():0.0000} ms, median {Statistics.Median(forward):0.0000} ms; backward least {backward.Min():0.0000} ms, median {Statistics.Median(backward):0.0000} ms ({forward.Count} chunks of {CallsPerChunk} calls)"));
    }
}
