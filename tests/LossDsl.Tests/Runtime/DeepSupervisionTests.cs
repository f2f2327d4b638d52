using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

[Loss("bce + iou", Levels = 3, Resize = LossResize.Pred)]
public sealed partial class ThreeLevelBasNetLoss;

[Loss("ce + dice", Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255, Levels = LossLevels.FromCall, LevelWeights = LossLevelWeights.Exp)]
public sealed partial class DeepOrganLoss;

/// <summary>
/// Deep supervision at run time: the inputs a deep loss takes and refuses, the level weights, the term names, and the
/// nearest-exact resize of targets against its definition. (The reference fixtures check the values and gradients.)
/// </summary>
public sealed class DeepSupervisionTests
{
    [Fact]
    public void The_generated_call_takes_the_levels_as_a_list_and_agrees_with_the_compiled_loss()
    {
        using var scope = NewDisposeScope();
        var preds = Preds(1, (8, 8), (4, 4), (2, 2));
        var target = Mask(8, 8);
        using var generated = new ThreeLevelBasNetLoss();
        using var compiled = LossCompiler.Compile("bce + iou", new LossOptions { Levels = new LossLevels(3) { Resize = LossResize.Pred } });

        var byCall = generated.call(preds, target).ToDouble();
        using var terms = generated.Terms(preds, target);

        Tolerance.Close(compiled.call(new LossInputs(preds, target)).ToDouble(), byCall, 1e-12, "generated against compiled");
        Assert.Equal(["level0/bce", "level0/iou", "level1/bce", "level1/iou", "level2/bce", "level2/iou"], terms.Keys);
        Assert.Equal([1.0, 1.0, 1.0], terms.LevelWeights);
        Assert.Equal(3, terms.Levels.Count);
        Tolerance.Close(terms["level1/iou"].ToDouble(), terms.Levels[1].Iou.ToDouble(), 0, "typed level terms");
        Tolerance.Close(byCall, terms.Levels.Sum(l => l.Bce.ToDouble() + l.Iou.ToDouble()), 1e-12, "BASNet: the sum of every level's loss");
    }

    [Fact]
    public void Levels_from_the_call_weigh_level_k_by_the_exp_rule()
    {
        using var scope = NewDisposeScope();
        // Six levels at the target's size: nothing is resized, so level k is the one-level loss of pred_k.
        var preds = Preds(3, (4, 4), (4, 4), (4, 4), (4, 4), (4, 4), (4, 4));
        var target = Labels(4, 4);
        using var deep = new DeepOrganLoss();
        using var single = LossCompiler.Compile("ce + dice", new LossOptions { Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255 });

        var expected = preds.Select((pred, k) => Math.Max(Math.Pow(0.5, k), 0.0625) * single.call(pred, target).ToDouble()).Sum();

        Tolerance.Close(expected, deep.call(preds, target).ToDouble(), 1e-12, "Σ max(0.5^k, 1/16) · loss(pred_k)");
        using var terms = deep.Terms(preds, target);
        Assert.Equal([1, 0.5, 0.25, 0.125, 0.0625, 0.0625], terms.LevelWeights);
    }

    [Fact]
    public void A_deep_loss_refuses_another_number_of_predictions_and_a_side_output_of_other_classes()
    {
        using var scope = NewDisposeScope();
        using var loss = new ThreeLevelBasNetLoss();
        var target = Mask(8, 8);

        var tooFew = Assert.Throws<ArgumentException>(() => loss.call(Preds(1, (8, 8), (4, 4)), target));
        Assert.StartsWith("ThreeLevelBasNetLoss: the loss takes 3 predictions (the main output, then its side outputs), as it declares, not 2", tooFew.Message);

        var classes = Assert.Throws<ArgumentException>(() => loss.call([.. Preds(1, (8, 8), (4, 4)), randn(2, 2, 2, 2, dtype: ScalarType.Float64)], target));
        Assert.StartsWith("ThreeLevelBasNetLoss: level 2's prediction is [2, 2, 2, 2], but side outputs share the main output's batch, classes and rank: [2, 1, *, *]", classes.Message);

        using var plain = LossCompiler.Compile("bce + iou");
        var undeclared = Assert.Throws<ArgumentException>(() => plain.call(new LossInputs(Preds(1, (8, 8), (4, 4)), target)));
        Assert.StartsWith("loss: the loss takes one prediction, not 2; declare side outputs for deep supervision ('levels 2' after pred's shape", undeclared.Message);
    }

