using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// Mask focal on logits, one node with its gradient written out, against autograd through the same formula in
/// log-sigmoid form: equal values and gradients for soft and hard targets, every kind of α and γ, saturated logits.
/// </summary>
public sealed class BinaryFocalFunctionTests
{
    [Theory]
    [InlineData(0.25, 2.0)]
    [InlineData(-1.0, 2.0)]   // no α_t
    [InlineData(0.6, 0.0)]    // plain weighted cross-entropy
    [InlineData(0.25, 0.5)]   // γ < 1: the clamped base keeps the gradient finite
    [InlineData(1.0, 3.0)]
    public void Value_and_gradient_equal_autograd_through_the_formula(double alpha, double gamma)
    {
        using var scope = NewDisposeScope();
        var logits = (sin(arange(2 * 1 * 5 * 6, dtype: ScalarType.Float64) * 2.3) * 5).reshape(2, 1, 5, 6);
        logits.view(-1)[0] = tensor(1e4, dtype: ScalarType.Float64);
        logits.view(-1)[1] = tensor(-1e4, dtype: ScalarType.Float64);
        // Hard labels, and soft ones in between: the formula holds for any t in [0, 1].
        var target = cos(arange(60, dtype: ScalarType.Float64) * 0.7).add(1).div(2).reshape(2, 1, 5, 6);
        target.view(-1).narrow(0, 0, 20).copy_(target.view(-1).narrow(0, 0, 20).round());

        var fused = logits.detach().requires_grad_();
        var value = PixelLosses.BinaryFocalWithLogits(fused, target, alpha, gamma, null, null, null);
        var gradient = autograd.grad(new[] { value }, new[] { fused })[0];

        var plain = logits.detach().requires_grad_();
        var logP = nn.functional.logsigmoid(plain);
        var logNotP = nn.functional.logsigmoid(-plain);
        var expected = PixelLosses.BinaryFocal(plain.sigmoid(), logP, logNotP, target, alpha, gamma, null, null, null);
        var expectedGradient = autograd.grad(new[] { expected }, new[] { plain })[0];

        Tolerance.Close(expected.ToDouble(), value.ToDouble(), 1e-12, "focal");
        Tolerance.CloseToLargest(FixedInputs.ToArray(expectedGradient), FixedInputs.ToArray(gradient), 1e-10, "d focal / dx");
        Assert.True(FixedInputs.ToArray(gradient).All(double.IsFinite));
    }

    [Fact]
    public void An_empty_batch_gives_zero_with_an_empty_gradient()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(new long[] { 0, 1, 4, 4 }, dtype: ScalarType.Float64).requires_grad_();

        var value = PixelLosses.BinaryFocalWithLogits(logits, zeros_like(logits), 0.25, 2, null, null, null);
        var gradient = autograd.grad(new[] { value }, new[] { logits })[0];

        Assert.Equal(0.0, value.ToDouble());
        Assert.Equal(logits.shape, gradient.shape);
    }
}
