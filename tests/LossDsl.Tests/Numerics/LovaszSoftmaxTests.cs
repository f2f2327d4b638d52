using LossDsl.Tests.Infrastructure;
using static LossDsl.Tests.Numerics.StructureReferences;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("lovasz_softmax", Target = LossTarget.Labels, Classes = 4)]
public sealed partial class LovaszSoftmaxLoss;

[Loss("lovasz_softmax(all, true)", Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255)]
public sealed partial class IgnoringLovaszSoftmaxLoss;

/// <summary>
/// Lovász-Softmax against the definition over kept pixels and counted classes (<see cref="StructureReferences.LovaszSoftmax"/>),
/// with hand-derived gradients through softmax, themselves checked by central differences.
/// </summary>
public sealed class LovaszSoftmaxTests
{
    private const int N = 2, C = 4, H = 3, W = 4;
    private static readonly long[] PredShape = { N, C, H, W };
    private static readonly long[] LabelShape = { N, H, W };

    [Theory]
    [InlineData("present", false, null, ScalarType.Float64, Tolerance.Float64)]
    [InlineData("present", true, null, ScalarType.Float64, Tolerance.Float64)]
    [InlineData("all", false, null, ScalarType.Float64, Tolerance.Float64)]
    [InlineData("present", false, 255, ScalarType.Float64, Tolerance.Float64)]
    [InlineData("all", true, 255, ScalarType.Float64, Tolerance.Float64)]
    [InlineData("present", true, 255, ScalarType.Float32, Tolerance.Float32)]
    public void Value_and_gradient_match_the_definition(string classes, bool perImage, int? ignore, ScalarType dtype, double tolerance)
    {
        var (x, _) = FixedInputs.Binary(N, C, H, W);
        var labels = FixedLabels.Create(N * H * W, C, ignore);
        var (expected, expectedGradient) = LovaszSoftmax(x, labels, N, C, logits: true, ignore, classes == "present", perImage);

        using var loss = LossCompiler.Compile($"lovasz_softmax(classes: {classes}, per_image: {(perImage ? "true" : "false")})",
            new LossOptions { Target = LossTarget.Labels, Classes = C, IgnoreIndex = ignore });
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, FixedLabels.AsDoubles(labels), PredShape, dtype, LabelShape, ScalarType.Int64);

