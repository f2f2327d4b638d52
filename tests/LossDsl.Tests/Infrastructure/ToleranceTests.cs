using LossDsl.Tests.Numerics;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace LossDsl.Tests.Infrastructure;

/// <summary>The gradient rule of docs/losses.md "Accuracy" catches what the norm-wise rule before it let through.</summary>
public sealed class ToleranceTests
{
    [Fact]
    public void A_small_element_is_checked_to_the_relative_tolerance()
    {
        // A gradient of size 1e-2 over 1,000 elements, one of them 100 times smaller and off by 5e-4 relative (5e-8):
        // within 1e-5 of the largest element, so the norm-wise rule passes it; per element the allowance is 1.1e-8.
        var expected = Enumerable.Repeat(1e-2, 1000).ToArray();
        expected[500] = 1e-4;
        var actual = expected.ToArray();
        actual[500] *= 1 + 5e-4;

        Tolerance.CloseToLargest(expected, actual, Tolerance.Float32, "norm-wise");
        var error = Assert.Throws<TrueException>(() => Tolerance.Gradient(expected, actual, ScalarType.Float32, "per element"));
        Assert.Contains("per element[500]", error.Message);
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.Float64, 1e-9)]
    public void The_allowance_is_the_relative_part_plus_a_tenth_of_the_gradients_size(ScalarType dtype, double relative)
    {
        double[] expected = [0.5, -0.25, 0.0, 0.125];
        var allowed = relative * 0.25 + relative * 0.5 / 10;

        Tolerance.Gradient(expected, [0.5, -0.25 - allowed * 0.99, 0.0, 0.125], dtype, "inside");
        Assert.Throws<TrueException>(() => Tolerance.Gradient(expected, [0.5, -0.25 - allowed * 1.01, 0.0, 0.125], dtype, "outside"));
    }

    [Fact]
    public void A_flat_gradient_is_measured_against_one_over_n()
    {
        // generalized_dice on an empty mask: the gradient is ~1e-11 while the loss is a mean over 72 elements. Its size
        // is then 1/72, so float32 accepts what it cannot resolve, and float64 still catches a flipped sign.
        var fixture = Fixture.All.Single(f => f.Name == "generalized_dice_empty_mask");
        var flipped = fixture.Gradient.ToArray();
        flipped[0] = -flipped[0];

        Assert.True(fixture.Gradient.Max(Math.Abs) < 1e-9, "the fixture's gradient is no longer flat");
        Tolerance.Gradient(fixture.Gradient, flipped, ScalarType.Float32, "float32");
        Assert.Throws<TrueException>(() => Tolerance.Gradient(fixture.Gradient, flipped, ScalarType.Float64, "float64"));
    }

    [Fact]
    public void Every_fixture_gradient_rounded_to_float32_meets_the_float32_rule()
    {
        // The rule never asks more than float32 can represent: rounding the reference itself passes.
        foreach (var fixture in Fixture.All)
        {
            Tolerance.Gradient(fixture.Gradient, fixture.Gradient.Select(g => (double)(float)g).ToArray(), ScalarType.Float32, fixture.Name);
        }
    }
}
