using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The closed-form statistics node for labels on logits against autograd through softmax, log-softmax and the
/// index-based kernels: the same TP, P, T and ce, and the same gradient of any function of them.
/// </summary>
public sealed class SoftmaxStatisticsTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Values_and_gradients_equal_autograd_through_the_softmax(bool perImage, bool ignoring)
    {
        using var scope = NewDisposeScope();
        long[] shape = { 3, 4, 5, 6 };
        var logits = (sin(arange(360, dtype: ScalarType.Float64) * 1.1) * 5).reshape(shape);
        logits.view(-1)[0] = tensor(1e4, dtype: ScalarType.Float64);
        var raw = (cos(arange(90, dtype: ScalarType.Float64) * 2.3) * 2 + 2).floor().clamp(0, 3).to_type(ScalarType.Int64).reshape(3, 5, 6);
        if (ignoring)
        {
            raw.view(-1).narrow(0, 0, 7).fill_(255);
        }

        var labels = Inputs.Labels("Test", logits, raw, classes: 4, ignoreIndex: ignoring ? 255 : null, spatialRank: 2, checkValues: true);
        var valid = ignoring ? Inputs.Valid(logits, raw, 255) : null;
        // A function of all four values with distinct weights, so that every gradient path shows.
        var combine = (Tensor tp, Tensor p, Tensor ce) => (tp * 1.3 - p * 0.4 + tp * p * 0.02).sum() + 0.7 * ce;

        var fused = logits.detach().requires_grad_();
        var statistics = RegionStatistics.ComputeFromLabelLogits(fused, labels, valid, perImage, crossEntropy: true);
        var ce = PixelLosses.CrossEntropyFromStatistics(statistics, labels, valid);
        var fusedGradient = autograd.grad(new[] { combine(statistics.TruePositive, statistics.Predicted, ce) }, new[] { fused })[0];

        var plain = logits.detach().requires_grad_();
        var reference = RegionStatistics.ComputeFromLabels(plain.softmax(1), labels, valid, perImage);
        var expectedCe = PixelLosses.CrossEntropy(plain.log_softmax(1), labels, valid, null, 0);
        var plainGradient = autograd.grad(new[] { combine(reference.TruePositive, reference.Predicted, expectedCe) }, new[] { plain })[0];

        Tolerance.Close(FixedInputs.ToArray(reference.TruePositive), FixedInputs.ToArray(statistics.TruePositive), 1e-12, "TP");
        Tolerance.Close(FixedInputs.ToArray(reference.Predicted), FixedInputs.ToArray(statistics.Predicted), 1e-12, "P");
        Tolerance.Close(FixedInputs.ToArray(reference.Target), FixedInputs.ToArray(statistics.Target), 1e-12, "T");
        Tolerance.Close(expectedCe.ToDouble(), ce.ToDouble(), 1e-12, "ce");
        Tolerance.Close(FixedInputs.ToArray(plainGradient), FixedInputs.ToArray(fusedGradient), 1e-11, "d/dx");
    }
}