        Tolerance.Close(expected, value, tolerance, "lovasz_softmax");
        Tolerance.Gradient(expectedGradient, gradient, dtype, "d lovasz_softmax / dx");
    }

    [Fact]
    public void The_hand_derived_gradient_is_the_derivative()
    {
        var (x, _) = FixedInputs.Binary(N, C, H, W);
        var labels = FixedLabels.Create(N * H * W, C, 255);
        double Value(double[] logits) => LovaszSoftmax(logits, labels, N, C, logits: true, 255, presentOnly: true, perImage: true).Value;

        Tolerance.CloseToLargest(NumericGradient(Value, x), LovaszSoftmax(x, labels, N, C, true, 255, true, true).Gradient, 1e-7, "central differences");
    }

    [Fact]
    public void Generated_module_matches_the_definition_on_probabilities_and_with_an_ignore_index()
    {
        var (x, _) = FixedInputs.Binary(N, C, H, W);
        var labels = FixedLabels.Create(N * H * W, C, 255);
        var (expected, expectedGradient) = LovaszSoftmax(x, labels, N, C, logits: true, 255, presentOnly: false, perImage: true);
        using var generated = new IgnoringLovaszSoftmaxLoss();
        var (value, gradient) = LossRun.ValueAndGradient(generated, x, FixedLabels.AsDoubles(labels), PredShape, targetShape: LabelShape, targetDtype: ScalarType.Int64);
        Tolerance.Close(expected, value, Tolerance.Float64, "lovasz_softmax(all, true), ignore 255");
        Tolerance.Gradient(expectedGradient, gradient, ScalarType.Float64, "gradient");

        var p = Softmax(x, N, C, H * W);
        var unignored = FixedLabels.Create(N * H * W, C);
        var (expectedP, expectedGradientP) = LovaszSoftmax(p, unignored, N, C, logits: false, null, presentOnly: true, perImage: false);
        using var probabilities = LossCompiler.Compile("lovasz_softmax", new LossOptions { Input = LossInput.Probabilities, Target = LossTarget.Labels, Classes = C });
        var (valueP, gradientP) = LossRun.ValueAndGradient(probabilities, p, FixedLabels.AsDoubles(unignored), PredShape, targetShape: LabelShape, targetDtype: ScalarType.Int64);
        Tolerance.Close(expectedP, valueP, Tolerance.Float64, "lovasz_softmax on probabilities");
        Tolerance.Gradient(expectedGradientP, gradientP, ScalarType.Float64, "gradient in p");
    }

    [Fact]
    public void Absent_classes_are_skipped_or_cost_their_largest_probability()
    {
        // Only classes 0 and 2 occur.
        var (x, _) = FixedInputs.Binary(N, C, H, W);
        var labels = FixedLabels.Create(N * H * W, 2).Select(l => 2 * l).ToArray();
        var p = Softmax(x, N, C, H * W);
        using var present = new LovaszSoftmaxLoss();
        using var all = LossCompiler.Compile("lovasz_softmax(classes: all)", new LossOptions { Target = LossTarget.Labels, Classes = C });

        var presentValue = LossRun.ValueAndGradient(present, x, FixedLabels.AsDoubles(labels), PredShape, targetShape: LabelShape, targetDtype: ScalarType.Int64).Value;
        var allValue = LossRun.ValueAndGradient(all, x, FixedLabels.AsDoubles(labels), PredShape, targetShape: LabelShape, targetDtype: ScalarType.Int64).Value;

        Tolerance.Close(LovaszSoftmax(x, labels, N, C, true, null, presentOnly: true, perImage: false).Value, presentValue, Tolerance.Float64, "present");
        // An absent class has no truth: every prefix's Jaccard loss is 1, so only its largest error counts.
        double LargestP(int cls) => Enumerable.Range(0, N * H * W).Max(i => p[((i / (H * W) * C) + cls) * H * W + i % (H * W)]);
        Tolerance.Close((2 * presentValue + LargestP(1) + LargestP(3)) / 4, allValue, Tolerance.Float64, "all = mean of present losses and absent maxima");
    }

    [Fact]
    public void Every_pixel_ignored_gives_zero_with_zero_gradient()
    {
        var (x, _) = FixedInputs.Binary(N, C, H, W);
        var labels = Enumerable.Repeat(255, N * H * W).ToArray();
        foreach (var text in new[] { "lovasz_softmax", "lovasz_softmax(all, true)" })
        {
            using var loss = LossCompiler.Compile(text, new LossOptions { Target = LossTarget.Labels, Classes = C, IgnoreIndex = 255 });
            var (value, gradient) = LossRun.ValueAndGradient(loss, x, FixedLabels.AsDoubles(labels), PredShape, targetShape: LabelShape, targetDtype: ScalarType.Int64);

            Assert.Equal(0.0, value);
            Assert.All(gradient, g => Assert.Equal(0.0, g));
        }
    }

    [Fact]
    public void An_image_with_every_pixel_ignored_still_counts_in_the_image_mean()
    {
        var (x, _) = FixedInputs.Binary(N, C, H, W);
        var labels = FixedLabels.Create(N * H * W, C).Select((l, i) => i >= H * W ? 255 : l).ToArray();
        var firstImage = LovaszSoftmax(x.Take(C * H * W).ToArray(), labels.Take(H * W).ToArray(), 1, C, true, 255, true, true).Value;
        using var loss = LossCompiler.Compile("lovasz_softmax(per_image: true)", new LossOptions { Target = LossTarget.Labels, Classes = C, IgnoreIndex = 255 });

        var value = LossRun.ValueAndGradient(loss, x, FixedLabels.AsDoubles(labels), PredShape, targetShape: LabelShape, targetDtype: ScalarType.Int64).Value;

        Tolerance.Close(firstImage / 2, value, Tolerance.Float64, "(first image + 0) / 2");
    }

    [Fact]
    public void Inputs_are_checked_before_the_softmax_reads_them()
    {
        using var pred = zeros(6);
        using var labels = zeros(6, dtype: ScalarType.Int64);
        using var loss = new LovaszSoftmaxLoss();

        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, labels));
        Assert.StartsWith("LovaszSoftmaxLoss: pred must have shape [N, C, *spatial], got [6].", error.Message);
    }
}
