using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.Generator;

/// <summary>
/// For every fixture, the generated class (<see cref="GeneratedFixtureLosses"/>) and <see cref="LossCompiler.Compile"/>
/// with the same signature give the same total, terms and gradient. Both run the planner's kernel calls, so they
/// must agree far more closely than either agrees with PyTorch.
/// </summary>
public sealed class GeneratedAgreementTests(ITestOutputHelper output)
{
    private const double Float32Agreement = 1e-6;
    private const double Float64Agreement = 1e-12;

    public static TheoryData<string> Fixtures() => new(Fixture.All.Select(f => f.Name));

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Float64_generated_and_compiled_losses_agree(string name) => Check(name, ScalarType.Float64, Float64Agreement);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Float32_generated_and_compiled_losses_agree(string name) => Check(name, ScalarType.Float32, Float32Agreement);

    [Fact]
    public void Every_distinct_fixture_signature_has_a_generated_class()
    {
        var distinct = Fixture.All.Select(f => (f.Loss, f.Input, f.Labels, f.Classes, f.IgnoreIndex, f.PredShape.Length, f.PixelWeightMap, f.ValidMap,
            f.Levels?.Count, f.Levels?.Weights, f.Levels?.Resize, f.Levels?.Stride, string.Join(",", f.Levels?.WeightList ?? []))).Distinct().Count();

        Assert.True(distinct > 100, $"expected the fixtures to need over 100 distinct losses, found {distinct}");
        Assert.Equal(distinct, GeneratedFixtureLosses.Instance.Count);
    }

    private void Check(string name, ScalarType dtype, double tolerance)
    {
        var fixture = Fixture.All.Single(f => f.Name == name);
        output.WriteLine(GeneratedFixtureLosses.Attribute(fixture.Loss, fixture.Options));
        using var generated = GeneratedFixtureLosses.Instance.Create(fixture);
        using var compiled = LossCompiler.Compile(fixture.Loss, fixture.Options);

        var expected = Run(compiled, compiled.Terms, fixture, dtype);
        var actual = Run(generated.Module, generated.Terms, fixture, dtype);

        output.WriteLine($"largest relative difference: {expected.LargestDifference(actual):E2}");
        Assert.Equal(expected.Terms.Select(t => t.Key), actual.Terms.Select(t => t.Key));
        Tolerance.Close(expected.Total, actual.Total, tolerance, $"{name}: forward");
        Tolerance.Close(expected.TermsTotal, actual.TermsTotal, tolerance, $"{name}: Terms total");
        foreach (var ((term, value), (_, generatedValue)) in expected.Terms.Zip(actual.Terms))
        {
            Tolerance.Close(value, generatedValue, tolerance, $"{name}: term {term}");
        }

        Tolerance.Gradient(expected.Gradient, actual.Gradient, dtype, $"{name}: d total / d pred");
    }

    private static Outcome Run(LossModule loss, Func<LossInputs, LossTerms> terms, Fixture fixture, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var pred = fixture.PredTensor(dtype);
        var sides = fixture.SidePredTensors(dtype);
        var inputs = fixture.Inputs(pred, dtype, sides);
        var total = loss.call(inputs);
        Assert.Equal(dtype, total.dtype);
        total.backward();
        using var values = terms(inputs);
        return new Outcome(
            total.ToDouble(),
            values.Total.ToDouble(),
            values.Select(t => KeyValuePair.Create(t.Key, t.Value.ToDouble())).ToArray(),
            new[] { pred }.Concat(sides).SelectMany(p => FixedInputs.ToArray(p.grad!)).ToArray());
    }

    private sealed record Outcome(double Total, double TermsTotal, KeyValuePair<string, double>[] Terms, double[] Gradient)
    {
        /// <summary>The largest difference over every number, relative as <see cref="Tolerance"/> measures it.</summary>
        public double LargestDifference(Outcome other)
        {
            static double Relative(double a, double b, double scale) => Math.Abs(a - b) / Math.Max(scale, 1e-3);
            var gradientScale = Gradient.Length == 0 ? 0 : Gradient.Max(Math.Abs);
            return new[] { Relative(Total, other.Total, Math.Abs(Total)), Relative(TermsTotal, other.TermsTotal, Math.Abs(TermsTotal)) }
                .Concat(Terms.Zip(other.Terms, (a, b) => Relative(a.Value, b.Value, Math.Abs(a.Value))))
                .Concat(Gradient.Zip(other.Gradient, (a, b) => Relative(a, b, gradientScale)))
                .Max();
        }
    }
}
