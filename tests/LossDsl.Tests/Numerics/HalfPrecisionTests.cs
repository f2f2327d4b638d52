using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// A float16 or bfloat16 pred is evaluated in float32 (LossModule, HalfPrecision): on every fixture and both engines its
/// terms match the float64 loss of the same rounded inputs to float32's contract, and its gradient, which comes back in
/// pred's dtype, to that dtype's rounding. The loss itself is returned in pred's dtype.
/// </summary>
public sealed class HalfPrecisionTests
{
    // The float32-ill-conditioned fixtures of FixtureTests, for the same reasons.
    private static readonly HashSet<string> IllConditioned = ["generalized_dice_single_pixel", "port_monai_test_tversky_smooth_dr"];

    public static TheoryData<string, LossEngine, ScalarType> Cases()
    {
        var data = new TheoryData<string, LossEngine, ScalarType>();
        foreach (var fixture in Fixture.All.Where(f => !IllConditioned.Contains(f.Name)))
        {
            foreach (var engine in EngineLoss.All)
            {
                foreach (var dtype in new[] { ScalarType.Float16, ScalarType.BFloat16 })
                {
                    data.Add(fixture.Name, engine, dtype);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Half_precision_matches_float64_on_the_same_rounded_inputs(string name, LossEngine engine, ScalarType dtype)
    {
        var fixture = Fixture.All.Single(f => f.Name == name);
        using var loss = EngineLoss.Create(fixture, engine);
        using var scope = NewDisposeScope();

        // The inputs pred's dtype can hold, exactly, in float64 and in the half dtype.
        var pred = fixture.PredTensor(dtype);
        var sides = fixture.SidePredTensors(dtype);
        var wide = pred.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var wideSides = sides.Select(s => s.detach().to_type(ScalarType.Float64).requires_grad_(true)).ToArray();
        using var reference = loss.Terms(fixture.Inputs(wide, ScalarType.Float64, wideSides), false);
        reference.Total.backward();
        using var terms = loss.Terms(fixture.Inputs(pred, ScalarType.Float32, sides), false);
        terms.Total.backward();

        Assert.Equal(ScalarType.Float32, terms.Total.dtype);
        Tolerance.Close(reference.Total.ToDouble(), terms.Total.ToDouble(), Tolerance.Float32 * 10, $"{name}: total");
        foreach (var term in reference.Keys)
        {
            Tolerance.Close(reference[term].ToDouble(), terms[term].ToDouble(), Tolerance.Float32 * 10, $"{name}: term {term}");
        }

        Assert.Equal(dtype, pred.grad!.dtype);
        Tolerance.Gradient(FixedInputs.ToArray(wide.grad!), FixedInputs.ToArray(pred.grad!), dtype, $"{name}: d total / d pred");
        for (var k = 0; k < sides.Length; k++)
        {
            Tolerance.Gradient(FixedInputs.ToArray(wideSides[k].grad!), FixedInputs.ToArray(sides[k].grad!), dtype, $"{name}: d total / d pred_{k + 1}");
        }
    }

    /// <summary>
    /// The failure this prevents (smp #463): the statistics of two 256×256 images sum 131,072 probabilities, twice float16's
    /// largest value, so Dice computed in float16 is inf / inf. In float32 it is the float64 value, returned in float16.
    /// </summary>
    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void Statistics_beyond_float16s_range_are_exact_and_the_loss_comes_back_in_preds_dtype(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var loss = LossCompiler.Compile("bce + dice + log(cosh(iou))");
        var generator = new TorchSharp.torch.Generator(7);
        var pred = (randn(new long[] { 2, 1, 256, 256 }, generator: generator) * 3).to_type(dtype).requires_grad_(true);
        var target = (rand(new long[] { 2, 1, 256, 256 }, generator: generator) > 0.5).to_type(ScalarType.Float32);
        var wide = pred.detach().to_type(ScalarType.Float64).requires_grad_(true);
        var expected = loss.call(wide, target.to_type(ScalarType.Float64));
        expected.backward();

        var total = loss.call(pred, target);
        total.backward();

        Assert.Equal(dtype, total.dtype);
        Assert.Equal(expected.ToDouble(), total.ToDouble(), Math.Abs(expected.ToDouble()) * Tolerance.For(dtype));
        Tolerance.Gradient(FixedInputs.ToArray(wide.grad!), FixedInputs.ToArray(pred.grad!), dtype, "d total / d pred");
        // Dice's denominator P + T summed in float16 itself.
        using var naive = pred.detach().sigmoid().sum() + target.to_type(dtype).sum();
        Assert.True(dtype == ScalarType.BFloat16 || double.IsInfinity(naive.ToDouble()), "float16 sums no longer overflow here: the test lost its point");
    }
}
