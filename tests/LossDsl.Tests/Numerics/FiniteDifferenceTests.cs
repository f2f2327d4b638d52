using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// Autograd gradients of every compiled fixture loss against central finite differences of the loss itself, in
/// float64: a check of the gradients that needs no reference implementation at all. With deep supervision, over every
/// level's prediction.
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
        using var scope = NewDisposeScope();
        var preds = new[] { fixture.PredTensor(ScalarType.Float64) }.Concat(fixture.SidePredTensors(ScalarType.Float64)).ToArray();
        var levels = new[] { new FixtureArray(fixture.PredShape, fixture.Pred) }.Concat(fixture.SidePreds).ToArray();
        var inputs = fixture.Inputs(preds[0], ScalarType.Float64, preds[1..]);
        loss.call(inputs).backward();

        // Every level's prediction as one vector of coordinates (level 0 only without deep supervision).
        var gradient = preds.SelectMany(p => FixedInputs.ToArray(p.grad!)).ToArray();
        var values = levels.SelectMany(l => l.Data).ToArray();
        var scale = Math.Max(gradient.Max(Math.Abs), 1e-3);

        // Eight coordinates spread over the input (all of them for tiny inputs), the same ones on every run.
        foreach (var index in Enumerable.Range(0, 8).Select(k => (int)((long)k * values.Length / 8)).Distinct())
        {
            // A step relative to the input (logits of ±1e4 exist), and room for rounding in the two evaluations.
            var h = Step * Math.Max(1, Math.Abs(values[index]));
            var plus = Evaluate(loss, levels, inputs, index, +h);
            var minus = Evaluate(loss, levels, inputs, index, -h);
            var numeric = (plus - minus) / (2 * h);
            var rounding = 8 * 2.2e-16 * Math.Max(Math.Abs(plus), Math.Abs(minus)) / h;
            Assert.True(Math.Abs(numeric - gradient[index]) <= (1e-5 * scale) + 1e-7 + rounding,
                $"{name}: d/dpred[{index}] autograd {gradient[index]:R}, central difference {numeric:R}");
        }
    }

    /// <summary>The loss with coordinate <paramref name="index"/> of the levels' predictions, taken in order, moved by <paramref name="delta"/>.</summary>
    private static double Evaluate(CompiledLoss loss, FixtureArray[] levels, LossInputs inputs, int index, double delta)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var preds = new Tensor[levels.Length];
        var offset = 0;
        for (var k = 0; k < levels.Length; k++)
        {
            var data = (double[])levels[k].Data.Clone();
            if (index >= offset && index < offset + data.Length)
            {
                data[index - offset] += delta;
            }

            offset += data.Length;
            preds[k] = FixedInputs.ToTensor(data, levels[k].Shape, ScalarType.Float64);
        }

        return loss.call(new LossInputs(preds, inputs.Target) { PixelWeight = inputs.PixelWeight, ValidMask = inputs.ValidMask }).ToDouble();
    }
}
