using CsCheck;
using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// Dice, IoU and Tversky from CPU statistics in one node (<see cref="OverlapMean"/>, which <see cref="RegionLosses"/>
/// takes on the CPU) against the torch operations it replaces (the per-channel losses, then the channel mean), on
/// random statistics with empty channels and nothing predicted, smooth 0 and not, log_loss, empty: zero, Tversky's α, β
/// and γ, class weights (some 0, or all 0), without the background and per image: the same value and the same gradient
/// with respect to p, in float64 and float32 against the torch operations in float64.
/// </summary>
public sealed class OverlapMeanTests
{
    private static readonly Gen<Case> Cases =
        from shape in FusedCpuPathTests.Shapes(maxChannels: 5)
        from dtype in FusedCpuPathTests.Dtypes
        from perImage in Gen.Bool
        from kind in Gen.Int[0, 2]
        // 0, or weights whose losses float32 holds (β of 1e-90 with smooth 0 gives losses of 1e90).
        from alpha in Gen.OneOf(Gen.Const(0.0), Gen.Double[0.01, 1.0])
        from beta in Gen.OneOf(Gen.Const(0.0), Gen.Double[0.01, 1.0])
        from gamma in Gen.OneOf(Gen.Const(1.0), Gen.Double[0.3, 3.0])
        // Smooth values float32 can hold: one below its smallest normal number is 0 in the torch operations' float32 sums
        // (0/0 there) and not in the closed form's float64 ones.
        from smoothNumerator in Gen.OneOf(Gen.Const(0.0), Gen.Const(1.0), Gen.Double[1e-6, 2.0])
        from smoothDenominator in Gen.OneOf(Gen.Const(0.0), Gen.Const(1.0), Gen.Double[1e-6, 2.0])
        from log in Gen.Bool
        from zeroWhenEmpty in Gen.Bool
        from weights in Gen.OneOf(Gen.Const(0), Gen.Const(1), Gen.Const(2))
        from includeBackground in Gen.Bool
        from seed in Gen.Int[0, 1 << 20]
        select new Case(shape, dtype, perImage, kind, alpha, beta, gamma, smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weights, includeBackground, seed);

    [Fact]
    public void The_closed_form_and_the_torch_operations_agree() => PropertyRun.ForAll(Cases, sample =>
    {
        if (!sample.IncludeBackground && sample.Shape[1] < 2)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        // Channel 0 predicts nothing and channel 1 has no target: denominators of 0 with smooth 0, empty channels.
        var p = rand(sample.Shape, dtype: sample.Dtype, generator: generator);
        p.select(1, 0).zero_();
        var target = rand(sample.Shape, dtype: sample.Dtype, generator: generator).gt(0.5).to_type(sample.Dtype);
        if (sample.Shape[1] > 1)
        {
            target.select(1, 1).zero_();
        }

        var channels = sample.Shape[1];
        var weight = sample.Weights switch
        {
            0 => null,
            1 => rand(channels, dtype: ScalarType.Float64, generator: generator).index_put_(zeros(1, dtype: ScalarType.Float64), 0),
            _ => zeros(channels, dtype: ScalarType.Float64),
        };

        // The torch operations in float64 are the reference: in float32 they round the score where the closed form, in
        // float64 from the float32 sums, does not (log_loss with smooth 0 takes the score as 1 − (1 − r)).
        var (closedValue, closedGradient) = Run(p, target, sample, weight, closed: true);
        var (torchValue, torchGradient) = Run(p.to_type(ScalarType.Float64), target.to_type(ScalarType.Float64), sample, weight, closed: false);
        // A score's rounding is absolute in the loss (1 − r, −log r near r = 1): to the dtype's tolerance of 1.
        Assert.True(Math.Abs(torchValue - closedValue) <= Tolerance.For(sample.Dtype) * Math.Max(Math.Abs(torchValue), 1),
            $"{sample}: value: expected {torchValue:R}, got {closedValue:R}");
        Tolerance.Gradient(torchGradient, closedGradient, sample.Dtype, $"{sample}: d/dp");
    }, iterations: 300, seed: 23, print: sample => sample.ToString());

