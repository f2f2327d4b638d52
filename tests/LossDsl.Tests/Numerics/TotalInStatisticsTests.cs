using System.Reflection;
using CsCheck;
using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("0.5 * focal(gamma: 2) + dice / 4 - iou + 1")]
public sealed partial class TotalFocalDiceIouLoss;

[Loss("bce(pos_weight: auto) + 2 * tversky(alpha: 0.3, beta: 0.7, per_image: true) - dice(weight: [1, 2, 3], per_image: true)", Classes = 3)]
public sealed partial class TotalBcePerImageLoss;

[Loss("dice + iou")]
public sealed partial class TotalDiceIouLoss;

[Loss("ce(label_smoothing: 0.1) + dice - 0.5 * iou", Target = LossTarget.Labels, Classes = 4)]
public sealed partial class TotalCrossEntropyLabelsLoss;

[Loss("2 * focal(gamma: 2, weight: [1, 2, 3, 4]) + dice(include_background: false, per_image: true)", Target = LossTarget.Labels, Classes = 4)]
public sealed partial class TotalFocalLabelsLoss;

/// <summary>
/// The total from the statistics node (<c>LossPlan.TotalCall</c>, <see cref="RegionStatistics.TotalWithFocal"/> and its
/// twins): planned only where the node computes every term of a linear total, taken by <c>forward</c> on both engines
/// with the value and gradient of the terms' own total, and left for the terms where the node cannot give it.
/// </summary>
public sealed class TotalInStatisticsTests
{
    public static TheoryData<string, int, LossEngine, ScalarType> Losses()
    {
        var data = new TheoryData<string, int, LossEngine, ScalarType>();
        foreach (var (text, classes) in new[]
        {
            (TotalFocalDiceIouLoss.Source, 1), (TotalBcePerImageLoss.Source, 3), (TotalDiceIouLoss.Source, 1), (TotalCrossEntropyLabelsLoss.Source, 4), (TotalFocalLabelsLoss.Source, 4),
        })
        {
            foreach (var engine in EngineLoss.All)
            {
                data.Add(text, classes, engine, ScalarType.Float64);
                data.Add(text, classes, engine, ScalarType.Float32);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Losses))]
    public void Forward_takes_the_total_from_the_node_with_the_terms_value_and_gradient(string text, int classes, LossEngine engine, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var loss = Module(text, classes, engine);
        var (logits, target) = Inputs(classes, dtype, OnLabels(text));

        var fromNode = Total(loss, logits, target);
        Assert.NotNull(fromNode);
        var (total, gradient) = ValueAndGradient(x => loss.forward(x, target), logits);
        var (terms, termsGradient) = ValueAndGradient(x => Terms(loss, x, target).Total, logits);

        var tolerance = dtype == ScalarType.Float64 ? 1e-12 : 1e-6;
        Assert.Equal(fromNode.ToDouble(), total);
        Tolerance.Close(terms, total, tolerance, "forward against the terms' total");
        Tolerance.CloseToLargest(termsGradient, gradient, tolerance, "d/dx");

        // The node's backward pass takes the gradient of the total it is given, not 1.
        var (_, scaledGradient) = ValueAndGradient(x => -3 * loss.forward(x, target), logits);
        Tolerance.CloseToLargest(gradient.Select(g => -3 * g).ToArray(), scaledGradient, tolerance, "d(−3·total)/dx");
    }

    [Fact]
    public void Where_the_node_cannot_give_the_total_forward_evaluates_the_terms()
    {
        using var scope = NewDisposeScope();
        foreach (var engine in EngineLoss.All)
        {
            using var loss = Module(TotalFocalDiceIouLoss.Source, 1, engine);
            var (logits, target) = Inputs(1, ScalarType.Float64);
            var (expected, expectedGradient) = ValueAndGradient(x => Terms(loss, x, target).Total, logits);

            // A strided pred: the node's one-pass kernel does not take it.
            var strided = FixedInputs.Strided(logits);
            Assert.Null(Total(loss, strided, target));
            var (value, gradient) = ValueAndGradient(x => loss.forward(FixedInputs.Strided(x), target), logits);
            Tolerance.Close(expected, value, 1e-12, $"{engine}: forward on a strided pred");
            Tolerance.CloseToLargest(expectedGradient, gradient, 1e-12, $"{engine}: d/dx on a strided pred");

            // A data-parallel group: the statistics are summed across it before any term reads them.
            loss.Group = new GroupOfOne();
            Assert.Null(Total(loss, logits, target));
            (value, gradient) = ValueAndGradient(x => loss.forward(x, target), logits);
            Tolerance.Close(expected, value, 1e-12, $"{engine}: forward with a group");
            Tolerance.CloseToLargest(expectedGradient, gradient, 1e-12, $"{engine}: d/dx with a group");
        }
    }

