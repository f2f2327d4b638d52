using CsCheck;
using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Properties;
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

    /// <summary>
    /// Random shapes (1 to 4 channels, 0 to 3 spatial dims), dtypes and logit scales, statistics per image or not, with
    /// or without bce summed beside them, and three terms of random forms: smoothing, log loss, empty channels, focal
    /// Tversky's γ, class weights and the background left out where there are channels to leave.
    /// </summary>
    [Fact]
    public void Terms_evaluated_in_the_node_equal_their_own_nodes_on_random_inputs() => PropertyRun.ForAll(
        from shape in FusedCpuPathTests.Shapes(maxChannels: 4)
        from dtype in FusedCpuPathTests.Dtypes
        from logitScale in FusedCpuPathTests.LogitScales
        from perImage in Gen.Bool
        from withCrossEntropy in Gen.Bool
        from smooth in Gen.OneOf(Gen.Const(0.0), Gen.Const(1e-5), Gen.Const(1.0))
        from log in Gen.Bool
        from zeroWhenEmpty in Gen.Bool
        from gamma in Gen.OneOf(Gen.Const(1.0), Gen.Double[0.5, 3])
        from weighted in Gen.Bool
        from background in Gen.Bool
        from seed in Gen.Int[0, 1 << 20]
        select (shape, dtype, logitScale, perImage, withCrossEntropy, smooth, log, zeroWhenEmpty, gamma, weighted, background, seed),
        sample =>
        {
            using var scope = NewDisposeScope();
            var generator = new TorchSharp.torch.Generator((ulong)sample.seed);
            var logits = randn(sample.shape, dtype: sample.dtype, generator: generator) * sample.logitScale;
            var target = rand(sample.shape, dtype: sample.dtype, generator: generator).gt(0.7).to_type(sample.dtype);
            var channels = sample.shape[1];
            var weight = sample.weighted ? rand(channels, dtype: ScalarType.Float64, generator: generator) + 0.1 : null;
            var includeBackground = sample.background || channels == 1;
            // float32's own node rounds L_c near 0 to an ulp of 1, which focal Tversky's L^γ with γ < 1 amplifies without
            // bound (0.56: 4.076e-4 against the float64 sums' 4.046e-4): float32 samples take γ ≥ 1, float64 any.
            var gamma = sample.dtype == ScalarType.Float32 ? Math.Max(1.0, sample.gamma) : sample.gamma;
            RegionTerm[] Terms() => new[]
            {
                RegionTerm.Dice(sample.smooth, sample.smooth, sample.log, sample.zeroWhenEmpty, weight, includeBackground),
                RegionTerm.Iou(1.0, 1.0, sample.log, sample.zeroWhenEmpty, weight, true),
                RegionTerm.Tversky(0.3, 0.7, gamma, sample.smooth, sample.smooth, false, sample.zeroWhenEmpty, null, includeBackground),
            };

            (double[] Values, Tensor Gradient) Run(RegionTerm[]? terms)
            {
                var x = logits.detach().requires_grad_();
                var (statistics, sum) = sample.withCrossEntropy
                    ? RegionStatistics.ComputeWithCrossEntropy(x, target, null, null, sample.perImage, 1.0, terms, "Test", false)
                    : (RegionStatistics.ComputeFromLogits(x, target, null, null, sample.perImage, terms, "Test", false), zeros(1, dtype: sample.dtype).sum());
                var values = new[]
                {
                    RegionLosses.Dice(statistics, false, sample.smooth, sample.smooth, sample.log, sample.zeroWhenEmpty, false, false, weight, includeBackground),
                    RegionLosses.Iou(statistics, false, 1.0, 1.0, sample.log, sample.zeroWhenEmpty, false, false, weight, true),
                    RegionLosses.Tversky(statistics, 0.3, 0.7, gamma, sample.smooth, sample.smooth, false, sample.zeroWhenEmpty, false, false, null, includeBackground),
                };
                // Every term took the node's value, or there was none to take.
                Assert.Null(statistics.Evaluated(RegionTerm.Iou(1.0, 1.0, sample.log, sample.zeroWhenEmpty, weight, true)));
                var total = (0.5 * sum) + values[0] + (2 * values[1]) + (3 * values[2]);
                return (values.Select(v => v.ToDouble()).ToArray(), autograd.grad(new[] { total }, new[] { x })[0]);
            }

            var (inNode, inNodeGradient) = Run(Terms());
            var (own, ownGradient) = Run(null);
            var tolerance = sample.dtype == ScalarType.Float64 ? 1e-10 : 1e-5;
            // Each value is 1 − a ratio (or its log) of order 1: the node takes it from float64 sums, the term's own node
            // in the dtype, whose rounding near 0 is an ulp of 1 (float32, [2, 1], logits ×8: 1.5795e-5 against
            // 1.5784e-5, a seed of 2026-12-07). The floor is the contract's tenth of the natural size, as for gradients.
            Tolerance.CloseToLargest(own, inNode, tolerance, "term values", floor: Tolerance.FloorFraction);
            // Where the statistics' summed gradient overflows the dtype (an empty channel whose P is the exponential's
            // floor, ~1e-38 in float32, with smooth 0: three terms' −1/P pass float32's largest), both paths turn −∞·t,
            // t = 0, into NaN at the same elements: they agree there, and are compared everywhere else.
            var (expectedGradient, actualGradient) = (FixedInputs.ToArray(ownGradient), FixedInputs.ToArray(inNodeGradient));
            Assert.Equal(expectedGradient.Select(double.IsNaN), actualGradient.Select(double.IsNaN));
            var compared = Enumerable.Range(0, expectedGradient.Length).Where(i => !double.IsNaN(expectedGradient[i])).ToArray();
            if (compared.Length > 0)
            {
                // A region term's slope σ'·(g_TP·t + g_P) cancels where the match is near perfect; g_TP and g_P are of
                // order 1/n, so their rounding in the dtype is too (1e-5 of 0.00396 at that seed, 1.6e-7 off, n = 2).
                Tolerance.CloseToLargest(compared.Select(i => expectedGradient[i]).ToArray(), compared.Select(i => actualGradient[i]).ToArray(), tolerance, "d/dx",
                    floor: Math.Max(1e-3, 1.0 / expectedGradient.Length));
            }
        },
        iterations: 60, seed: 41, print: sample => $"shape [{string.Join(", ", sample.shape)}] " + sample.ToString());

    [Fact]
    public void Statistics_summed_across_a_group_compute_every_term_themselves()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(1, labels: false, ScalarType.Float64);
        var statistics = RegionStatistics.ComputeFromLogits(logits, target, null, null, perImage: false, new[] { RegionTerm.Dice(1.0, 1.0, false, false, null, true) }, "Test", false);
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
            (statistics, sum) = RegionStatistics.ComputeFromLabelsWithFocal(x, target.clamp_max(channels - 1), valid, null, perImage, 2.0, null, terms, "Test", false, checkLabels: true, ignoreIndex: null);
        }
        else
        {
            (statistics, sum) = RegionStatistics.ComputeWithCrossEntropy(x, target, null, null, perImage, 1.0, terms, "Test", false);
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
}
