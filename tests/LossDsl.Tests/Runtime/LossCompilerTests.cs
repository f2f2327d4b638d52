using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary>The run-time compiler: same language, same diagnostics, same numbers as the generator.</summary>
public sealed class LossCompilerTests
{
    [Theory]
    [InlineData("bce + iou")]
    [InlineData("0.5 * dice + 2 * iou - bce / 4")]
    public void Compiled_and_generated_losses_agree_on_values_and_gradients(string text)
    {
        long[] shape = { 2, 1, 3, 4 };
        var (x, t) = FixedInputs.Binary(2, 1, 3, 4);
        using nn.Module<Tensor, Tensor, Tensor> generated = text == "bce + iou" ? new SimpleLoss() : new WeightedLoss();
        using var compiled = LossCompiler.Compile(text);

        var (generatedValue, generatedGradient) = Run(generated, x, t, shape);
        var (compiledValue, compiledGradient) = Run(compiled, x, t, shape);

        Tolerance.Close(generatedValue, compiledValue, 1e-12, text);
        Tolerance.CloseToLargest(generatedGradient, compiledGradient, 1e-12, "gradient of " + text);
        Assert.Equal(generated is SimpleLoss ? SimpleLoss.TermNames : WeightedLoss.TermNames, compiled.TermNames);
    }

