using System.Text.Json;
using LossDsl.Cli.Npy;
using LossDsl.Cli.Tests.Support;
using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>
/// <c>lossdsl eval --double</c> on the PyTorch reference fixtures that declare a pixel weight map, a valid mask or
/// side outputs (tests/reference/make_fixtures.py): each array written as a .npy file, the maps' files declaring their
/// shapes, the side outputs as more <c>--pred</c> files with <c>--level-weights</c> and <c>--resize</c>, and the
/// total, every term, the gradient of every level and each term's unreduced values (<c>--unreduced U.npz</c>) against
/// the fixture's values to 1e-9.
/// </summary>
public sealed class EvalFixtureTests : IDisposable
{
    private static readonly string Directory = Path.Combine(RepositoryRoot.Path, "tests", "LossDsl.Tests", "Fixtures");

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    public static TheoryData<string> WithMaps()
    {
        var data = new TheoryData<string>();
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            if (new[] { "pixel_weight", "valid", "levels" }.Any(key => json.RootElement.TryGetProperty(key, out _)))
            {
                data.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return data;
    }

    [Fact]
    public void The_fixtures_with_maps_cover_weights_and_masks_beside_masks_and_labels() => Assert.True(WithMaps().Count >= 38, $"found {WithMaps().Count}");

    [Theory]
    [MemberData(nameof(WithMaps))]
    public void Weighted_masked_and_deep_supervised_losses_match_the_reference_in_float64(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")));
        var root = json.RootElement;
        var labels = root.GetProperty("target_kind").GetString() == "labels";
        var gradientPath = folder.File(name + ".grad.npy");
        var unreducedPath = folder.File(name + ".unreduced.npz");
        var sides = root.TryGetProperty("side_preds", out var sidePreds) ? sidePreds.EnumerateArray().ToArray() : [];
        var sideGradientPaths = sides.Select((_, k) => folder.File($"{name}.grad{k + 1}.npy")).ToArray();
        var arguments = new List<string>
        {
            "eval", root.GetProperty("loss").GetString()!, "--double", "--json", "--grad", gradientPath, "--unreduced", unreducedPath,
            "--pred", Write(root.GetProperty("pred"), "pred", integers: false),
            "--target", Write(root.GetProperty("target"), "target", integers: labels),
        };
        for (var k = 0; k < sides.Length; k++)
        {
            arguments.AddRange(["--pred", Write(sides[k], $"pred{k + 1}", integers: false), "--grad", sideGradientPaths[k]]);
        }

        if (root.TryGetProperty("levels", out var levels))
        {
            var weights = levels.GetProperty("weights");
            arguments.AddRange([
                "--level-weights", weights.ValueKind == JsonValueKind.Array ? string.Join(",", weights.EnumerateArray().Select(w => w.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture))) : weights.GetString()!,
                "--resize", levels.GetProperty("resize").GetString()!]);
            if (levels.TryGetProperty("stride", out var stride))
            {
                arguments.AddRange(["--level-stride", stride.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }
        }

        if (root.GetProperty("input_kind").GetString() == "probs")
        {
            arguments.Add("--probabilities");
        }

        if (root.GetProperty("ignore_index").ValueKind == JsonValueKind.Number)
        {
            arguments.AddRange(["--ignore-index", root.GetProperty("ignore_index").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        foreach (var (key, option) in new[] { ("pixel_weight", "--pixel-weight"), ("valid", "--valid") })
        {
            if (root.TryGetProperty(key, out _))
            {
                arguments.AddRange([option, Write(root.GetProperty(key), key, integers: false)]);
            }
        }

        var result = Lossdsl.Run(arguments.ToArray());

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        using var output = JsonDocument.Parse(result.Stdout);
        Tolerance.Close(root.GetProperty("total").GetDouble(), output.RootElement.GetProperty("total").GetDouble(), Tolerance.Float64, $"{name}: total");
        foreach (var term in root.GetProperty("terms").EnumerateObject())
        {
            Tolerance.Close(term.Value.GetDouble(), output.RootElement.GetProperty("terms").GetProperty(term.Name).GetDouble(), Tolerance.Float64, $"{name}: {term.Name}");
        }

        var expected = root.GetProperty("grad").GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Tolerance.Gradient(expected, NpyReader.ReadFile(gradientPath).As<double>(), ScalarType.Float64, $"{name}: d total / d pred");
        var sideGradients = root.TryGetProperty("side_grads", out var grads) ? grads.EnumerateArray().ToArray() : [];
        for (var k = 0; k < sides.Length; k++)
        {
            var side = sideGradients[k].GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Tolerance.Gradient(side, NpyReader.ReadFile(sideGradientPaths[k]).As<double>(), ScalarType.Float64, $"{name}: d total / d pred_{k + 1}");
        }

        // np.savez's layout: one stored name.npy per term, in term order.
        using var zip = System.IO.Compression.ZipFile.OpenRead(unreducedPath);
        var unreduced = root.GetProperty("unreduced").EnumerateObject().ToList();
        Assert.Equal(unreduced.Select(u => u.Name + ".npy"), zip.Entries.Select(e => e.FullName));
        foreach (var term in unreduced)
        {
            using var entry = zip.GetEntry(term.Name + ".npy")!.Open();
            using var buffered = new MemoryStream();
            entry.CopyTo(buffered);
            buffered.Position = 0;
            var array = NpyReader.Read(buffered);
            Assert.Equal(term.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), array.Shape);
            Tolerance.CloseToLargest(term.Value.GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToArray(), array.As<double>(), Tolerance.Float64, $"{name}: unreduced {term.Name}");
        }
    }

    private string Write(JsonElement array, string key, bool integers)
    {
        var shape = array.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var values = array.GetProperty("data").EnumerateArray();
        var npy = integers
            ? NpyArray.Create(values.Select(v => v.GetInt64()).ToArray(), shape)
            : NpyArray.Create(values.Select(v => v.GetDouble()).ToArray(), shape);
        return folder.Write(key + ".npy", npy);
    }
}
