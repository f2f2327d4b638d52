using CsCheck;
using LossDsl.Kernels;
using LossDsl.Kernels.Cpu;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The one-pass CPU kernel of class indices on logits (softmax, TP, P, T and ce's or focal's sum) against the kernels it
/// replaces (softmax, <see cref="RegionStatistics.ComputeFromLabels"/>, log-softmax and ce's or focal's kernel), on random
/// shapes, class counts, dtypes, ignored pixels, focal's γ, class weights (some 0) and ce's label smoothing: the same
/// values and the same gradient of a function of all of them. The separate kernels run on the same values made
/// non-contiguous, which the pass refuses, and in float64: the reference for either dtype.
/// </summary>
public sealed class FusedLabelsPathTests
{
    /// <summary>
    /// The shapes of <see cref="FusedCpuPathTests.Shapes"/> with 1 to 12 classes, logits up to ±200 (one class takes all),
    /// per image or not, with a valid mask (ignored pixels) or without, with a weight map (weights in [0, 2)) or without.
    /// </summary>
    private static readonly Gen<Case> Cases =
        from shape in FusedCpuPathTests.Shapes(maxChannels: 12)
        from dtype in FusedCpuPathTests.Dtypes
        from perImage in Gen.Bool
        from logitScale in FusedCpuPathTests.LogitScales
        from ignored in Gen.Bool
        from weightMap in Gen.Bool
        from focalGamma in Gen.OneOf(Gen.Const((double?)null), Gen.Const((double?)0.0), Gen.Const((double?)2.0), Gen.Double[0.2, 4.0].Select(g => (double?)g))
        from weighted in Gen.Bool
        from labelSmoothing in focalGamma is null ? Gen.OneOf(Gen.Const(0.0), Gen.Const(1.0), Gen.Double[0.0, 1.0]) : Gen.Const(0.0)
        from seed in Gen.Int[0, 1 << 20]
        select new Case(shape, dtype, perImage, logitScale, ignored, weightMap, focalGamma, weighted, labelSmoothing, seed);

    [Fact]
    public void The_one_pass_kernel_and_the_separate_kernels_agree() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        var logits = randn(sample.Shape, dtype: sample.Dtype, generator: generator) * sample.LogitScale;
        var pixelShape = sample.Shape.Take(1).Append(1L).Concat(sample.Shape.Skip(2)).ToArray();
        var labels = randint(sample.Shape[1], pixelShape, dtype: ScalarType.Int64, generator: generator);
        var valid = sample.Ignored ? rand(pixelShape, dtype: sample.Dtype, generator: generator).gt(0.3).to_type(sample.Dtype) : null;
        var weights = randn(7, dtype: ScalarType.Float64, generator: generator);
        // Class weights in [0, 2), the first one 0: a class that counts for nothing.
        var classWeights = sample.Weighted ? (rand(sample.Shape[1], dtype: sample.Dtype, generator: generator) * 2).index_put_(zeros(1, dtype: sample.Dtype), 0) : null;
        // A weight map, as Inputs.PixelWeight gives it: already times the kept pixels.
        var pixelWeight = sample.WeightMap ? Reductions.Kept(rand(pixelShape, dtype: sample.Dtype, generator: generator) * 2, valid) : null;
        var reduce = RegionStatistics.ReducedDims(logits, sample.PerImage);
        var term = new Term(sample.FocalGamma, classWeights, sample.LabelSmoothing);