    [Fact]
    public void Constants_in_the_total_compute_exactly_as_in_generated_code()
    {
        // double / Tensor and pow(Tensor, double) round differently from their all-tensor forms; the interpreter must
        // call the same overloads as the generated code (found by property tests).
        var (x, t) = FixedInputs.Binary(2, 1, 3, 4);
        using var generated = new ConstantHeavyLoss();
        using var compiled = LossCompiler.Compile(ConstantHeavyLoss.Source);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            using var pred = FixedInputs.ToTensor(x, new long[] { 2, 1, 3, 4 }, dtype);
            using var target = FixedInputs.ToTensor(t, new long[] { 2, 1, 3, 4 }, dtype);
            using var a = generated.call(pred, target);
            using var b = compiled.call(pred, target);
            Assert.Equal(a.ToDouble(), b.ToDouble());
        }
    }

    [Fact]
    public void Terms_are_reported_by_name()
    {
        var (x, t) = FixedInputs.Binary(1, 1, 4, 4);
        using var pred = FixedInputs.ToTensor(x, new long[] { 1, 1, 4, 4 }, ScalarType.Float64);
        using var target = FixedInputs.ToTensor(t, new long[] { 1, 1, 4, 4 }, ScalarType.Float64);
        using var loss = LossCompiler.Compile("dice + jaccard + dice(smooth: 0.5)");
        using var terms = loss.Terms(pred, target);

        Assert.Equal(new[] { "dice", "jaccard", "dice_2" }, terms.Keys);
        Tolerance.Close(ReferenceFormulas.DiceWithLogits(x, t, 1, 1).Value, terms["dice"].ToDouble(), Tolerance.Float64, "dice");
        Tolerance.Close(ReferenceFormulas.IouWithLogits(x, t, 1, 1).Value, terms["jaccard"].ToDouble(), Tolerance.Float64, "jaccard");
        Tolerance.Close(ReferenceFormulas.DiceWithLogits(x, t, 1, 1, smooth: 0.5).Value, terms["dice_2"].ToDouble(), Tolerance.Float64, "dice_2");
        Assert.Matches(@"^total=\d\.\d+ dice=\d\.\d+ jaccard=\d\.\d+ dice_2=\d\.\d+$", terms.ToString());
    }

    [Fact]
    public void Bad_text_throws_with_the_generators_diagnostics()
    {
        var error = Assert.Throws<LossCompileException>(() => LossCompiler.Compile("bce + ioo + dice(smooth: -1)"));

        Assert.Collection(
            error.Diagnostics,
            d => Assert.Equal(new LossDiagnosticInfo("LOSS0100", LossDiagnosticSeverity.Error, "Unknown loss 'ioo'; did you mean 'iou'?", 6, 3, 1, 7), d),
            d => Assert.Equal(new LossDiagnosticInfo("LOSS0105", LossDiagnosticSeverity.Error, "Parameter 'smooth' of 'dice' must be a number ≥ 0, not -1", 25, 2, 1, 26), d));
        Assert.Equal(
            "The loss \"bce + ioo + dice(smooth: -1)\" has 2 error(s):" + Environment.NewLine
            + "  (1,7): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?" + Environment.NewLine
            + "  (1,26): error LOSS0105: Parameter 'smooth' of 'dice' must be a number ≥ 0, not -1",
            error.Message);
    }

    [Fact]
    public void The_same_text_gives_the_same_diagnostic_in_the_generator()
    {
        const string Text = "bce + ioo + dice(smooth: -1)";
        var runtime = Assert.Throws<LossCompileException>(() => LossCompiler.Compile(Text)).Diagnostics;
        var (result, _) = GeneratorHarness.Run($$"""
            [LossDsl.Loss("{{Text}}")]
            public sealed partial class L;
            """);
        var literalStart = "[LossDsl.Loss(\"".Length;
        var generated = Assert.Single(result.Results).Diagnostics;

        Assert.Equal(
            runtime.Select(d => (d.Id, d.Message, d.Start, d.Length)),
            generated.Select(d => (d.Id, d.GetMessage(), d.Location.SourceSpan.Start - literalStart, d.Location.SourceSpan.Length)));
    }

    [Fact]
    public void A_loss_file_compiles_at_run_time_like_in_the_generator()
    {
        var losses = LossCompiler.CompileFile("""
            // two losses, one using the other
            loss Base = bce + iou;
            loss Deep = Base + 0.5 * dice + dice;
            """);

        Assert.Equal(new[] { "Base", "Deep" }, losses.Keys.Order());
        Assert.Equal(new[] { "bce", "iou", "dice", "dice_2" }, losses["Deep"].TermNames);
        var warning = Assert.Single(losses["Deep"].Warnings);
        Assert.Equal(("LOSS0902", 3, 33), (warning.Id, warning.Line, warning.Column));
        Assert.Empty(losses["Base"].Warnings);

        var (x, t) = FixedInputs.Binary(2, 1, 3, 4);
        var (deep, _) = Run(losses["Deep"], x, t, new long[] { 2, 1, 3, 4 });
        var expected = ReferenceFormulas.BceWithLogits(x, t).Value + ReferenceFormulas.IouWithLogits(x, t, 2, 1).Value
            + (1.5 * ReferenceFormulas.DiceWithLogits(x, t, 2, 1).Value);
        Tolerance.Close(expected, deep, Tolerance.Float64, "Deep");
    }

    [Fact]
    public void Errors_in_a_loss_file_carry_line_and_column()
    {
        var error = Assert.Throws<LossCompileException>(() => LossCompiler.CompileFile("loss A = bce;\nloss B = ioo;"));
        Assert.Equal("(2,10): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?", Assert.Single(error.Diagnostics).ToString());
    }

    [Fact]
    public void Invalid_options_are_diagnostics_too()
    {
        var error = Assert.Throws<LossCompileException>(() => LossCompiler.Compile("bce", new LossOptions { IgnoreIndex = 255 }));
        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal("LOSS0303", diagnostic.Id);
        Assert.Equal("An ignore index applies to label targets only; a mask has no class index to ignore", diagnostic.Message);
        // It is about a setting, not characters of the text, and says which.
        Assert.Equal(nameof(LossOptions.IgnoreIndex), diagnostic.Setting);
        Assert.Equal((0, 0), (diagnostic.Start, diagnostic.Length));

        var text = Assert.Throws<LossCompileException>(() => LossCompiler.Compile("ioo")).Diagnostics.Single();
        Assert.Null(text.Setting);
    }

    private static (double Value, double[] Gradient) Run(nn.Module<Tensor, Tensor, Tensor> loss, double[] x, double[] t, long[] shape)
    {
        using var pred = FixedInputs.ToTensor(x, shape, ScalarType.Float64, requiresGrad: true);
        using var target = FixedInputs.ToTensor(t, shape, ScalarType.Float64);
        using var value = loss.call(pred, target);
        value.backward();
        return (value.ToDouble(), FixedInputs.ToArray(pred.grad!));
    }
}

[Loss("3 / (bce + 1) + pow(dice + 1, 0.5) - 2 / (iou + 0.5) + pow(2, tversky)")]
public sealed partial class ConstantHeavyLoss;
