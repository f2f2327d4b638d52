using System.Text.RegularExpressions;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;
using LossDsl.Tests.Infrastructure;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// Every PyTorch fixture (<see cref="Fixture"/>) on every engine, interpreted and generated: total, every term and the
/// gradient against the reference values themselves (from <c>Terms</c>, and the total and gradient from <c>forward</c> too), in float64 to 1e-9 and in float32 to 1e-5, gradients element by
/// element (<see cref="Tolerance.Gradient"/>). <see cref="Fixtures_cover_every_primitive"/> checks that every fixture
/// compiles and every primitive of the catalog has fixtures.
/// </summary>
public sealed partial class FixtureTests(ITestOutputHelper output)
{
    /// <summary>
    /// Not run in float32: ill-conditioned by construction, so float32 inputs cannot reach 1e-5 whatever the
    /// implementation. In generalized_dice_single_pixel the background channel is empty and weighs 1/eps = 1e6; the
    /// gradient is then the difference of terms ~1e4 times larger than itself. In port_monai_test_tversky_smooth_dr (one of
    /// MONAI's own cases) the prediction is perfect and the loss is 1 − TP/(TP + 0.001) ≈ 1e-3: one minus a ratio 1e-3
    /// below 1, whose float32 rounding (6e-8) is 6e-5 of the result. (Both match in float64.)
    /// </summary>
    private static readonly HashSet<string> Float32IllConditioned = ["generalized_dice_single_pixel", "port_monai_test_tversky_smooth_dr"];

    /// <summary>
    /// Primitives whose float32 gradients cannot meet the per-element floor of <see cref="Tolerance.Gradient"/> (a
    /// tenth of 1e-5 of the gradient's size), whatever the implementation, and are checked to 1e-5 of it instead.
    /// ssim: σ² and σxy are differences of windowed means of squares and products, so each pixel's gradient loses
    /// digits to cancellation (up to 6e-6 of the largest element in ssim_window_3_positional_probs); ms_ssim computes the
    /// same moments at every scale (1.1e-6 in ms_ssim_volume_with_dice_probs). lovasz_hinge:
    /// each element's gradient is the difference of two consecutive prefix Jaccard values, both of order 1, while the
    /// difference is of order 1/n (5e-6 in lovasz_hinge_positional_batch).
    /// </summary>
    private static readonly Dictionary<string, double> Float32FloorFraction = new() { ["ssim"] = 1.0, ["ms_ssim"] = 1.0, ["lovasz_hinge"] = 1.0 };

    public static TheoryData<string, LossEngine> Runnable() => OnEveryEngine(RunnableNames());

    public static TheoryData<string, LossEngine> RunnableInFloat32() => OnEveryEngine(RunnableNames().Where(n => !Float32IllConditioned.Contains(n)));

    private static TheoryData<string, LossEngine> OnEveryEngine(IEnumerable<string> names)
    {
        var data = new TheoryData<string, LossEngine>();
        foreach (var name in names)
        {
            foreach (var engine in EngineLoss.All)
            {
                data.Add(name, engine);
            }
        }

        return data;
    }

    private static IEnumerable<string> RunnableNames() => Fixture.All.Select(f => f.Name);

    [Theory]
    [MemberData(nameof(Runnable))]
    public void Float64_matches_the_fixture(string name, LossEngine engine) => Check(name, engine, ScalarType.Float64, Tolerance.Float64);

    [Theory]
    [MemberData(nameof(RunnableInFloat32))]
    public void Float32_matches_the_fixture(string name, LossEngine engine) => Check(name, engine, ScalarType.Float32, Tolerance.Float32);

    [Fact]
    public void Fixtures_cover_every_primitive()
    {
        Assert.True(Fixture.All.Count > 0, $"No fixtures in {Fixture.Directory}; tests/reference/make_fixtures.py writes them to tests/LossDsl.Tests/Fixtures.");

        var counts = new Dictionary<string, int>();
        foreach (var fixture in Fixture.All)
        {
            var errors = CompileErrors(fixture);
            Assert.True(errors.Count == 0, $"{fixture.Name}: '{fixture.Loss}' does not compile: {string.Join("; ", errors.Select(d => d.Id + " " + d.Message))}");
            foreach (var primitive in fixture.Terms.Select(t => PrimitiveOf(t.Key)).Distinct())
            {
                counts[primitive] = counts.GetValueOrDefault(primitive) + 1;
            }
        }

        var table = Catalog.Primitives.Select(p => $"{p.Name,-24} fixtures: {counts.GetValueOrDefault(p.Name),3}").ToList();
        table.ForEach(output.WriteLine);
        Assert.All(Catalog.Primitives, p => Assert.True(counts.GetValueOrDefault(p.Name) >= 5, $"{p.Name} has only {counts.GetValueOrDefault(p.Name)} fixtures"));
    }

