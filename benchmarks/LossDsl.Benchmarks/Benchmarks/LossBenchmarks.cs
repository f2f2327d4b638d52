using BenchmarkDotNet.Attributes;
using LossDsl.Benchmarks.Cases;
using LossDsl.Benchmarks.Measurements;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Benchmarks;

/// <summary>Forward + backward of every selected loss variant, float32 on the CPU, torch threads = cores.</summary>
[MemoryDiagnoser]
public class LossBenchmarks
{
    private nn.Module<Tensor, Tensor, Tensor> loss = null!;
    private Tensor pred = null!;
    private Tensor target = null!;

    /// <summary>The variants to measure; the runner sets them before BenchmarkDotNet enumerates the parameters.</summary>
    public static IReadOnlyList<LossVariant> Selected { get; set; } = Array.Empty<LossVariant>();

    /// <summary>The variant measured.</summary>
    [ParamsSource(nameof(Variants))]
    public LossVariant Variant { get; set; } = null!;

    /// <summary>The values of <see cref="Variant"/>.</summary>
    public static IEnumerable<LossVariant> Variants() => Selected;

    /// <summary>Builds the module and the seeded inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        loss = Variant.Create();
        (pred, target) = Variant.Case.CreateInputs(ScalarType.Float32);
    }

    /// <summary>One training step's loss work: the value and the gradient with respect to pred.</summary>
    [Benchmark]
    public void ForwardBackward() => TrainingStep.Run(loss, pred, target);

    /// <summary>Frees the module and inputs.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        loss.Dispose();
        pred.Dispose();
        target.Dispose();
    }
}