    [Theory]
    [InlineData("focal + dice", "RegionStatistics.TotalWithFocal", "focalFactor: 1.0", "regionTermFactors: new double[] { 1.0 }, constant: 0.0")]
    [InlineData("0.5 * focal(gamma: 2) + dice / 4 - iou + 1", "RegionStatistics.TotalWithFocal", "focalFactor: 0.5", "regionTermFactors: new double[] { 0.25, -1.0 }, constant: 1.0")]
    [InlineData("bce + dice + iou", "RegionStatistics.TotalWithCrossEntropy", "crossEntropyFactor: 1.0", "regionTermFactors: new double[] { 1.0, 1.0 }, constant: 0.0")]
    [InlineData("-(dice - 2 * iou) / 2", "RegionStatistics.TotalFromLogits", "perImage: false", "regionTermFactors: new double[] { -0.5, 1.0 }, constant: 0.0")]
    [InlineData("ce + dice", "RegionStatistics.TotalFromLabelsWithCrossEntropy", "crossEntropyFactor: 1.0", "regionTermFactors: new double[] { 1.0 }, constant: 0.0")]
    [InlineData("ce(mean_over: all) + dice", "RegionStatistics.TotalFromLabelsWithCrossEntropy", "crossEntropyFactor: 1.0", "regionTermFactors: new double[] { 1.0 }")]
    [InlineData("dice(include_background: false) + 0.5 * focal(gamma: 2)", "RegionStatistics.TotalFromLabelsWithFocal", "focalFactor: 0.5", "regionTermFactors: new double[] { 1.0 }")]
    public void A_linear_total_of_terms_the_node_computes_is_one_call(string text, string kernel, string factor, string factors)
    {
        var code = CompiledCode(text, labels: kernel.Contains("Labels"));
        Assert.Contains($"protected override global::TorchSharp.torch.Tensor? EvaluateTotal(", code);
        var call = code.Split('\n').Single(line => line.Contains("return global::LossDsl.Kernels." + kernel + "("));
        Assert.Contains(factor, call);
        Assert.Contains(factors, call);
        Assert.Contains("group: Group)", call);
    }

    [Theory]
    [InlineData("bce + ssim(11) + iou")]                    // ssim has its own node
    [InlineData("dice * bce")]                              // not linear
    [InlineData("log(dice) + bce")]                         // a function of a term
    [InlineData("bce + dice(squared_pred: true)")]          // a region term the node does not evaluate
    [InlineData("bce(label_smoothing: 0.1) + dice")]        // bce in its own kernel
    [InlineData("dice + iou(per_image: true)")]             // two statistics nodes
    [InlineData("focal")]                                   // no statistics node
    [InlineData("0 * bce + dice")]                          // a factor of 0, which leaves the terms' NaN a NaN
    public void Anything_else_evaluates_the_terms(string text) =>
        Assert.DoesNotContain("EvaluateTotal", CompiledCode(text, labels: false));

    [Fact]
    public void Maps_ignored_labels_class_weighted_ce_and_run_time_scalars_evaluate_the_terms()
    {
        var labels = new LossOptions { Target = LossTarget.Labels, Classes = 3 };
        // ce's mean with class weights divides by them, and with an ignore index by the kept pixels: not the node's.
        Assert.Null(LossCompiler.Plan("ce(weight: [1, 2, 3]) + dice", labels, out _).TotalCall);
        // Over every pixel it is the sum's mean, but the node of the total sums ce without class weights.
        Assert.Null(LossCompiler.Plan("ce(weight: [1, 2, 3], mean_over: all) + dice", labels, out _).TotalCall);
        Assert.Null(LossCompiler.Plan("ce + dice", labels with { IgnoreIndex = 255 }, out _).TotalCall);
        Assert.Null(LossCompiler.Plan("ce + dice + boundary", labels, out _).TotalCall);
        Assert.NotNull(LossCompiler.Plan("ce + dice", labels, out _).TotalCall);
        Assert.Null(LossCompiler.Plan("bce + dice", new LossOptions { ValidMask = LossPixelMap.PerPixel }, out _).TotalCall);
        Assert.Null(LossCompiler.Plan("bce + dice", new LossOptions { PixelWeight = LossPixelMap.PerPixel }, out _).TotalCall);
        Assert.Null(LossCompiler.Plan("a * bce + dice", new LossOptions { Scalars = ["a"] }, out _).TotalCall);
        Assert.Null(LossCompiler.Plan("bce + dice", new LossOptions { Levels = new LossLevels(2) }, out _).TotalCall);
        Assert.NotNull(LossCompiler.Plan("bce + dice", new LossOptions(), out _).TotalCall);
    }

