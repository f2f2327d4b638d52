using LossDsl.Tests.Infrastructure;
using LossDsl.Kernels;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The closed-form statistics node on logits against autograd through the sigmoid: the same TP, P and T, and the same
/// gradient of any function of them, whole batch or per image, one channel or several, with or without spatial dims.
/// </summary>
public sealed class SigmoidStatisticsTests
{
    [Theory]
    [InlineData(new long[] { 3, 1, 4, 5 }, false)]    // one channel over the batch: the dot-product path
    [InlineData(new long[] { 3, 1, 4, 5 }, true)]
    [InlineData(new long[] { 2, 3, 7 }, false)]       // several channels, one spatial dim
    [InlineData(new long[] { 2, 3, 2, 3, 2 }, true)]  // three spatial dims
    [InlineData(new long[] { 4, 2 }, true)]           // no spatial dims: per image, nothing to sum
    [InlineData(new long[] { 4, 2 }, false)]
    public void Values_and_gradients_equal_autograd_through_the_sigmoid(long[] shape, bool perImage)
    {
        using var scope = NewDisposeScope();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        // Logits up to ±1e4 at a few places: σ saturates to exactly 0 or 1 there, and so does its slope.
        var logits = (sin(arange(count, dtype: ScalarType.Float64) * 1.7) * 4).reshape(shape);
        logits.view(-1)[0] = tensor(1e4, dtype: ScalarType.Float64);
        logits.view(-1)[1] = tensor(-1e4, dtype: ScalarType.Float64);
        var target = cos(arange(count, dtype: ScalarType.Float64) * 0.9).gt(0).to_type(ScalarType.Float64).reshape(shape);
        // A function of all three statistics with distinct weights, so that every gradient path shows.
        var weights = (Tensor tp, Tensor p) => (tp * 1.3 - p * 0.7 + tp * p * 0.01).sum();

        var fused = logits.detach().requires_grad_();
        var statistics = RegionStatistics.ComputeFromLogits(fused, target, null, null, perImage, regionTerms: null, "Test", false);
        var fusedGradient = autograd.grad(new[] { weights(statistics.TruePositive, statistics.Predicted) }, new[] { fused })[0];

        var plain = logits.detach().requires_grad_();
        var reference = RegionStatistics.Compute(plain.sigmoid(), target, null, null, perImage);
        var plainGradient = autograd.grad(new[] { weights(reference.TruePositive, reference.Predicted) }, new[] { plain })[0];

        Assert.Equal(reference.TruePositive.shape, statistics.TruePositive.shape);
        Tolerance.CloseToLargest(FixedInputs.ToArray(reference.TruePositive), FixedInputs.ToArray(statistics.TruePositive), 1e-12, "TP");
        Tolerance.CloseToLargest(FixedInputs.ToArray(reference.Predicted), FixedInputs.ToArray(statistics.Predicted), 1e-12, "P");
        Tolerance.CloseToLargest(FixedInputs.ToArray(reference.Target), FixedInputs.ToArray(statistics.Target), 1e-12, "T");
        Tolerance.CloseToLargest(FixedInputs.ToArray(plainGradient), FixedInputs.ToArray(fusedGradient), 1e-12, "d/dx");
        Assert.Equal(0.0, fusedGradient.view(-1)[0].ToDouble());
    }

