using System.Text.Json;
using LossDsl.Maps;
using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Maps;

/// <summary>
/// U-Net's weight map against the reference maps of tests/reference/make_fixtures.py (PyTorch, every pixel against
/// every object pixel by brute force), 2-D and 3-D, and its edge cases.
/// </summary>
public sealed class UNetWeightsTests
{
    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Maps");

    public static TheoryData<string> References() =>
        new(System.IO.Directory.GetFiles(Directory, "*.json").Select(path => Path.GetFileNameWithoutExtension(path)).Order(StringComparer.Ordinal));

    [Fact]
    public void There_are_2d_and_3d_references() =>
        Assert.Equal(
            new[] { "unet_2d_narrow_border", "unet_2d_single_class_images", "unet_2d_touching_cells", "unet_3d_volume" },
            ((IEnumerable<object[]>)References()).Select(row => (string)row[0]).ToArray());

    [Theory]
    [MemberData(nameof(References))]
    public void The_map_matches_the_brute_force_reference(string name)
    {
        using var scope = NewDisposeScope();
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")));
        var root = json.RootElement;
        var instances = Tensor(root.GetProperty("instances"), ScalarType.Int64);
        var expected = root.GetProperty("weights").GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var weights = UNetWeights.Compute(instances, root.GetProperty("w0").GetDouble(), root.GetProperty("sigma").GetDouble(), ScalarType.Float64);

        Assert.Equal(instances.shape, weights.shape);
        var actual = weights.data<double>().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Tolerance.Close(expected[i], actual[i], 1e-12, $"{name}: w[{i}]");
        }
    }

    [Fact]
    public void Class_balance_alone_with_fewer_than_two_objects()
    {
        using var scope = NewDisposeScope();
        // 2 object pixels of 8: w_c = 8 / (2·2) = 2 on them, 8 / (2·6) = 2/3 on the background; no border term.
        var instances = tensor(new long[] { 0, 4, 4, 0, 0, 0, 0, 0 }).reshape(1, 2, 4);

        var weights = UNetWeights.Compute(instances, dtype: ScalarType.Float64).data<double>().ToArray();

        var expected = new[] { 2.0 / 3, 2, 2, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3 };
        Assert.All(expected.Zip(weights), pair => Assert.Equal(pair.First, pair.Second, 1e-15));
    }

    [Fact]
    public void The_border_term_peaks_between_two_touching_objects()
    {
        using var scope = NewDisposeScope();
        // Objects at columns 0 and 2 of one row; the gap pixel is 1 from each: w = 3/(2·1)... plus w0·exp(−4/(2σ²)).
        var instances = tensor(new long[] { 1, 0, 2 }).reshape(1, 1, 3);

        var gap = UNetWeights.Compute(instances, w0: 10, sigma: 5, dtype: ScalarType.Float64).data<double>()[1];

        Assert.Equal((3.0 / (2 * 1)) + (10 * Math.Exp(-4.0 / 50)), gap, 1e-14);
    }

    [Fact]
    public void Float_labels_and_bad_parameters_are_refused()
    {
        using var scope = NewDisposeScope();
        var floats = Assert.Throws<ArgumentException>(() => UNetWeights.Compute(zeros(1, 3, 3)));
        var sigma = Assert.Throws<ArgumentOutOfRangeException>(() => UNetWeights.Compute(zeros(1, 3, 3, dtype: ScalarType.Int64), sigma: 0));
        var negative = Assert.Throws<ArgumentException>(() => UNetWeights.Compute(full(1, 2, 2, -1L, dtype: ScalarType.Int64)));

        Assert.StartsWith("instances must be integer labels [N, *spatial] (0 background, k > 0 object k), got Float32 [1, 3, 3].", floats.Message);
        Assert.StartsWith("w0 must be finite and ≥ 0 and sigma finite and > 0, got w0 = 10, sigma = 0.", sigma.Message);
        Assert.StartsWith("instances must be 0 (background) or positive object ids; found a negative label.", negative.Message);
    }

    private static Tensor Tensor(JsonElement array, ScalarType dtype) => tensor(
        array.GetProperty("data").EnumerateArray().Select(v => v.GetInt64()).ToArray(), dtype: dtype).reshape(
        array.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
}
