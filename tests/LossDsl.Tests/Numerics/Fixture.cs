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
    bool Probabilities,
    bool Labels,
    int Classes,
    int? IgnoreIndex,
    long[] PredShape,
    double[] Pred,
    long[] TargetShape,
    double[] Target,
    double Total,
    IReadOnlyList<KeyValuePair<string, double>> Terms,
    double[] Gradient)
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>Every fixture in the output directory, by name.</summary>
    public static IReadOnlyList<Fixture> All { get; } = System.IO.Directory.Exists(Directory)
        ? System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal).Select(Load).ToArray()
        : [];

    public LossOptions Options => new()
    {
        Name = Name,
        Input = Probabilities ? LossInput.Probabilities : LossInput.Logits,
        Target = Labels ? LossTarget.Labels : LossTarget.Mask,
        Classes = Classes,
        IgnoreIndex = IgnoreIndex,
        Spatial = PredShape.Skip(2).Select(_ => (int?)null).ToArray(),
    };

    public Tensor PredTensor(ScalarType dtype) => FixedInputs.ToTensor(Pred, PredShape, dtype, requiresGrad: true);

    /// <summary>Labels as int64 class indices; a mask in <paramref name="dtype"/>.</summary>
    public Tensor TargetTensor(ScalarType dtype) => Labels
        ? tensor(Target.Select(v => (long)v).ToArray(), dtype: ScalarType.Int64).reshape(TargetShape)
        : FixedInputs.ToTensor(Target, TargetShape, dtype);

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
            root.GetProperty("input_kind").GetString() == "probs",
            root.GetProperty("target_kind").GetString() == "labels",
            root.GetProperty("classes").GetInt32(),
            root.GetProperty("ignore_index").ValueKind == JsonValueKind.Null ? null : root.GetProperty("ignore_index").GetInt32(),
            predShape,
            pred,
            targetShape,
            target,
            root.GetProperty("total").GetDouble(),
            root.GetProperty("terms").EnumerateObject().Select(t => new KeyValuePair<string, double>(t.Name, t.Value.GetDouble())).ToArray(),
            gradient);
    }

    private static (long[] Shape, double[] Data) Array(JsonElement element) => (
        element.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
        element.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray());
}
