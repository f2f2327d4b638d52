using CsCheck;
using LossDsl.Kernels;
using LossDsl.Kernels.Cpu;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The fused passes on 256-bit and 512-bit lanes agree, on every machine: where the CPU has no AVX-512, .NET runs the
/// 512-bit lanes in software, so the width a machine of the other kind would take is checked here too. The element
/// arithmetic is the same at both widths; only the order of the float64 sums, the few vectors of elements a pass adds in
/// the lanes' precision before widening them (and an FMA the software lanes may not fuse) differ.
/// </summary>
public sealed class LaneWidthTests
{
    private static readonly Gen<(long[] Shape, ScalarType Dtype, bool PerImage, int Term, int Seed)> Cases =
        from shape in FusedCpuPathTests.Shapes(maxChannels: 6)
        from dtype in FusedCpuPathTests.Dtypes
        from perImage in Gen.Bool
        from term in Gen.Int[0, 3]
        from seed in Gen.Int[0, 1 << 20]
        select (shape, dtype, perImage, term, seed);

    // A case, which of `kinds` bad values to plant, and where, as a fraction of the elements.
    private static Gen<((long[] Shape, ScalarType Dtype, bool PerImage, int Term, int Seed) sample, int bad, double position)> WithOneBadValue(int kinds) =>
        from sample in Cases
        from bad in Gen.Int[0, kinds - 1]
        from position in Gen.Double[0, 1]
        select (sample, bad, position);

    // Logits (spread over ±4 or so) and class indices of the case's shape, from its seed, and the class-index pass's rows.
    private static (Tensor Logits, Tensor Labels, CpuRows Pixels) ClassIndexInputs((long[] Shape, ScalarType Dtype, bool PerImage, int Term, int Seed) sample)
    {
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        var logits = randn(sample.Shape, dtype: sample.Dtype, generator: generator) * 4;
        var pixelShape = sample.Shape.Take(1).Append(1L).Concat(sample.Shape.Skip(2)).ToArray();
        var labels = randint(sample.Shape[1], pixelShape, dtype: ScalarType.Int64, generator: generator);
        return (logits, labels, CpuRows.OfLabels(logits, labels, null, RegionStatistics.ReducedDims(logits, sample.PerImage))!.Value);
    }

    private static string PrintWithBadValue(((long[] Shape, ScalarType Dtype, bool PerImage, int Term, int Seed) sample, int bad, double position) input) =>
        $"[{string.Join(", ", input.sample.Shape)}] {input.sample.Dtype} bad {input.bad} at {input.position}";

    [Fact]
    public void The_statistics_pass_on_logits_is_the_same_at_both_widths() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        var logits = randn(sample.Shape, dtype: sample.Dtype, generator: generator) * 4;
        var target = rand(sample.Shape, dtype: sample.Dtype, generator: generator).gt(0.5).to_type(sample.Dtype);
        // None, bce with a positive weight, focal with a whole γ (products) and a fractional one (exp and log).
        var pixelSum = sample.Term switch
        {
            0 => SigmoidPixelSum.None,
            1 => SigmoidPixelSum.CrossEntropy,
            2 => SigmoidPixelSum.Focal(0.25, 2),
            _ => SigmoidPixelSum.Focal(-1, 1.5),
        };
        var scale = sample.Term == 0 ? rand(sample.Shape, dtype: sample.Dtype, generator: generator) : null;
        var rows = CpuRows.Of(logits, target, scale, RegionStatistics.ReducedDims(logits, sample.PerImage))!.Value;
        var (truePositiveGrad, predictedGrad) = (Random(rows.Statistics, generator), Random(rows.Statistics, generator));