    // Each case on both of the node's paths: the one-pass CPU kernel (contiguous tensors) and the torch operations
    // (the same values through strides, as on any other device).
    [Theory]
    [InlineData(1.0, false, true)]
    [InlineData(2.5, false, true)]
    [InlineData(null, false, true)]   // pos_weight: auto
    [InlineData(0.5, true, true)]
    [InlineData(1.0, false, false)]
    [InlineData(2.5, false, false)]
    [InlineData(null, false, false)]
    [InlineData(0.5, true, false)]
    public void The_summed_cross_entropy_and_its_gradient_equal_libtorchs_fused_kernel(double? posWeight, bool perImage, bool contiguous)
    {
        using var scope = NewDisposeScope();
        long[] shape = { 3, 2, 4, 5 };
        var logits = (sin(arange(120, dtype: ScalarType.Float64) * 1.3) * 6).reshape(shape);
        logits.view(-1)[0] = tensor(1e4, dtype: ScalarType.Float64);
        var target = cos(arange(120, dtype: ScalarType.Float64) * 0.4).gt(0.2).to_type(ScalarType.Float64).reshape(shape);
        if (!contiguous)
        {
            (logits, target) = (FixedInputs.Strided(logits), FixedInputs.Strided(target));
            Assert.False(logits.is_contiguous());
        }

        var combine = (Tensor tp, Tensor p, Tensor bce) => (tp * 0.8 - p * 0.3).sum() + 1.7 * bce;

        var fused = logits.detach().requires_grad_();
        var (statistics, crossEntropySum) = RegionStatistics.ComputeWithCrossEntropy(fused, target, null, null, perImage, posWeight, regionTerms: null, "Test", false);
        var bce = PixelLosses.MeanOverAllElements(crossEntropySum, fused);
        var fusedGradient = autograd.grad(new[] { combine(statistics.TruePositive, statistics.Predicted, bce) }, new[] { fused })[0];

        var plain = logits.detach().requires_grad_();
        var reference = RegionStatistics.Compute(plain.sigmoid(), target, null, null, perImage);
        var expectedBce = PixelLosses.BinaryCrossEntropyWithLogits(plain, target, posWeight, 0.0, null, null);
        var plainGradient = autograd.grad(new[] { combine(reference.TruePositive, reference.Predicted, expectedBce) }, new[] { plain })[0];

        Tolerance.Close(expectedBce.ToDouble(), bce.ToDouble(), 1e-12, "bce");
        Tolerance.CloseToLargest(FixedInputs.ToArray(plainGradient), FixedInputs.ToArray(fusedGradient), 1e-12, "d/dx");
    }

    // Each case on both of the node's paths, as above; hard and soft targets, α none or given, γ whole or not.
    [Theory]
    [InlineData(0.25, 2.0, false, false, true)]
    [InlineData(-1.0, 0.0, false, false, true)]
    [InlineData(0.5, 1.5, true, false, true)]
    [InlineData(1.0, 0.5, false, true, true)]
    [InlineData(0.0, 3.0, true, true, true)]
    [InlineData(0.25, 2.0, false, false, false)]
    [InlineData(-1.0, 0.0, false, false, false)]
    [InlineData(0.5, 1.5, true, false, false)]
    [InlineData(1.0, 0.5, false, true, false)]
    [InlineData(0.0, 3.0, true, true, false)]
    public void The_summed_focal_loss_and_its_gradient_equal_focals_own_node(double alpha, double gamma, bool perImage, bool softTarget, bool contiguous)
    {
        using var scope = NewDisposeScope();
        long[] shape = { 3, 2, 4, 5 };
        var logits = (sin(arange(120, dtype: ScalarType.Float64) * 1.3) * 6).reshape(shape);
        logits.view(-1)[0] = tensor(40.0, dtype: ScalarType.Float64);
        logits.view(-1)[1] = tensor(-40.0, dtype: ScalarType.Float64);
        var wave = cos(arange(120, dtype: ScalarType.Float64) * 0.4);
        var target = (softTarget ? wave.mul(0.5).add(0.5) : wave.gt(0.2).to_type(ScalarType.Float64)).reshape(shape);
        if (!contiguous)
        {
            (logits, target) = (FixedInputs.Strided(logits), FixedInputs.Strided(target));
        }

        var combine = (Tensor tp, Tensor p, Tensor focal) => (tp * 0.8 - p * 0.3).sum() + 1.7 * focal;

        var fused = logits.detach().requires_grad_();
        var (statistics, focalSum) = RegionStatistics.ComputeWithFocal(fused, target, null, null, perImage, alpha, gamma, null, regionTerms: null, "Test", false);
        var focal = PixelLosses.MeanOverAllElements(focalSum, fused);
        var fusedGradient = autograd.grad(new[] { combine(statistics.TruePositive, statistics.Predicted, focal) }, new[] { fused })[0];

        var plain = logits.detach().requires_grad_();
        var reference = RegionStatistics.Compute(plain.sigmoid(), target, null, null, perImage);
        var expectedFocal = PixelLosses.BinaryFocalWithLogits(plain, target, alpha, gamma, null, null, null);
        var plainGradient = autograd.grad(new[] { combine(reference.TruePositive, reference.Predicted, expectedFocal) }, new[] { plain })[0];

        Assert.True(expectedFocal.ToDouble() > 0.01);
        Tolerance.Close(expectedFocal.ToDouble(), focal.ToDouble(), 1e-12, "focal");
        Tolerance.CloseToLargest(FixedInputs.ToArray(plainGradient), FixedInputs.ToArray(fusedGradient), 1e-12, "d/dx");
    }
}
