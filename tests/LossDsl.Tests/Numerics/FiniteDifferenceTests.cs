using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// Autograd gradients of every compiled fixture loss against central finite differences of the loss itself, in
/// float64: a check of the gradients that needs no reference implementation at all.
/// </summary>
public sealed class FiniteDifferenceTests
{
    private const double Step = 1e-6;

    public static TheoryData<string> Names() => new(Fixture.All.Select(f => f.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Autograd_matches_central_differences(string name)
    {
        var fixture = Fixture.All.Single(f => f.Name == name);
        using var loss = LossCompiler.Compile(fixture.Loss, fixture.Options);
        using var pred = fixture.PredTensor(ScalarType.Float64);
        var inputs = fixture.Inputs(pred, ScalarType.Float64);
        using (var total = loss.call(inputs))
        {
            total.backward();
        }

        var gradient = FixedInputs.ToArray(pred.grad!);
        var values = fixture.Pred;
        var scale = Math.Max(gradient.Max(Math.Abs), 1e-3);

        // Eight coordinates spread over the input (all of them for tiny inputs), the same ones on every run.
        foreach (var index in Enumerable.Range(0, 8).Select(k => (int)((long)k * values.Length / 8)).Distinct())
        {
            // A step relative to the input (logits of ±1e4 exist), and room for rounding in the two evaluations.
            var h = Step * Math.Max(1, Math.Abs(values[index]));
            var plus = Evaluate(loss, fixture, inputs, index, +h);
            var minus = Evaluate(loss, fixture, inputs, index, -h);
            var numeric = (plus - minus) / (2 * h);
            var rounding = 8 * 2.2e-16 * Math.Max(Math.Abs(plus), Math.Abs(minus)) / h;
            Assert.True(Math.Abs(numeric - gradient[index]) <= (1e-5 * scale) + 1e-7 + rounding,
                $"{name}: d/dpred[{index}] autograd {gradient[index]:R}, central difference {numeric:R}");
        }
    }

    private static double Evaluate(CompiledLoss loss, Fixture fixture, LossInputs inputs, int index, double delta)
    {
        var shifted = (double[])fixture.Pred.Clone();
        shifted[index] += delta;
        using var pred = FixedInputs.ToTensor(shifted, fixture.PredShape, ScalarType.Float64);
        using var noGrad = no_grad();
        using var total = loss.call(inputs with { Pred = pred });
        return total.ToDouble();
    }
}