    /// <summary>
    /// Random shapes, dtypes, logit scales and pixel terms (none, bce with a weight or auto, focal with or without α), two
    /// region terms per image or not, random factors and constant: the node's total against the same total from its
    /// statistics and the terms' own nodes, values and gradients.
    /// </summary>
    [Fact]
    public void The_nodes_total_equals_the_terms_total_on_random_inputs() => PropertyRun.ForAll(
        from shape in FusedCpuPathTests.Shapes(maxChannels: 3)
        from dtype in FusedCpuPathTests.Dtypes
        from logitScale in FusedCpuPathTests.LogitScales
        from perImage in Gen.Bool
        from pixelTerm in Gen.Int[0, 5]
        from factors in Gen.Double[-2, 2].Array[3]
        from constant in Gen.Double[-1, 1]
        from seed in Gen.Int[0, 1 << 20]
        select (shape, dtype, logitScale, perImage, pixelTerm, factors, constant, seed),
        sample =>
        {
            using var scope = NewDisposeScope();
            var generator = new TorchSharp.torch.Generator((ulong)sample.seed);
            var logits = randn(sample.shape, dtype: sample.dtype, generator: generator) * sample.logitScale;
            var target = rand(sample.shape, dtype: sample.dtype, generator: generator).gt(0.6).to_type(sample.dtype);
            // 0: no pixel term; 1-3: bce with weight 1, 2 or auto; 4, 5: focal with α 0.25 or none.
            var (alpha, gamma, posWeight) = sample.pixelTerm switch
            {
                1 => (0.0, 0.0, (double?)1.0),
                2 => (0.0, 0.0, 2.0),
                4 => (0.25, 2.0, null),
                5 => (-1.0, 1.5, null),
                _ => (0.0, 0.0, null),
            };
            RegionTerm[] Forms() => new[] { RegionTerm.Dice(1.0, 1.0, false, false, null, true), RegionTerm.Iou(0.0, 1e-5, true, false, null, true) };

            var x = logits.detach().requires_grad_();
            var regionFactors = sample.factors[1..];
            var total = sample.pixelTerm switch
            {
                0 => RegionStatistics.TotalFromLogits(x, target, sample.perImage, Forms(), regionFactors, sample.constant, "Test", true, null),
                >= 4 => RegionStatistics.TotalWithFocal(x, target, sample.perImage, alpha, gamma, null, sample.factors[0], Forms(), regionFactors, sample.constant, "Test", true, null),
                _ => RegionStatistics.TotalWithCrossEntropy(x, target, sample.perImage, posWeight, sample.factors[0], Forms(), regionFactors, sample.constant, "Test", true, null),
            };
            Assert.NotNull(total);
            var gradient = autograd.grad(new[] { total }, new[] { x })[0];

            var y = logits.detach().requires_grad_();
            var (statistics, sum) = sample.pixelTerm switch
            {
                0 => (RegionStatistics.ComputeFromLogits(y, target, null, null, sample.perImage, null, "Test", true), zeros(Array.Empty<long>(), dtype: sample.dtype)),
                >= 4 => RegionStatistics.ComputeWithFocal(y, target, null, null, sample.perImage, alpha, gamma, null, null, "Test", true),
                _ => RegionStatistics.ComputeWithCrossEntropy(y, target, null, null, sample.perImage, posWeight, null, "Test", true),
            };
            var dice = RegionLosses.Dice(statistics, false, 1.0, 1.0, false, false, false, false, null, true);
            var iou = RegionLosses.Iou(statistics, false, 0.0, 1e-5, true, false, false, false, null, true);
            var expected = sample.constant + (sample.factors[0] * PixelLosses.MeanOverAllElements(sum, y)) + (regionFactors[0] * dice) + (regionFactors[1] * iou);
            var expectedGradient = autograd.grad(new[] { expected }, new[] { y })[0];

            var tolerance = sample.dtype == ScalarType.Float64 ? 1e-10 : 1e-5;
            Tolerance.Close(expected.ToDouble(), total.ToDouble(), tolerance, "total");
            Tolerance.CloseToLargest(FixedInputs.ToArray(expectedGradient), FixedInputs.ToArray(gradient), tolerance, "d/dx", floor: Math.Max(1e-3, 1.0 / logits.numel()));
        },
        iterations: 40, seed: 43, print: sample => $"shape [{string.Join(", ", sample.shape)}] " + sample.ToString());

