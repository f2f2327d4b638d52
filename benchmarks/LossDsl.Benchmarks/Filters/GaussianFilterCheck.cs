using LossDsl.Kernels;
using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Filters;

/// <summary>
/// Every <see cref="GaussianFilter"/> formulation against the definition (zero-padded 2-D window, shifted sums) in
/// float64, values and gradients, on an image with a non-square size and a border wider than the window's half.
/// </summary>
public static class GaussianFilterCheck
{
    /// <summary>Largest absolute difference allowed in float64 (inputs in [0, 1], weights summing to 1).</summary>
    public const double Tolerance = 1e-12;

    /// <summary>Checks every formulation; throws on a difference above <see cref="Tolerance"/>.</summary>
    /// <returns>One line per formulation: the largest value and gradient differences.</returns>
    public static IReadOnlyList<string> Run()
    {
        using var scope = NewDisposeScope();
        using var window = ConstantBuffers.GaussianWindow(11, 1.5);
        var generator = new TorchSharp.torch.Generator(7);
        var images = rand(new long[] { 2, 5, 37, 52 }, dtype: ScalarType.Float64, generator: generator).requires_grad_();
        var upstream = randn(images.shape, dtype: ScalarType.Float64, generator: generator);
        var expected = GaussianFilterPlan.Reference(images, window);
        var expectedGradient = autograd.grad(new[] { (expected * upstream).sum() }, new[] { images })[0];

        using var plan = new GaussianFilterPlan(window);
        var lines = new List<string>();
        foreach (var formulation in Enum.GetValues<GaussianFilter>())
        {
            var actual = plan.Apply(formulation, images);
            var gradient = autograd.grad(new[] { (actual * upstream).sum() }, new[] { images })[0];
            var valueError = (actual - expected).abs().max().item<double>();
            var gradientError = (gradient - expectedGradient).abs().max().item<double>();
            var line = $"{formulation}: largest difference from the zero-padded 2-D window {valueError:E1} (values), {gradientError:E1} (gradients), float64";
            if (!(valueError <= Tolerance && gradientError <= Tolerance))
            {
                throw new InvalidOperationException($"Not the 2-D Gaussian filter: {line}");
            }

            lines.Add(line);
        }

        return lines;
    }
}