    /// <summary>
    /// Generated from the catalog, so a new primitive, task or parameter without a fixture fails here: every primitive
    /// on every target it supports, on logits and (where allowed) on probabilities and log-probabilities, and every parameter of it with a
    /// value other than its default in at least one fixture.
    /// </summary>
    [Fact]
    public void Fixtures_cover_every_task_and_every_parameter_away_from_its_default()
    {
        var covered = new HashSet<string>();
        foreach (var fixture in Fixture.All)
        {
            var target = fixture.Labels ? TargetKind.Labels : TargetKind.Mask;
            foreach (var term in LossCompiler.Plan(fixture.Loss, fixture.Options, out _).Terms.Select(t => t.Bound))
            {
                covered.Add($"{term.Primitive.Name} on {target} {fixture.Input}");
                // Moved: given, and other than its default (for smooth_nr, other than smooth).
                foreach (var argument in term.Arguments.Where(a => a.IsExplicit && !Equals(a.Value, a.Parameter.DefaultsTo is { } source ? term[source] : a.Parameter.Default)))
                {
                    covered.Add($"{term.Primitive.Name} on {target}: {argument.Parameter.Name}");
                }
            }
        }

        var required = Catalog.Primitives.SelectMany(p => p.Variants.SelectMany(v =>
            (p.RequiresLogits ? new[] { LossInput.Logits } : Enum.GetValues<LossInput>()).Select(input => $"{p.Name} on {v.Target} {input}")
                .Concat(v.Parameters.Select(parameter => $"{p.Name} on {v.Target}: {parameter.Name}"))));
        var missing = required.Where(r => !covered.Contains(r)).ToList();
        Assert.True(missing.Count == 0, "No fixture for:\n" + string.Join("\n", missing));
    }

    private void Check(string name, LossEngine engine, ScalarType dtype, double tolerance)
    {
        var fixture = Fixture.All.Single(f => f.Name == name);
        output.WriteLine($"{fixture.Loss}   [{fixture.Input}, {(fixture.Labels ? "labels" : "mask")}, C = {fixture.Classes}, ignore {fixture.IgnoreIndex?.ToString() ?? "none"}]");
        using var loss = EngineLoss.Create(fixture, engine);
        using var scope = NewDisposeScope();
        var pred = fixture.PredTensor(dtype);
        var sides = fixture.SidePredTensors(dtype);
        using var terms = loss.Terms(fixture.Inputs(pred, dtype, sides), true);
        terms.Total.backward();

        Assert.Equal(fixture.Terms.Select(t => t.Key), terms.Keys);
        Tolerance.Close(fixture.Total, terms.Total.ToDouble(), tolerance, $"{name}: total");
        foreach (var (term, expected) in fixture.Terms)
        {
            Tolerance.Close(expected, terms[term].ToDouble(), tolerance, $"{name}: term {term}");
        }

        // The values before each term's reduction, from the same pass.
        Assert.Equal(fixture.Unreduced.Select(t => t.Key), terms.Unreduced.Keys);
        foreach (var (term, expected) in fixture.Unreduced)
        {
            var actual = terms.Unreduced[term];
            Assert.Equal(expected.Shape, actual.shape);
            Tolerance.CloseToLargest(expected.Data, FixedInputs.ToArray(actual.detach()), tolerance, $"{name}: unreduced {term}");
        }

        var floorFraction = dtype == ScalarType.Float32
            ? fixture.Terms.Select(t => Float32FloorFraction.GetValueOrDefault(PrimitiveOf(t.Key), Tolerance.FloorFraction)).Max()
            : Tolerance.FloorFraction;
        Tolerance.Gradient(fixture.Gradient, FixedInputs.ToArray(pred.grad!), dtype, $"{name}: d total / d pred", floorFraction);
        Assert.Equal(fixture.SideGradients.Count, sides.Length);
        for (var k = 0; k < sides.Length; k++)
        {
            Tolerance.Gradient(fixture.SideGradients[k].Data, FixedInputs.ToArray(sides[k].grad!), dtype, $"{name}: d total / d pred_{k + 1}", floorFraction);
        }

        // forward as a training step calls it, the total alone: where the plan has one call for it (LossPlan.TotalCall)
        // the statistics node returns the loss itself, with its own gradient.
        var again = fixture.PredTensor(dtype);
        var againSides = fixture.SidePredTensors(dtype);
        var total = loss.Module.forward(fixture.Inputs(again, dtype, againSides));
        total.backward();
        Tolerance.Close(fixture.Total, total.ToDouble(), tolerance, $"{name}: forward");
        Tolerance.Gradient(fixture.Gradient, FixedInputs.ToArray(again.grad!), dtype, $"{name}: d forward / d pred", floorFraction);
        for (var k = 0; k < againSides.Length; k++)
        {
            Tolerance.Gradient(fixture.SideGradients[k].Data, FixedInputs.ToArray(againSides[k].grad!), dtype, $"{name}: d forward / d pred_{k + 1}", floorFraction);
        }
    }

    private static IReadOnlyList<LossDiagnosticInfo> CompileErrors(Fixture fixture)
    {
        try
        {
            LossCompiler.Compile(fixture.Loss, fixture.Options).Dispose();
            return [];
        }
        catch (LossCompileException error)
        {
            return error.Diagnostics;
        }
    }

    /// <summary>A term's primitive from its name as written: <c>dice_2</c> is dice, <c>jaccard</c> is iou.</summary>
    /// <summary>The primitive of a term name as <c>Terms</c> gives it: <c>dice_2</c>, or <c>level1/dice</c> with deep supervision.</summary>
    private static string PrimitiveOf(string term)
    {
        var name = LevelPrefix().Replace(term, string.Empty);
        return (Catalog.Find(name) ?? Catalog.Find(NumberSuffix().Replace(name, string.Empty)))!.Name;
    }

    [GeneratedRegex("_[0-9]+$")]
    private static partial Regex NumberSuffix();

    [GeneratedRegex("^level[0-9]+/")]
    private static partial Regex LevelPrefix();
}