    [Fact]
    public void Factors_must_match_the_terms()
    {
        using var scope = NewDisposeScope();
        var (logits, target) = Inputs(1, ScalarType.Float64);
        var error = Assert.Throws<ArgumentException>(() =>
            RegionStatistics.TotalFromLogits(logits, target, false, new[] { RegionTerm.Dice(1.0, 1.0, false, false, null, true) }, new[] { 1.0, 2.0 }, 0, "Test", false, null));
        Assert.Contains("1 region term(s) but 2 factor(s)", error.Message);
    }

    private static LossModule Module(string text, int classes, LossEngine engine) => engine == LossEngine.Interpreted
        ? LossCompiler.Compile(text, new LossOptions { Classes = classes, Target = OnLabels(text) ? LossTarget.Labels : LossTarget.Mask })
        : text switch
        {
            TotalFocalDiceIouLoss.Source => new TotalFocalDiceIouLoss(),
            TotalBcePerImageLoss.Source => new TotalBcePerImageLoss(),
            TotalCrossEntropyLabelsLoss.Source => new TotalCrossEntropyLabelsLoss(),
            TotalFocalLabelsLoss.Source => new TotalFocalLabelsLoss(),
            _ => new TotalDiceIouLoss(),
        };

    private static bool OnLabels(string text) => text == TotalCrossEntropyLabelsLoss.Source || text == TotalFocalLabelsLoss.Source;

    // The module's EvaluateTotal, as forward calls it: the node's total, or null where it cannot give one.
    private static Tensor? Total(LossModule loss, Tensor pred, Tensor target) =>
        (Tensor?)loss.GetType().GetMethod("EvaluateTotal", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(loss, new object[] { new LossInputs(pred, target) });

    private static LossTerms Terms(LossModule loss, Tensor pred, Tensor target) => loss switch
    {
        CompiledLoss compiled => compiled.Terms(pred, target),
        TotalFocalDiceIouLoss generated => generated.Terms(pred, target),
        TotalBcePerImageLoss generated => generated.Terms(pred, target),
        TotalDiceIouLoss generated => generated.Terms(pred, target),
        TotalCrossEntropyLabelsLoss generated => generated.Terms(pred, target),
        TotalFocalLabelsLoss generated => generated.Terms(pred, target),
        _ => throw new ArgumentException(loss.GetType().Name),
    };

    // The value of a loss of x and its gradient, from a leaf copy of x.
    private static (double Value, double[] Gradient) ValueAndGradient(Func<Tensor, Tensor> loss, Tensor logits)
    {
        var x = logits.detach().requires_grad_();
        var value = loss(x);
        return (value.ToDouble(), FixedInputs.ToArray(autograd.grad(new[] { value }, new[] { x })[0]));
    }

    // Logits, and a mask or (with labels) class indices [N, H, W].
    private static (Tensor Logits, Tensor Target) Inputs(int channels, ScalarType dtype, bool labels = false)
    {
        var shape = new long[] { 2, channels, 6, 7 };
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var logits = (sin(arange(count, dtype: ScalarType.Float64) * 1.3) * 3).reshape(shape).to_type(dtype);
        return labels
            ? (logits, (arange(2 * 6 * 7, dtype: ScalarType.Int64) * 7 % channels).reshape(2, 6, 7))
            : (logits, cos(arange(count, dtype: ScalarType.Float64) * 0.7).gt(0).to_type(dtype).reshape(shape));
    }

    private static string CompiledCode(string text, bool labels) => LossDsl.Language.Emit.CSharpEmitter.Emit(
        LossCompiler.Plan(text, labels ? new LossOptions { Target = LossTarget.Labels, Classes = 3 } : new LossOptions(), out _), new LossDsl.Language.Emit.GeneratedType(null, [], "Total"));
}
