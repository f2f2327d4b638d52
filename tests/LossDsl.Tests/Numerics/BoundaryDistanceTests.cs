using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>boundary_dist's signed distance map on cases small enough to work out by hand (the fixtures compare it with scipy's).</summary>
public sealed class BoundaryDistanceTests
{
    [Fact]
    public void The_map_is_the_distance_outside_and_one_minus_the_depth_inside()
    {
        // Target 0 0 1 1 1 0: outside, distances 2 1 . . . 1 to the foreground; inside, depths 1 2 1 give 0 −1 0.
        using var loss = LossCompiler.Compile("boundary_dist", new LossOptions { Input = LossInput.Probabilities, Spatial = new int?[] { null } });
        double[] target = [0, 0, 1, 1, 1, 0];
        double[] phi = [2, 1, 0, -1, 0, 1];
        double[] p = [0.1, 0.2, 0.9, 0.8, 0.7, 0.3];
        var (value, gradient) = LossRun.ValueAndGradient(loss, p, target, new long[] { 1, 1, 6 });

        Tolerance.Close(p.Zip(phi, (a, b) => a * b).Sum() / 6, value, Tolerance.Float64, "mean(p·φ)");
        Tolerance.Gradient(phi.Select(f => f / 6).ToArray(), gradient, ScalarType.Float64, "φ / n");
    }

    [Fact]
    public void A_channel_without_a_boundary_has_no_map()
    {
        // Channel 0 all foreground, channel 1 all background: neither has a boundary, so the loss and its gradient are 0.
        using var loss = LossCompiler.Compile("boundary_dist", new LossOptions { Input = LossInput.Probabilities, Classes = 2 });
        var target = Enumerable.Repeat(1.0, 9).Concat(Enumerable.Repeat(0.0, 9)).ToArray();
        var p = Enumerable.Range(0, 18).Select(i => 0.05 * i).ToArray();
        var (value, gradient) = LossRun.ValueAndGradient(loss, p, target, new long[] { 1, 2, 3, 3 });

        Assert.Equal(0.0, value);
        Assert.All(gradient, g => Assert.Equal(0.0, g));
    }
}
