using BenchmarkDotNet.Attributes;
using LossDsl.Benchmarks.Filters;
using LossDsl.Kernels;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Benchmarks;

/// <summary>
/// SSIM's filtering at the binary benchmark shape: the five maps (x, y, x², y², xy) of 8 x 1 x 256 x 256 stacked as
/// [8, 5, 256, 256], an 11-tap window of σ 1.5, forward and backward, float32, torch threads = cores.
/// </summary>
[MemoryDiagnoser]
public class GaussianFilterBenchmarks
{
    private GaussianFilterPlan plan = null!;
    private Tensor images = null!;

    /// <summary>The formulation measured.</summary>
    [Params(GaussianFilter.Conv2d, GaussianFilter.SeparableGrouped, GaussianFilter.SeparableFolded, GaussianFilter.BandedMatrices)]
    public GaussianFilter Formulation { get; set; }

    /// <summary>Builds the plan (window and banded matrices) and the input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        using var window = ConstantBuffers.GaussianWindow(11, 1.5);
        using var window32 = window.to_type(ScalarType.Float32);
        plan = new GaussianFilterPlan(window32);
        images = rand(new long[] { 8, 5, 256, 256 }, generator: new TorchSharp.torch.Generator(3)).requires_grad_().DetachFromDisposeScope();
    }

    /// <summary>Filters the maps and back-propagates a sum through the filter.</summary>
    [Benchmark]
    public void ForwardBackward()
    {
        using var scope = NewDisposeScope();
        var filtered = plan.Apply(Formulation, images);
        autograd.grad(new[] { filtered.sum() }, new[] { images });
    }

    /// <summary>Frees the plan and input.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        plan.Dispose();
        images.Dispose();
    }
}
