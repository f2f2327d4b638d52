using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace LossDsl.Platform;

/// <summary>
/// Whether this platform's libtorch computes convolution gradients right: a small convolutional net trained a few
/// steps in float32 (oneDNN's kernels, at the thread count given), each step's gradients compared with the same net's
/// in float64 (libtorch's own kernels: oneDNN convolutions are float32 only). <c>lossdsl doctor</c> runs it, and a test.
/// </summary>
/// <remarks>
/// The layers are the ones that show libtorch 2.10's oneDNN fault (docs/packaging.md): 3×3 convolutions with 8 output
/// channels, not a multiple of AVX-512's 16, at a batch of 16, large enough that libtorch hands them to oneDNN with
/// any thread count.
/// </remarks>
public static class ConvolutionGradientCheck
{
    /// <summary>The largest relative gradient difference that passes: float32 rounding stays below 1e-5 here.</summary>
    public const double Tolerance = 1e-3;

    private const int Batch = 16, Side = 32, Hidden = 8, Steps = 8;
    private const double LearningRate = 0.1;

    /// <summary>Runs the check with <paramref name="threads"/> CPU threads, then restores the thread count it found.</summary>
    public static ConvolutionGradientCheckResult Run(int threads = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var previousThreads = get_num_threads();
        set_num_threads(threads);
        try
        {
            using var scope = NewDisposeScope();
            var random = new Generator(7);
            var images = randn(new long[] { Batch, 1, Side, Side }, ScalarType.Float64, generator: random);
            var masks = (images > 0).to_type(ScalarType.Float64);
            var weights = new Dictionary<string, Tensor>
            {
                ["conv1.weight"] = randn(new long[] { Hidden, 1, 3, 3 }, ScalarType.Float64, generator: random) * (1 / 3.0),
                ["conv1.bias"] = zeros(Hidden, ScalarType.Float64),
                ["conv2.weight"] = randn(new long[] { Hidden, Hidden, 3, 3 }, ScalarType.Float64, generator: random) * (1 / Math.Sqrt(9 * Hidden)),
                ["conv2.bias"] = zeros(Hidden, ScalarType.Float64),
                ["conv3.weight"] = randn(new long[] { 1, Hidden, 1, 1 }, ScalarType.Float64, generator: random) * (1 / Math.Sqrt(Hidden)),
                ["conv3.bias"] = zeros(1, ScalarType.Float64),
            };

            var worst = 0.0;
            var worstParameter = "";
            var worstStep = 0;
            for (var step = 1; step <= Steps; step++)
            {
                var reference = Gradients(weights, images, masks, ScalarType.Float64);
                var measured = Gradients(weights, images, masks, ScalarType.Float32);
                foreach (var (name, expected) in reference)
                {
                    var error = (measured[name] - expected).abs().max().item<double>() / Math.Max(expected.abs().max().item<double>(), double.Epsilon);
                    if (double.IsNaN(error))
                    {
                        return new ConvolutionGradientCheckResult(threads, Steps, double.NaN, name, step);
                    }

                    if (error > worst)
                    {
                        (worst, worstParameter, worstStep) = (error, name, step);
                    }
                }

                // Both nets continue from the reference's step, so every step compares the two at the same weights.
                foreach (var (name, gradient) in reference)
                {
                    weights[name] = (weights[name] - LearningRate * gradient).detach();
                }
            }

            return new ConvolutionGradientCheckResult(threads, Steps, worst, worstParameter, worstStep);
        }
        finally
        {
            set_num_threads(previousThreads);
        }
    }

    // Gradients of the mean squared error of conv1 → ReLU → conv2 → ReLU → conv3 (1×1) in the given precision.
    private static Dictionary<string, Tensor> Gradients(Dictionary<string, Tensor> weights, Tensor images, Tensor masks, ScalarType precision)
    {
        var parameters = new Dictionary<string, Tensor>();
        foreach (var (name, weight) in weights)
        {
            parameters[name] = weight.to_type(precision).detach().requires_grad_();
        }

        var hidden = nn.functional.relu(nn.functional.conv2d(images.to_type(precision), parameters["conv1.weight"], parameters["conv1.bias"], padding: new long[] { 1, 1 }));
        hidden = nn.functional.relu(nn.functional.conv2d(hidden, parameters["conv2.weight"], parameters["conv2.bias"], padding: new long[] { 1, 1 }));
        var output = nn.functional.conv2d(hidden, parameters["conv3.weight"], parameters["conv3.bias"]);
        var loss = (output - masks.to_type(precision)).square().mean();

        var names = new List<string>(parameters.Keys);
        var inputs = new List<Tensor>();
        foreach (var name in names)
        {
            inputs.Add(parameters[name]);
        }

        var gradients = autograd.grad(new[] { loss }, inputs);
        var result = new Dictionary<string, Tensor>();
        for (var i = 0; i < names.Count; i++)
        {
            result[names[i]] = gradients[i].to_type(ScalarType.Float64);
        }

        return result;
    }
}

/// <summary>
/// The outcome of <see cref="ConvolutionGradientCheck.Run"/>: the largest relative difference between a float32 and
/// a float64 gradient (NaN when a float32 gradient was not finite), which parameter and training step it was at.
/// </summary>
public sealed record ConvolutionGradientCheckResult(int Threads, int Steps, double WorstRelativeError, string WorstParameter, int WorstStep)
{
    /// <summary>Whether every gradient agreed within <see cref="ConvolutionGradientCheck.Tolerance"/>.</summary>
    public bool Passed => WorstRelativeError <= ConvolutionGradientCheck.Tolerance;
}
