using CsCheck;
using LossDsl.Maps;
using static TorchSharp.torch;

namespace LossDsl.Tests.Maps;

/// <summary>The exact Euclidean distance transform against the distance to every set element, computed pair by pair.</summary>
public sealed class DistanceTransformTests
{
    /// <summary>Random sets in 1-D to 3-D images of up to 9 per dim, sparse to dense, and the batch dim.</summary>
    private static readonly Gen<(int[] Shape, bool[] Set)> Sets =
        from rank in Gen.Int[1, 3]
        from shape in Gen.Int[1, rank == 3 ? 5 : 9].Array[rank + 1]
        let size = shape.Aggregate(1, (a, b) => a * b)
        from density in Gen.OneOf(Gen.Const(0.0), Gen.Const(0.05), Gen.Double[0.1, 0.6], Gen.Const(1.0))
        from draws in Gen.Double[0, 1].Array[size]
        select (Shape: shape, Set: draws.Select(d => d < density).ToArray());

    [Fact]
    public void Every_distance_is_the_brute_force_minimum_over_the_set() => Sets.Sample(sample =>
    {
        using var scope = NewDisposeScope();
        var (shape, set) = sample;
        var distances = DistanceTransform.Euclidean(tensor(set).reshape(shape.Select(d => (long)d).ToArray()), ScalarType.Float64).data<double>().ToArray();

        var images = shape[0];
        var spatial = shape.Skip(1).ToArray();
        var pixels = spatial.Aggregate(1, (a, b) => a * b);
        for (var image = 0; image < images; image++)
        {
            for (var i = 0; i < pixels; i++)
            {
                var expected = BruteForce(set.AsSpan(image * pixels, pixels), spatial, i);
                Assert.True(distances[(image * pixels) + i] == expected, $"image {image}, element {i} of [{string.Join(", ", shape)}]: {distances[(image * pixels) + i]} vs {expected}");
            }
        }
    }, iter: 300, seed: "0N0XIzNsQ0O2");

    [Fact]
    public void An_image_with_an_empty_set_is_infinitely_far_and_the_set_itself_is_at_0()
    {
        using var scope = NewDisposeScope();
        var set = tensor(new[] { false, false, false, false, true, false, false, false }).reshape(2, 2, 2);

        var distances = DistanceTransform.Euclidean(set, ScalarType.Float64).data<double>().ToArray();

        Assert.All(distances.Take(4), d => Assert.Equal(double.PositiveInfinity, d));
        Assert.Equal(new[] { 0, 1, 1, Math.Sqrt(2) }, distances.Skip(4));
    }

    [Fact]
    public void A_set_without_spatial_dims_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DistanceTransform.Euclidean(tensor(new[] { true, false })));
        Assert.StartsWith("the set must be [N, *spatial] with at least one spatial dim, got [2].", error.Message);
    }

    private static double BruteForce(ReadOnlySpan<bool> set, int[] shape, int element)
    {
        var best = double.PositiveInfinity;
        var at = Coordinates(element, shape);
        for (var j = 0; j < set.Length; j++)
        {
            if (set[j])
            {
                var other = Coordinates(j, shape);
                best = Math.Min(best, Math.Sqrt(at.Zip(other, (a, b) => (double)(a - b) * (a - b)).Sum()));
            }
        }

        return best;
    }

    private static int[] Coordinates(int index, int[] shape)
    {
        var coordinates = new int[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            coordinates[d] = index % shape[d];
            index /= shape[d];
        }

        return coordinates;
    }
}