    [Fact]
    public void Statistics_off_the_cpu_path_take_the_torch_operations()
    {
        using var scope = NewDisposeScope();
        var statistic = ones(3);
        var form = OverlapForm.Dice(1, 1, log: false, zeroWhenEmpty: false);
        Assert.NotNull(OverlapMean.TryCompute(statistic, statistic, statistic, form, null, includeBackground: true));
        Assert.Null(OverlapMean.TryCompute(statistic.to_type(ScalarType.Float16), statistic.to_type(ScalarType.Float16), statistic.to_type(ScalarType.Float16), form, null, true));
        Assert.Null(OverlapMean.TryCompute(statistic, statistic, ones(2), form, null, true));
        Assert.Null(OverlapMean.TryCompute(statistic, statistic, statistic, form, ones(2), true));
        Assert.Null(OverlapMean.TryCompute(ones(2, 3, 4), ones(2, 3, 4), ones(2, 3, 4), form, null, true));
    }

    // The term's value and its gradient with respect to p, through the closed form or the torch operations.
    private static (double Value, double[] Gradient) Run(Tensor probabilities, Tensor target, Case sample, Tensor? weight, bool closed)
    {
        var p = probabilities.detach().requires_grad_();
        var statistics = RegionStatistics.Compute(p, target, null, null, sample.PerImage);
        var (sn, sd, log, empty) = (sample.SmoothNumerator, sample.SmoothDenominator, sample.Log, sample.ZeroWhenEmpty);
        var value = (sample.Kind, closed) switch
        {
            (0, true) => RegionLosses.Dice(statistics, false, sn, sd, log, empty, false, false, weight, sample.IncludeBackground),
            (1, true) => RegionLosses.Iou(statistics, false, sn, sd, log, empty, false, false, weight, sample.IncludeBackground),
            (_, true) => RegionLosses.Tversky(statistics, sample.Alpha, sample.Beta, sample.Gamma, sn, sd, log, empty, false, false, weight, sample.IncludeBackground),
            (0, false) => RegionLosses.ChannelMean(RegionLosses.DiceUnreduced(statistics, false, sn, sd, log, empty, false, false), weight, sample.IncludeBackground),
            (1, false) => RegionLosses.ChannelMean(RegionLosses.IouUnreduced(statistics, false, sn, sd, log, empty, false, false), weight, sample.IncludeBackground),
            _ => RegionLosses.ChannelMean(RegionLosses.TverskyUnreduced(statistics, sample.Alpha, sample.Beta, sample.Gamma, sn, sd, log, empty, false, false), weight, sample.IncludeBackground),
        };
        var gradient = autograd.grad(new[] { value }, new[] { p }, allow_unused: true)[0];
        var values = gradient.IsInvalid ? new double[p.numel()] : FixedInputs.ToArray(gradient);
        return (value.to_type(ScalarType.Float64).item<double>(), values);
    }

    public sealed record Case(long[] Shape, ScalarType Dtype, bool PerImage, int Kind, double Alpha, double Beta, double Gamma, double SmoothNumerator,
        double SmoothDenominator, bool Log, bool ZeroWhenEmpty, int Weights, bool IncludeBackground, int Seed)
    {
        public override string ToString() =>
            $"[{string.Join(", ", Shape)}] {Dtype}{(PerImage ? " per image" : string.Empty)}, {Kind switch { 0 => "dice", 1 => "iou", _ => $"tversky α {Alpha} β {Beta} γ {Gamma}" }}, "
            + $"smooth {SmoothNumerator}/{SmoothDenominator}{(Log ? ", log" : string.Empty)}{(ZeroWhenEmpty ? ", empty: zero" : string.Empty)}, "
            + $"weights {Weights switch { 0 => "none", 1 => "random, one 0", _ => "all 0" }}{(IncludeBackground ? string.Empty : ", no background")}, seed {Seed}";
    }
}
