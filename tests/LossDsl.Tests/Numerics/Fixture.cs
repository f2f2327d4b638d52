using System.Text.Json;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// One reference case written by tests/reference/make_fixtures.py (PyTorch, float64) in the format of FIXTURES.md:
/// loss text, signature, inputs, and the expected total, terms and d total / d pred.
/// </summary>
public sealed record Fixture(
    string Name,
    string Loss,
    LossInput Input,
    bool Labels,
    int Classes,
    int? IgnoreIndex,
    long[] PredShape,
    double[] Pred,
    long[] TargetShape,
    double[] Target,
    LossPixelMap PixelWeightMap,
    FixtureArray? PixelWeight,
    LossPixelMap ValidMap,
    FixtureArray? Valid,
    double Total,
    IReadOnlyList<KeyValuePair<string, double>> Terms,
    double[] Gradient,
    IReadOnlyList<KeyValuePair<string, FixtureArray>> Unreduced)
{
    /// <summary>Deep supervision: the levels the loss declares (null for one prediction).</summary>
    public LossLevels? Levels { get; init; }

    /// <summary>Deep supervision: the side outputs after <see cref="Pred"/>, level 1 first.</summary>
    public IReadOnlyList<FixtureArray> SidePreds { get; init; } = [];

    /// <summary>Deep supervision: d total / d pred_k for each side output.</summary>
    public IReadOnlyList<FixtureArray> SideGradients { get; init; } = [];

    /// <summary>The fixtures' input kinds as a <c>.loss</c> signature writes them; declared before <see cref="All"/>, which reads it as the type initializes.</summary>
    private static readonly Dictionary<string, LossInput> InputKinds = new()
    {
        ["logits"] = LossInput.Logits, ["probs"] = LossInput.Probabilities, ["log_probs"] = LossInput.LogProbabilities,
    };

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>Every fixture in the output directory, by name.</summary>
    public static IReadOnlyList<Fixture> All { get; } = System.IO.Directory.Exists(Directory)
        ? System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal).Select(Load).ToArray()
        : [];

    public LossOptions Options => new()
    {
        Name = Name,
        Input = Input,
        Target = Labels ? LossTarget.Labels : LossTarget.Mask,
        Classes = Classes,
        IgnoreIndex = IgnoreIndex,
        Spatial = PredShape.Skip(2).Select(_ => (int?)null).ToArray(),
        PixelWeight = PixelWeightMap,
        ValidMask = ValidMap,
        Levels = Levels,
    };

    public Tensor PredTensor(ScalarType dtype) => FixedInputs.ToTensor(Pred, PredShape, dtype, requiresGrad: true);

    /// <summary>Labels as int64 class indices; a mask in <paramref name="dtype"/>.</summary>
    public Tensor TargetTensor(ScalarType dtype) => Labels
        ? tensor(Target.Select(v => (long)v).ToArray(), dtype: ScalarType.Int64).reshape(TargetShape)
        : FixedInputs.ToTensor(Target, TargetShape, dtype);

    /// <summary>The side outputs as leaves that record their gradients, level 1 first.</summary>
    public Tensor[] SidePredTensors(ScalarType dtype) => SidePreds.Select(p => FixedInputs.ToTensor(p.Data, p.Shape, dtype, requiresGrad: true)).ToArray();

    /// <summary>
    /// The loss's inputs: <paramref name="pred"/> (and <paramref name="sides"/>, deep supervision's side outputs), the
    /// target, and the weight map and valid mask when the fixture declares them.
    /// </summary>
    public LossInputs Inputs(Tensor pred, ScalarType dtype, IReadOnlyList<Tensor>? sides = null) => new(new[] { pred }.Concat(sides ?? []).ToArray(), TargetTensor(dtype))
    {
        PixelWeight = PixelWeight is { } weight ? FixedInputs.ToTensor(weight.Data, weight.Shape, dtype) : null,
        ValidMask = Valid is { } valid ? FixedInputs.ToTensor(valid.Data, valid.Shape, dtype) : null,
    };

    private static Fixture Load(string path)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        var name = root.GetProperty("name").GetString()!;
        Assert.Equal(Path.GetFileNameWithoutExtension(path), name);
        var (predShape, pred) = Array(root.GetProperty("pred"));
        var (targetShape, target) = Array(root.GetProperty("target"));
        var (_, gradient) = Array(root.GetProperty("grad"));
        return new Fixture(
            name,
            root.GetProperty("loss").GetString()!,
            InputKinds[root.GetProperty("input_kind").GetString()!],
            root.GetProperty("target_kind").GetString() == "labels",
            root.GetProperty("classes").GetInt32(),
            root.GetProperty("ignore_index").ValueKind == JsonValueKind.Null ? null : root.GetProperty("ignore_index").GetInt32(),
            predShape,
            pred,
            targetShape,
            target,
            Map(root, "pixel_weight_map"),
            Optional(root, "pixel_weight"),
            Map(root, "valid_map"),
            Optional(root, "valid"),
            root.GetProperty("total").GetDouble(),
            root.GetProperty("terms").EnumerateObject().Select(t => new KeyValuePair<string, double>(t.Name, t.Value.GetDouble())).ToArray(),
            gradient,
            root.GetProperty("unreduced").EnumerateObject().Select(t => new KeyValuePair<string, FixtureArray>(t.Name, ToArray(t.Value))).ToArray())
        {
            Levels = root.TryGetProperty("levels", out var levels) ? ReadLevels(levels, root.GetProperty("side_preds").GetArrayLength() + 1) : null,
            SidePreds = root.TryGetProperty("side_preds", out var sides) ? sides.EnumerateArray().Select(ToArray).ToArray() : [],
            SideGradients = root.TryGetProperty("side_grads", out var grads) ? grads.EnumerateArray().Select(ToArray).ToArray() : [],
        };
    }

    /// <summary><c>{"weights": "exp" or [1, 0.5], "resize": "target", "stride": 2}</c> (stride optional), for <paramref name="count"/> predictions.</summary>
    private static LossLevels ReadLevels(JsonElement levels, int count)
    {
        var weights = levels.GetProperty("weights");
        var resize = Enum.Parse<LossResize>(levels.GetProperty("resize").GetString()!, ignoreCase: true);
        var stride = levels.TryGetProperty("stride", out var s) ? s.GetInt32() : (int?)null;
        return weights.ValueKind == JsonValueKind.Array
            ? new LossLevels(count) { WeightList = weights.EnumerateArray().Select(w => w.GetDouble()).ToArray(), Resize = resize, Stride = stride }
            : new LossLevels(count) { Weights = Enum.Parse<LossLevelWeights>(weights.GetString()!, ignoreCase: true), Resize = resize, Stride = stride };
    }

    private static LossPixelMap Map(JsonElement root, string key) =>
        root.TryGetProperty(key, out var map) ? Enum.Parse<LossPixelMap>(map.GetString()!) : LossPixelMap.None;

    private static FixtureArray? Optional(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var element))
        {
            return null;
        }

        return ToArray(element);
    }

    private static FixtureArray ToArray(JsonElement element)
    {
        var (shape, data) = Array(element);
        return new FixtureArray(shape, data);
    }

    private static (long[] Shape, double[] Data) Array(JsonElement element) => (
        element.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
        element.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray());
}

/// <summary>A tensor of a fixture: its shape and its values in row-major order.</summary>
public sealed record FixtureArray(long[] Shape, double[] Data);
