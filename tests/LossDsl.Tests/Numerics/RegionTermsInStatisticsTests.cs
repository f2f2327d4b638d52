using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// Region terms a statistics node evaluates beside its sums (<see cref="RegionTerm"/>) against the same terms computed
/// from the node's statistics in nodes of their own: the same values and the same gradients, each value taken once, and
/// none from statistics summed across a data-parallel group, where every term computes itself.
/// </summary>
public sealed class RegionTermsInStatisticsTests
{
    [Theory]
    [InlineData(1, false, false, ScalarType.Float64)]   // one channel over the batch, beside bce
    [InlineData(3, true, false, ScalarType.Float64)]    // per image, class weights, background left out
    [InlineData(3, false, true, ScalarType.Float64)]    // class indices with an ignored label, beside focal
    [InlineData(1, false, false, ScalarType.Float32)]
    [InlineData(3, false, true, ScalarType.Float32)]
    public void Terms_evaluated_in_the_node_equal_their_own_nodes(int channels, bool perImage, bool labels, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(channels, labels, dtype);
        var weight = channels > 1 ? tensor(new[] { 0.5, 2.0, 1.0 }, dtype: ScalarType.Float64) : null;
        RegionTerm[] Terms() => new[]
        {
            RegionTerm.Dice(1.0, 1.0, false, false, null, true),
            RegionTerm.Iou(0.0, 1e-5, true, false, weight, channels == 1),
            RegionTerm.Tversky(0.3, 0.7, 1.5, 1.0, 1.0, false, true, weight, true),
        };

        var (inNode, inNodeGradient) = Objective(logits, target, labels, perImage, Terms(), weight, channels, expectEvaluated: true);
        var (own, ownGradient) = Objective(logits, target, labels, perImage, null, weight, channels, expectEvaluated: false);

        var tolerance = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
        Tolerance.CloseToLargest(own, inNode, tolerance, "term values");
        Tolerance.CloseToLargest(FixedInputs.ToArray(ownGradient), FixedInputs.ToArray(inNodeGradient), tolerance, "d/dx");
    }

    [Fact]
    public void Statistics_summed_across_a_group_compute_every_term_themselves()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(1, labels: false, ScalarType.Float64);
        var statistics = RegionStatistics.ComputeFromLogits(logits, target, null, null, perImage: false, new[] { RegionTerm.Dice(1.0, 1.0, false, false, null, true) });
        var grouped = RegionStatistics.AcrossGroup(statistics, new GroupOfOne());

        Assert.Null(grouped.Evaluated(RegionTerm.Dice(1.0, 1.0, false, false, null, true)));
        // The node's own statistics still hold it, once.
        Assert.NotNull(statistics.Evaluated(RegionTerm.Dice(1.0, 1.0, false, false, null, true)));
        Assert.Null(statistics.Evaluated(RegionTerm.Dice(1.0, 1.0, false, false, null, true)));
        var dice = RegionLosses.Dice(grouped, false, 1.0, 1.0, false, false, false, false, null, true);
        var (tp, p, t) = (statistics.TruePositive.item<double>(), statistics.Predicted.item<double>(), statistics.Target.item<double>());
        Assert.Equal(1 - ((2 * tp) + 1) / (p + t + 1), dice.item<double>(), 12);
    }

    // Logits, and a mask or class indices with label 255 ignored at a few pixels.
    private static (Tensor Logits, Tensor Target) Inputs(int channels, bool labels, ScalarType dtype)
    {
        var shape = new long[] { 2, channels, 5, 6 };
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var logits = (sin(arange(count, dtype: ScalarType.Float64) * 1.3) * 3).reshape(shape).to_type(dtype);
        if (labels)
        {
            var indices = (arange(2 * 5 * 6, dtype: ScalarType.Int64) * 7 % channels).reshape(2, 1, 5, 6);
            indices.view(-1)[3] = tensor(255L);
            indices.view(-1)[17] = tensor(255L);
            return (logits, indices);
        }

        return (logits, cos(arange(count, dtype: ScalarType.Float64) * 0.7).gt(0).to_type(dtype).reshape(shape));
    }

    // A loss of the pixel term's sum and the three terms (weights 1, 2, 3), its gradient, and the terms' values.
    private static (double[] Values, Tensor Gradient) Objective(
        Tensor logits, Tensor target, bool labels, bool perImage, RegionTerm[]? terms, Tensor? weight, int channels, bool expectEvaluated)
    {
        var x = logits.detach().requires_grad_();
        RegionStatistics statistics;
        Tensor sum;
        if (labels)
        {
            var valid = target.ne(255).to_type(logits.dtype);
            (statistics, sum) = RegionStatistics.ComputeFromLabelsWithFocal(x, target.clamp_max(channels - 1), valid, perImage, 2.0, null, terms);
        }
        else
        {
            (statistics, sum) = RegionStatistics.ComputeWithCrossEntropy(x, target, perImage, 1.0, terms);
        }

        // Dice's value straight from the node (what RegionLosses.Dice takes first), the others through their own calls.
        var evaluated = statistics.Evaluated(RegionTerm.Dice(1.0, 1.0, false, false, null, true));
        Assert.Equal(expectEvaluated, evaluated is not null);
        var dice = evaluated ?? RegionLosses.Dice(statistics, false, 1.0, 1.0, false, false, false, false, null, true);
        var iou = RegionLosses.Iou(statistics, false, 0.0, 1e-5, true, false, false, false, weight, channels == 1);
        var tversky = RegionLosses.Tversky(statistics, 0.3, 0.7, 1.5, 1.0, 1.0, false, true, false, false, weight, true);
        // Each value is handed out once: an equal term asking again computes itself.
        Assert.Null(statistics.Evaluated(RegionTerm.Iou(0.0, 1e-5, true, false, weight, channels == 1)));
        var total = (0.25 * sum) + dice + (2 * iou) + (3 * tversky);
        var gradient = autograd.grad(new[] { total }, new[] { x })[0];
        return (new[] { dice.ToDouble(), iou.ToDouble(), tversky.ToDouble() }, gradient);
    }

    // A group of this process alone: the sums are its own, but the statistics are "summed across a group" all the same.
    private sealed class GroupOfOne : ILossGroup
    {
        public Tensor Sum(Tensor local) => local.clone();
    }
}