        Assert.NotNull(CpuRows.OfLabels(logits, labels, pixelWeight ?? valid, reduce));
        var (fusedValues, fusedGradient, statisticsGradient) = Run(logits, labels, valid, pixelWeight, sample.PerImage, term, weights);
        // The separate kernels in float64: in float32 their softmax backward cancels where the pass no longer does
        // (p_c·(G_c − Σ_k p_k G_k) with every g_P near 2.4 took them 1.1·10⁻⁶ from the float64 gradient where the pass
        // was 6.9·10⁻⁸ off: [3, 12, 14346] per image, logits ×8, ce, a seed of 2026-12-07), so they were the worse side.
        Tensor Reference(Tensor tensor) => FixedInputs.Strided(tensor.dtype == ScalarType.Int64 ? tensor : tensor.to_type(ScalarType.Float64));
        var (strided, stridedLabels) = (Reference(logits), Reference(labels));
        var (stridedValid, stridedWeight) = (valid is null ? null : Reference(valid), pixelWeight is null ? null : Reference(pixelWeight));
        Assert.Null(CpuRows.OfLabels(strided, stridedLabels, stridedWeight ?? stridedValid, reduce));
        var (separateValues, separateGradient, _) = Run(strided, stridedLabels, stridedValid, stridedWeight, sample.PerImage, term, weights);