    [Fact]
    public void A_list_of_weights_fixes_the_count_taken_from_the_call()
    {
        using var scope = NewDisposeScope();
        using var loss = LossCompiler.Compile("bce", new LossOptions { Levels = new LossLevels(null) { WeightList = [1, 0.5] } });

        var error = Assert.Throws<ArgumentException>(() => loss.call(new LossInputs(Preds(1, (4, 4), (2, 2), (1, 1)), Mask(4, 4))));
        Assert.StartsWith("loss: the loss takes 2 predictions (the main output, then its side outputs), as its 2 level weights give, not 3", error.Message);
    }

    [Fact]
    public void A_map_that_does_not_fit_the_target_is_refused_before_any_level_resizes_it()
    {
        using var scope = NewDisposeScope();
        using var loss = LossCompiler.Compile("bce + dice", new LossOptions { Levels = new LossLevels(2), ValidMask = LossPixelMap.PerPixel });
        // A mask of the side output's size would fit level 1 after a resize; it is the target's size that counts.
        var inputs = new LossInputs(Preds(1, (8, 8), (4, 4)), Mask(8, 8)) { ValidMask = ones(2, 1, 4, 4, dtype: ScalarType.Float64) };

        var error = Assert.Throws<ArgumentException>(() => loss.call(inputs));
        Assert.StartsWith("loss: the valid mask is [2, 1, 4, 4]; its spatial size must be the target's, [8, 8], and every level's is resized from it.", error.Message);

        var target = Assert.Throws<ArgumentException>(() => loss.call(new LossInputs(Preds(1, (8, 8), (4, 4)), ones(8, 8, dtype: ScalarType.Float64)) { ValidMask = ones(2, 1, 8, 8) }));
        Assert.StartsWith("loss: the target is [8, 8]; beside the main output [2, 1, 8, 8] it must be [N, *spatial] or [N, C, *spatial] with N = 2.", target.Message);
    }

    [Fact]
    public void A_declared_stride_refuses_side_outputs_in_another_order()
    {
        using var scope = NewDisposeScope();
        using var loss = LossCompiler.Compile("bce + iou", new LossOptions { Levels = new LossLevels(3) { Stride = 2 } });
        var target = Mask(8, 8);

        Assert.True(double.IsFinite(loss.call(new LossInputs(Preds(1, (8, 8), (4, 4), (2, 2)), target)).ToDouble()));
        var error = Assert.Throws<ArgumentException>(() => loss.call(new LossInputs(Preds(1, (8, 8), (2, 2), (4, 4)), target)));
        Assert.StartsWith("loss: level 1's prediction is [2, 1, 2, 2], but with stride 2 its spatial size is [4, 4]: the main output first, then each side output 2 times smaller than the one before.", error.Message);
    }

    [Theory]
    [InlineData(8, 3)]
    [InlineData(7, 3)]
    [InlineData(5, 8)]
    [InlineData(3, 1)]
    public void Nearest_exact_reads_floor_of_i_plus_half_times_in_over_out(int input, int output)
    {
        using var scope = NewDisposeScope();
        // Labels [N, H, W] with values that name their position, an ignore label among them.
        var labels = arange(2 * input * input, dtype: ScalarType.Int64).reshape(2, input, input);
        labels[0, 0, 0] = tensor(255L);

        var resized = Kernels.Resize.NearestExact(labels, [output, output]);

        Assert.Equal(ScalarType.Int64, resized.dtype);
        Assert.Equal(new long[] { 2, output, output }, resized.shape);
        for (var n = 0; n < 2; n++)
        {
            for (var i = 0; i < output; i++)
            {
                for (var j = 0; j < output; j++)
                {
                    var si = Math.Min((int)Math.Floor((i + 0.5) * input / output), input - 1);
                    var sj = Math.Min((int)Math.Floor((j + 0.5) * input / output), input - 1);
                    Assert.Equal(labels[n, si, sj].ToInt64(), resized[n, i, j].ToInt64());
                }
            }
        }
    }

    private static Tensor[] Preds(int classes, params (int H, int W)[] sizes)
    {
        var generator = new TorchSharp.torch.Generator(7);
        return sizes.Select(s => randn([2, classes, s.H, s.W], dtype: ScalarType.Float64, generator: generator)).ToArray();
    }

    private static Tensor Mask(int h, int w) => (randn([2, 1, h, w], dtype: ScalarType.Float64, generator: new TorchSharp.torch.Generator(11)) > 0).to_type(ScalarType.Float64);

    private static Tensor Labels(int h, int w)
    {
        var labels = randint(0, 3, [2, h, w], generator: new TorchSharp.torch.Generator(13));
        labels[0, 0, 0] = tensor(255L);
        return labels;
    }
}
