using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("dice(include_background: false) + 0.5 * focal(gamma: 2) + ce(weight: [0.5, 2, 1, 3], label_smoothing: 0.1)",
      Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255)]
public sealed partial class OrganLoss;

[Loss("bce(pos_weight: auto) + focal + generalized_dice + sensitivity_specificity", Input = LossInput.Probabilities)]
public sealed partial class ProbabilityMaskLoss;

/// <summary>Generated modules for labels and for probability masks: the reference's values, and the run-time compiler's to the last bits.</summary>
public sealed class GeneratedLabelsLossTests
{
    private static readonly double[] Weights = { 0.5, 2, 1, 3 };

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void Labels_with_an_ignore_index_match_the_reference(ScalarType dtype)
    {
        var k = LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255);
        using var loss = new OrganLoss();
        var (value, gradient) = LossCheck.Run(loss, k, dtype);
        var (expected, expectedGradient) = Dual.Gradient(k.Pred, x =>
            ReferenceLosses.Dice(k, x, includeBackground: false) + (0.5 * ReferenceLosses.Focal(k, x, 2)) + ReferenceLosses.Ce(k, x, Weights, 0.1));

        Tolerance.Close(expected, value, Tolerance.For(dtype), OrganLoss.Source);
        Tolerance.Gradient(expectedGradient, gradient, dtype, "gradient of " + OrganLoss.Source);
    }

    [Fact]
    public void Probability_masks_match_the_reference()
    {
        var k = LossCase.BinaryMask(2, 1, [3, 4], probabilities: true);
        using var loss = new ProbabilityMaskLoss();
        var (value, gradient) = LossCheck.Run(loss, k, ScalarType.Float64);
        var (expected, expectedGradient) = Dual.Gradient(k.Pred, x =>
            ReferenceLosses.Bce(k, x, null) + ReferenceLosses.BinaryFocal(k, x) + ReferenceLosses.GeneralizedDice(k, x) + ReferenceLosses.SensitivitySpecificity(k, x));

        Tolerance.Close(expected, value, Tolerance.Float64, ProbabilityMaskLoss.Source);
        Tolerance.Gradient(expectedGradient, gradient, ScalarType.Float64, "gradient of " + ProbabilityMaskLoss.Source);
    }

    [Fact]
    public void Generated_and_run_time_compiled_losses_agree_and_name_the_terms_alike()
    {
        var k = LossCase.ClassLabels(2, 4, [3, 3], ignoreIndex: 255);
        using var generated = new OrganLoss();
        using var compiled = LossCompiler.Compile(OrganLoss.Source, k.Options(nameof(OrganLoss)));
        var (generatedValue, generatedGradient) = LossCheck.Run(generated, k, ScalarType.Float64);
        var (compiledValue, compiledGradient) = LossCheck.Run(compiled, k, ScalarType.Float64);

        Assert.Equal(generatedValue, compiledValue);
        Assert.Equal(generatedGradient, compiledGradient);
        Assert.Equal(new[] { "dice", "focal", "ce" }, OrganLoss.TermNames);
        Assert.Equal(OrganLoss.TermNames, compiled.TermNames);

        using var pred = k.PredTensor(ScalarType.Float64);
        using var target = k.TargetTensor(ScalarType.Float64);
        using var terms = generated.Terms(pred, target);
        var (dice, _) = Dual.Gradient(k.Pred, x => ReferenceLosses.Dice(k, x, includeBackground: false));
        Tolerance.Close(dice, terms["dice"].ToDouble(), Tolerance.Float64, "dice term");
    }
}