        Tolerance.CloseToLargest(separateValues, fusedValues, Tolerance.For(sample.Dtype), $"{sample}: TP, P, T, ce or focal");
        // The statistics' gradients reach the pass rounded to the dtype, and p_c·(G_c − Σ_k p_k G_k) keeps up to twice that
        // rounding of the largest G however small the difference, where the objective's weights make every class's g_P
        // nearly the same (seen: 1.6·10⁻⁷ in float32 against gradients up to 0.012, G near 3).
        var rounding = 4 * Math.ScaleB(statisticsGradient, sample.Dtype == ScalarType.Float32 ? -24 : -53);
        var largest = Math.Max(separateGradient.Max(Math.Abs), 1.0 / separateGradient.Length);
        var floorFraction = Math.Max(FusedCpuPathTests.CancellingFloor(sample.Dtype), rounding / (Tolerance.For(sample.Dtype) * largest));
        Tolerance.Gradient(separateGradient, fusedGradient, sample.Dtype, $"{sample}: d/dx", floorFraction);
    }, iterations: 120, seed: 18, print: sample => sample.ToString());

    [Theory]
    [InlineData("mean_over: kept")]
    [InlineData("mean_over: all")]
    [InlineData("weight: [0.5, 0, 2, 1]")]
    [InlineData("label_smoothing: 0.2")]
    [InlineData("weight: [0.5, 0, 2, 1], label_smoothing: 0.2, mean_over: all")]
    public void A_ce_summed_in_the_statistics_node_is_the_ce_of_its_own_kernel(string arguments)
    {
        // Beside dice, ce is summed in the class-index node and divided by its mean's denominator; alone, it runs
        // PyTorch's cross-entropy on a log-softmax. The term's value and its own gradient agree, with ignored pixels.
        using var scope = NewDisposeScope();
        var options = new LossOptions { Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255 };
        var generator = new TorchSharp.torch.Generator(7);
        var logits = randn(new long[] { 2, 4, 9, 11 }, dtype: ScalarType.Float64, generator: generator) * 3;
        var labels = randint(4, new long[] { 2, 9, 11 }, dtype: ScalarType.Int64, generator: generator)
            .masked_fill(rand(new long[] { 2, 9, 11 }, generator: generator).lt(0.2), 255);

        (double Value, double[] Gradient) CeOf(string text)
        {
            var x = logits.detach().requires_grad_();
            using var terms = LossDsl.LossCompiler.Compile(text, options).Terms(x, labels);
            var ce = terms["ce"];
            return (ce.item<double>(), FixedInputs.ToArray(autograd.grad(new[] { ce }, new[] { x })[0]));
        }

        Assert.Contains("RegionStatistics.ComputeFromLabelsWithCrossEntropy", LossDsl.LossCompiler.Plan($"ce({arguments}) + dice", options, out _).Steps.Select(step => step.Call.Kernel));
        var (fusedValue, fusedGradient) = CeOf($"ce({arguments}) + dice");
        var (ownValue, ownGradient) = CeOf($"ce({arguments})");
        Tolerance.Close(ownValue, fusedValue, 1e-12, arguments);
        Tolerance.Gradient(ownGradient, fusedGradient, ScalarType.Float64, arguments);
    }

    public static TheoryData<ScalarType, bool, string> StoredCases => new()
    {
        // 37·41 = 1517 pixels an image: whole vectors and a tail, with and without kept pixels; ce plain, weighted,
        // smoothed; focal, whose gradient reads −log p_y, kept per pixel beside p.
        { ScalarType.Float32, false, "plain" },
        { ScalarType.Float32, true, "weighted" },
        { ScalarType.Float64, true, "smoothed" },
        { ScalarType.Float64, false, "weighted and smoothed" },
        { ScalarType.Float32, true, "focal" },
        { ScalarType.Float64, false, "focal" },
    };

    [Theory]
    [MemberData(nameof(StoredCases))]
    public void The_gradient_from_stored_probabilities_is_the_same_bits_as_from_the_logits(ScalarType dtype, bool withValid, string term)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(31);
        var logits = randn(new long[] { 2, 4, 37, 41 }, dtype: dtype, generator: generator) * 20;
        var labels = randint(4, new long[] { 2, 1, 37, 41 }, dtype: ScalarType.Int64, generator: generator);
        var valid = withValid ? rand(new long[] { 2, 1, 37, 41 }, dtype: dtype, generator: generator).gt(0.3).to_type(dtype) : null;
        var pixels = CpuRows.OfLabels(logits, labels, valid, new long[] { 0, 2, 3 })!.Value;
        var weights = term.StartsWith("weighted", StringComparison.Ordinal) ? new[] { 1.0, 0.0, 2.5, 0.7 } : null;
        var pixelSum = term == "focal" ? LabelPixelSum.Focal(2) : LabelPixelSum.WeightedCrossEntropy(weights, term.EndsWith("smoothed", StringComparison.Ordinal) ? 0.2 : 0);
        double[] truePositiveGrad = { 0.3, -1.2, 2.5, 0.1 }, predictedGrad = { -0.7, 0.4, 1.1, -0.2 };

        var (sums, labelsInRange, probabilities, logProbabilities) = SoftmaxStatisticsPass.Forward(pixels, logits, labels, valid, pixelSum, keepProbabilities: true);
        Assert.True(labelsInRange);
        Assert.Equal(SoftmaxStatisticsPass.Forward(pixels, logits, labels, valid, pixelSum).Sums, sums);
        Tolerance.CloseToLargest(FixedInputs.ToArray(logits.softmax(1)), FixedInputs.ToArray(probabilities!), Tolerance.For(dtype), "stored p");
        if (term == "focal")
        {
            var minusLogProbabilityY = -logits.log_softmax(1).gather(1, labels);
            Tolerance.CloseToLargest(FixedInputs.ToArray(minusLogProbabilityY), FixedInputs.ToArray(logProbabilities!), Tolerance.For(dtype), "stored −log p_y");
        }
        else
        {
            Assert.Null(logProbabilities);
        }

        var fromLogits = FixedInputs.ToArray(SoftmaxStatisticsPass.Backward(pixels, logits, labels, valid, truePositiveGrad, predictedGrad, 0.3, pixelSum));
        var fromProbabilities = SoftmaxStatisticsPass.Backward(pixels, logits, labels, valid, truePositiveGrad, predictedGrad, 0.3, pixelSum, probabilities, logProbabilities);

        Assert.Same(probabilities, fromProbabilities);
        Assert.Equal(fromLogits, FixedInputs.ToArray(fromProbabilities));
    }

    public static TheoryData<int, ScalarType, bool, bool> UnrolledCases()
    {
        var cases = new TheoryData<int, ScalarType, bool, bool>();
        foreach (var classes in Enumerable.Range(2, UnrolledCrossEntropySums.MaxClasses))
        {
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
            {
                cases.Add(classes, dtype, classes % 2 == 0, classes % 3 == 0);
                cases.Add(classes, dtype, classes % 2 != 0, classes % 3 != 0);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(UnrolledCases))]
    public void Plain_ce_with_the_classes_written_out_is_the_same_bits_as_the_general_loop_both_ways(int classes, ScalarType dtype, bool withValid, bool checkValues)
    {
        // 19·23 = 437 pixels an image: whole groups of vectors (the written-out loop's) and a rest (the general loop's), at
        // either lane width; up to MaxClasses + 1 classes, the last one the general loop's alone. p, the sums, the
        // value check's sum and the labels' check all the same bits, with logits past ±80 where the exponential's floor
        // counts.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)(classes * 7));
        var logits = randn(new long[] { 2, classes, 19, 23 }, dtype: dtype, generator: generator) * 30;
        var labels = randint(classes, new long[] { 2, 1, 19, 23 }, dtype: ScalarType.Int64, generator: generator);
        var valid = withValid ? rand(new long[] { 2, 1, 19, 23 }, dtype: dtype, generator: generator).gt(0.3).to_type(dtype) : null;
        var pixels = CpuRows.OfLabels(logits, labels, valid, new long[] { 0, 2, 3 })!.Value;
        var pixelSum = LabelPixelSum.WeightedCrossEntropy(null, 0);

        var written = SoftmaxStatisticsPass.Forward(pixels, logits, labels, valid, pixelSum, keepProbabilities: true, checkValues);
        var general = SoftmaxStatisticsPass.Forward(pixels, logits, labels, valid, pixelSum, keepProbabilities: true, checkValues, unrolled: false);

        Assert.True(written.LabelsInRange);
        Assert.Equal(general.Sums, written.Sums);
        Assert.Equal(FixedInputs.ToArray(general.Probabilities!), FixedInputs.ToArray(written.Probabilities!));
        Assert.Equal(general.Sums, SoftmaxStatisticsPass.Forward(pixels, logits, labels, valid, pixelSum, checkValues: checkValues).Sums);
        Tolerance.CloseToLargest(FixedInputs.ToArray(logits.softmax(1)), FixedInputs.ToArray(written.Probabilities!), Tolerance.For(dtype), "p");

        // The backward pass from each one's kept p, which it overwrites: the same bits, and those of the gradient from the
        // logits (the general loop's other source).
        var truePositiveGrad = Enumerable.Range(0, classes).Select(c => 0.3 - (0.2 * c)).ToArray();
        var predictedGrad = Enumerable.Range(0, classes).Select(c => -0.7 + (0.25 * c)).ToArray();
        var fromLogits = FixedInputs.ToArray(SoftmaxStatisticsPass.Backward(pixels, logits, labels, valid, truePositiveGrad, predictedGrad, 0.01, pixelSum));
        var writtenGradient = SoftmaxStatisticsPass.Backward(pixels, logits, labels, valid, truePositiveGrad, predictedGrad, 0.01, pixelSum, written.Probabilities);
        var generalGradient = SoftmaxStatisticsPass.Backward(pixels, logits, labels, valid, truePositiveGrad, predictedGrad, 0.01, pixelSum, general.Probabilities, unrolled: false);
        Assert.Equal(FixedInputs.ToArray(generalGradient), FixedInputs.ToArray(writtenGradient));
        Assert.Equal(fromLogits, FixedInputs.ToArray(writtenGradient));
    }

    [Fact]
    public void The_written_out_loop_checks_the_labels_and_the_logits_as_the_general_loop_does()
    {
        // A label out of range and a NaN logit in the first group of vectors, which the written-out loop takes.
        using var scope = NewDisposeScope();
        var logits = randn(new long[] { 1, 3, 16, 16 }, generator: new TorchSharp.torch.Generator(5));
        var labels = zeros(new long[] { 1, 1, 16, 16 }, dtype: ScalarType.Int64);
        var pixels = CpuRows.OfLabels(logits, labels, null, new long[] { 0, 2, 3 })!.Value;
        var pixelSum = LabelPixelSum.WeightedCrossEntropy(null, 0);
        labels[0, 0, 0, 5] = tensor(3L);
        logits[0, 2, 0, 7] = tensor(float.NaN);

        var (sums, labelsInRange, _, _) = SoftmaxStatisticsPass.Forward(pixels, logits, labels, null, pixelSum, checkValues: true);

        Assert.False(labelsInRange);
        Assert.True(double.IsNaN(sums[^1]), $"the value check's sum is {sums[^1]}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_float32_gradient_does_not_cancel_when_every_class_has_nearly_the_same_predicted_gradient(bool perImage)
    {
        // A dice term's g_P is nearly the same for every class; the softmax's gradient reads only their differences
        // (Σ_c p_c = 1). Computed from the g_P themselves, float32 kept |g_P| times the rounding of Σ_k p_k: here 3·10⁻⁸
        // at an element of 2.5·10⁻⁴, three times float32's tolerance. From g_P less their mean: the float64 gradient of the
        // same logits to float32's tolerance.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(43);
        var logits = randn(new long[] { 2, 6, 19, 23 }, dtype: ScalarType.Float32, generator: generator) * 2;
        var labels = randint(6, new long[] { 2, 1, 19, 23 }, dtype: ScalarType.Int64, generator: generator);
        var statistics = perImage ? 2 : 1;
        var truePositiveGrad = Enumerable.Range(0, 6 * statistics).Select(k => 0.01 * ((k % 6) - 2.5)).ToArray();
        var predictedGrad = Enumerable.Range(0, 6 * statistics).Select(k => -30 + (0.003 * (k % 6)) + (k / 6)).ToArray();

        double[] Gradient(Tensor x)
        {
            var pixels = CpuRows.OfLabels(x, labels, null, RegionStatistics.ReducedDims(x, perImage))!.Value;
            return FixedInputs.ToArray(SoftmaxStatisticsPass.Backward(pixels, x, labels, null, truePositiveGrad, predictedGrad, 1e-4, LabelPixelSum.WeightedCrossEntropy(null, 0)));
        }

        Tolerance.Gradient(Gradient(logits.to_type(ScalarType.Float64)), Gradient(logits), ScalarType.Float32, $"per image {perImage}: d/dx");
    }

    [Fact]
    public void Focal_from_stored_probabilities_alone_is_refused_its_gradient_reads_the_log_probability()
    {
        using var scope = NewDisposeScope();
        var logits = randn(new long[] { 2, 3, 8, 8 });
        var labels = randint(3, new long[] { 2, 1, 8, 8 }, dtype: ScalarType.Int64);
        var pixels = CpuRows.OfLabels(logits, labels, null, new long[] { 0, 2, 3 })!.Value;

        var error = Assert.Throws<InvalidOperationException>(() => SoftmaxStatisticsPass.Backward(
            pixels, logits, labels, null, new[] { 1.0, 1.0, 1.0 }, new[] { 1.0, 1.0, 1.0 }, 1.0, LabelPixelSum.Focal(2), logits.softmax(1)));

        Assert.Contains("reads −log p_y", error.Message);
    }

    [Fact]
    public void The_sums_are_the_same_bits_for_every_thread_count()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(5);
        var logits = randn(new long[] { 3, 5, 40, 70 }, generator: generator) * 4;
        var labels = randint(5, new long[] { 3, 1, 40, 70 }, dtype: ScalarType.Int64, generator: generator);
        var pixels = CpuRows.OfLabels(logits, labels, null, new long[] { 0, 2, 3 })!.Value;
        var threads = get_num_threads();
        try
        {
            var sums = new[] { 1, 2, 3 }.Select(count =>
            {
                set_num_threads(count);
                return SoftmaxStatisticsPass.Forward(pixels, logits, labels, null, LabelPixelSum.Focal(2.5)).Sums;
            }).ToArray();

            Assert.Equal(sums[0], sums[1]);
            Assert.Equal(sums[0], sums[2]);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void Class_indices_of_another_dtype_or_more_classes_than_the_stack_holds_take_the_separate_kernels()
    {
        using var scope = NewDisposeScope();
        var logits = randn(2, 3, 4, 4);
        var labels = zeros(new long[] { 2, 1, 4, 4 }, dtype: ScalarType.Int64);
        long[] reduce = { 0, 2, 3 };
        Assert.NotNull(CpuRows.OfLabels(logits, labels, null, reduce));
        Assert.Null(CpuRows.OfLabels(logits, labels.to_type(ScalarType.Int32), null, reduce));
        Assert.Null(CpuRows.OfLabels(logits, labels, ones(2, 1, 4, 4, dtype: ScalarType.Float64), reduce));
        Assert.Null(CpuRows.OfLabels(randn(2, CpuRows.MaxClasses + 1, 4, 4), labels, null, reduce));
        Assert.Null(CpuRows.OfLabels(logits, labels, null, new long[] { 2, 3, 0 }));
    }

    // TP, P, T and ce's or focal's sum, and the gradient of a weighted function of them, as float64 arrays; and the largest
    // gradient of that function with respect to TP and P.
    private static (double[] Values, double[] Gradient, double StatisticsGradient) Run(
        Tensor logits, Tensor labels, Tensor? valid, Tensor? pixelWeight, bool perImage, Term term, Tensor weights)
    {
        var x = logits.detach().requires_grad_();
        var (statistics, crossEntropySum) = term.FocalGamma is { } gamma
            ? RegionStatistics.ComputeFromLabelsWithFocal(x, labels, valid, pixelWeight, perImage, gamma, term.ClassWeights, regionTerms: null, "Test", false, checkLabels: true, ignoreIndex: null)
            : RegionStatistics.ComputeFromLabelsWithCrossEntropy(x, labels, valid, pixelWeight, perImage, term.ClassWeights, term.LabelSmoothing, regionTerms: null, "Test", false,
                checkLabels: true, ignoreIndex: null);
        var w = weights.data<double>().ToArray();
        var (truePositive, predicted, target) = (statistics.TruePositive, statistics.Predicted, statistics.Target);
        var objective = ((truePositive * w[0]) + (predicted * w[1]) + (truePositive * predicted * w[2] / ElementsPerStatistic(x, predicted))).sum()
            + ((truePositive / (predicted + target + 1)) * w[3]).sum() + (crossEntropySum * w[4]);
        var gradients = autograd.grad(new[] { objective }, new[] { x, truePositive, predicted });
        var values = new[] { truePositive, predicted, target, crossEntropySum.reshape(1) }.SelectMany(FixedInputs.ToArray).ToArray();
        var statisticsGradient = gradients.Skip(1).SelectMany(FixedInputs.ToArray).Max(Math.Abs);
        return (values, FixedInputs.ToArray(gradients[0]), statisticsGradient);
    }

    // The elements summed into each statistic: TP·P over it keeps the product's gradients (P/S and TP/S) of order 1, as
    // a loss's are; over the number of statistics they grew with the image and turned float32's last bits of TP and P
    // into gradient errors beyond the dtype's tolerance.
    private static double ElementsPerStatistic(Tensor x, Tensor statistic) => (double)x.numel() / statistic.numel();

    // The pixel term summed beside the statistics, with its constants.
    private sealed record Term(double? FocalGamma, Tensor? ClassWeights, double LabelSmoothing);

    public sealed record Case(
        long[] Shape, ScalarType Dtype, bool PerImage, double LogitScale, bool Ignored, bool WeightMap, double? FocalGamma, bool Weighted, double LabelSmoothing, int Seed)
    {
        public override string ToString() =>
            $"[{string.Join(", ", Shape)}] {Dtype}{(PerImage ? " per image" : string.Empty)}, logits ×{LogitScale}{(Ignored ? ", ignored pixels" : string.Empty)}"
            + $"{(WeightMap ? ", weight map" : string.Empty)}, "
            + $"{(FocalGamma is { } gamma ? $"focal γ {gamma}" : "ce")}{(Weighted ? ", class weights" : string.Empty)}"
            + $"{(LabelSmoothing != 0 ? $", label smoothing {LabelSmoothing}" : string.Empty)}, seed {Seed}";
    }
}