        var (narrow, wide) = (rows with { Wide = false }, rows with { Wide = true });
        var what = $"[{string.Join(", ", sample.Shape)}] {sample.Dtype}, {pixelSum}";
        Tolerance.CloseToLargest(
            SigmoidStatisticsPass.Forward(narrow, logits, target, scale, pixelSum, positiveWeight: 1.7).Sums,
            SigmoidStatisticsPass.Forward(wide, logits, target, scale, pixelSum, positiveWeight: 1.7).Sums, SumTolerance(sample.Dtype), what + ": sums");
        Tolerance.CloseToLargest(
            FixedInputs.ToArray(SigmoidStatisticsPass.Backward(narrow, logits, target, scale, truePositiveGrad, predictedGrad, pixelSum, 0.3, positiveWeight: 1.7)),
            FixedInputs.ToArray(SigmoidStatisticsPass.Backward(wide, logits, target, scale, truePositiveGrad, predictedGrad, pixelSum, 0.3, positiveWeight: 1.7)),
            ElementTolerance(sample.Dtype), what + ": d/dx");
    }, iterations: 60, seed: 512, print: sample => $"[{string.Join(", ", sample.Shape)}] {sample.Dtype} term {sample.Term}");

    /// <summary>
    /// The value checks' two sums (<see cref="SigmoidStatisticsPass.ValueChecks"/>) at both widths: exactly 0 for finite
    /// logits and a mask in [0, 1], and the other sums as without them; NaN, or above 0, for one bad value anywhere,
    /// in a block's main loop or its tail.
    /// </summary>
    [Fact]
    public void The_statistics_passs_value_checks_are_the_same_at_both_widths() => PropertyRun.ForAll(
        WithOneBadValue(kinds: 4),
        input =>
        {
            var (sample, bad, position) = input;
            using var scope = NewDisposeScope();
            var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
            var logits = randn(sample.Shape, dtype: sample.Dtype, generator: generator) * 4;
            var target = rand(sample.Shape, dtype: sample.Dtype, generator: generator).gt(0.5).to_type(sample.Dtype);
            var rows = CpuRows.Of(logits, target, null, RegionStatistics.ReducedDims(logits, sample.PerImage))!.Value;
            var checks = SigmoidStatisticsPass.ValueChecks;
            foreach (var width in new[] { rows with { Wide = false }, rows with { Wide = true } })
            {
                var sums = SigmoidStatisticsPass.Forward(width, logits, target, null, SigmoidPixelSum.CrossEntropy, 1.0, checkValues: true).Sums;
                Assert.Equal(new[] { 0.0, 0.0 }, sums[^checks..]);
                Assert.Equal(SigmoidStatisticsPass.Forward(width, logits, target, null, SigmoidPixelSum.CrossEntropy, 1.0).Sums, sums[..^checks]);
            }

            // One bad value: a NaN or infinite logit, a mask value above 1 or below 0.
            var at = (long)(position * (logits.numel() - 1));
            (bad < 2 ? logits : target).view(-1)[at] = tensor(bad switch { 0 => double.NaN, 1 => double.NegativeInfinity, 2 => 1.5, _ => -1e-6 }, dtype: sample.Dtype);
            foreach (var width in new[] { rows with { Wide = false }, rows with { Wide = true } })
            {
                var sums = SigmoidStatisticsPass.Forward(width, logits, target, null, SigmoidPixelSum.CrossEntropy, 1.0, checkValues: true).Sums;
                var (notFinite, outsideUnit) = (sums[^2], sums[^1]);
                Assert.True(bad < 2 ? double.IsNaN(notFinite) && outsideUnit == 0 : notFinite == 0 && outsideUnit > 0, $"bad value {bad} at {at}: {notFinite}, {outsideUnit}");
            }
        },
        iterations: 40, seed: 513, print: PrintWithBadValue);

    /// <summary>
    /// The class-index pass's value check (<see cref="SoftmaxStatisticsPass.Forward"/> with <c>checkValues</c>) at both
    /// widths: exactly 0 for finite logits, the other sums bit for bit as without it; NaN for one NaN or infinite logit in
    /// any class of any pixel, in a block's vectors or its tail.
    /// </summary>
    [Fact]
    public void The_class_index_passs_value_check_is_the_same_at_both_widths() => PropertyRun.ForAll(
        WithOneBadValue(kinds: 3),
        input =>
        {
            var (sample, bad, position) = input;
            using var scope = NewDisposeScope();
            var (logits, labels, pixels) = ClassIndexInputs(sample);
            foreach (var width in new[] { pixels with { Wide = false }, pixels with { Wide = true } })
            {
                var sums = SoftmaxStatisticsPass.Forward(width, logits, labels, null, LabelPixelSum.CrossEntropy, checkValues: true).Sums;
                Assert.Equal(0.0, sums[^1]);
                Assert.Equal(SoftmaxStatisticsPass.Forward(width, logits, labels, null, LabelPixelSum.CrossEntropy).Sums, sums[..^1]);
            }

            logits.view(-1)[(long)(position * (logits.numel() - 1))] = tensor(bad switch { 0 => double.NaN, 1 => double.NegativeInfinity, _ => double.PositiveInfinity }, dtype: sample.Dtype);
            foreach (var width in new[] { pixels with { Wide = false }, pixels with { Wide = true } })
            {
                Assert.True(double.IsNaN(SoftmaxStatisticsPass.Forward(width, logits, labels, null, LabelPixelSum.CrossEntropy, checkValues: true).Sums[^1]), $"bad logit {bad} at {position}");
            }
        },
        iterations: 40, seed: 514, print: PrintWithBadValue);

    /// <summary>
    /// The class-index pass's check of the labels' range (<see cref="SoftmaxStatisticsPass.Forward"/>'s LabelsInRange) at
    /// both widths: true for labels in [0, C), the sums the same as with them; false for one label at −1, at C, at 2³² + c
    /// (c in 32 bits) or at the smallest int64, in a block's vectors or its tail.
    /// </summary>
    [Fact]
    public void The_class_index_passs_label_check_is_the_same_at_both_widths() => PropertyRun.ForAll(
        WithOneBadValue(kinds: 4),
        input =>
        {
            var (sample, bad, position) = input;
            using var scope = NewDisposeScope();
            var (logits, labels, pixels) = ClassIndexInputs(sample);
            foreach (var width in new[] { pixels with { Wide = false }, pixels with { Wide = true } })
            {
                Assert.True(SoftmaxStatisticsPass.Forward(width, logits, labels, null, LabelPixelSum.CrossEntropy).LabelsInRange);
            }

            var classes = sample.Shape[1];
            labels.view(-1)[(long)(position * (labels.numel() - 1))] = tensor(bad switch { 0 => -1L, 1 => classes, 2 => (1L << 32) + (classes - 1), _ => long.MinValue });
            foreach (var width in new[] { pixels with { Wide = false }, pixels with { Wide = true } })
            {
                Assert.False(SoftmaxStatisticsPass.Forward(width, logits, labels, null, LabelPixelSum.CrossEntropy).LabelsInRange, $"bad label {bad} at {position}");
            }
        },
        iterations: 40, seed: 515, print: PrintWithBadValue);

    [Fact]
    public void The_statistics_pass_on_class_indices_is_the_same_at_both_widths() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        var logits = randn(sample.Shape, dtype: sample.Dtype, generator: generator) * 4;
        var pixelShape = sample.Shape.Take(1).Append(1L).Concat(sample.Shape.Skip(2)).ToArray();
        var labels = randint(sample.Shape[1], pixelShape, dtype: ScalarType.Int64, generator: generator);
        var valid = sample.Term % 2 == 0 ? rand(pixelShape, dtype: sample.Dtype, generator: generator).gt(0.3).to_type(sample.Dtype) : null;
        var pixels = CpuRows.OfLabels(logits, labels, valid, RegionStatistics.ReducedDims(logits, sample.PerImage))!.Value;
        var statistics = (int)(pixels.Statistics * sample.Shape[1]);
        var (truePositiveGrad, predictedGrad) = (Random(statistics, generator), Random(statistics, generator));

        // ce, ce with class weights and label smoothing, focal with a whole γ (products) and class weights, and with a
        // fractional γ (exp and log).
        var weights = rand(sample.Shape[1], dtype: ScalarType.Float64, generator: generator).data<double>().ToArray();
        var pixelSum = sample.Term switch
        {
            0 => LabelPixelSum.CrossEntropy,
            1 => LabelPixelSum.WeightedCrossEntropy(weights, 0.1),
            2 => LabelPixelSum.Focal(2.0, weights),
            _ => LabelPixelSum.Focal(1.5),
        };

        var (narrow, wide) = (pixels with { Wide = false }, pixels with { Wide = true });
        var what = $"[{string.Join(", ", sample.Shape)}] {sample.Dtype}{(valid is null ? string.Empty : ", ignored pixels")}, {pixelSum}";
        Tolerance.CloseToLargest(
            SoftmaxStatisticsPass.Forward(narrow, logits, labels, valid, pixelSum).Sums,
            SoftmaxStatisticsPass.Forward(wide, logits, labels, valid, pixelSum).Sums, SumTolerance(sample.Dtype), what + ": sums");
        Tolerance.CloseToLargest(
            FixedInputs.ToArray(SoftmaxStatisticsPass.Backward(narrow, logits, labels, valid, truePositiveGrad, predictedGrad, 0.3, pixelSum)),
            FixedInputs.ToArray(SoftmaxStatisticsPass.Backward(wide, logits, labels, valid, truePositiveGrad, predictedGrad, 0.3, pixelSum)),
            ElementTolerance(sample.Dtype), what + ": d/dx");
    }, iterations: 60, seed: 512, print: sample => $"[{string.Join(", ", sample.Shape)}] {sample.Dtype} term {sample.Term}");

    // The roundings of the few vectors a pass adds in float32 before widening (grouped differently at each width); float64
    // sums only in another order.
    private static double SumTolerance(ScalarType dtype) => dtype == ScalarType.Float32 ? 1e-7 : 1e-12;

    // An element's few ulps: the same formulas, with or without a fused multiply-add.
    private static double ElementTolerance(ScalarType dtype) => dtype == ScalarType.Float32 ? 1e-6 : 1e-14;

    private static double[] Random(long count, TorchSharp.torch.Generator generator) =>
        randn(count, dtype: ScalarType.Float64, generator: generator).data<double>().ToArray();
}
