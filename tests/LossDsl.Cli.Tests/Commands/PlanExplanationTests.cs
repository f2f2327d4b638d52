using LossDsl.Language;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>The model behind <c>lossdsl explain</c>: what each step reads, which terms depend on it, and the pass totals.</summary>
public sealed class PlanExplanationTests
{
    private static readonly LossSignature Mask = LossSignature.Default;

    [Fact]
    public void Steps_list_what_they_read_and_every_term_that_depends_on_them_directly_or_through_other_steps()
    {
        var plan = Explain("bce + dice + iou + tversky");

        Assert.Equal(
            new[]
            {
                ("t", "Inputs.Mask", "pred, target", "bce, dice, iou, tversky"),
                ("stats, bceSum", "RegionStatistics.ComputeWithCrossEntropy", "pred, t", "bce, dice, iou, tversky"),
                ("groupStats", "RegionStatistics.AcrossGroup", "stats", "dice, iou, tversky"),
            },
            plan.Steps.Select(s => (s.Local, s.Call.Kernel, string.Join(", ", s.Reads), string.Join(", ", s.Users))));
        Assert.Equal(
            new[] { ("bce", "bceSum, pred"), ("dice", "groupStats"), ("iou", "groupStats"), ("tversky", "groupStats") },
            plan.Terms.Select(t => (t.Name, string.Join(", ", t.Reads))));
        Assert.Equal("tversky(alpha: 0.5, beta: 0.5, smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, activation: auto, gamma: 1)", plan.Terms[3].Canonical);
    }

    [Fact]
    public void The_total_counts_each_step_once_and_the_unshared_total_once_per_term_that_needs_it()
    {
        var plan = Explain("bce + dice + iou + tversky");
        PassCount Step(string local) => plan.Steps.Single(s => s.Local == local).Passes;
        PassCount Term(string name) => plan.Terms.Single(t => t.Name == name).Passes;

        Assert.Equal(
            Step("t") + Step("stats, bceSum") + Step("groupStats") + Term("bce") + Term("dice") + Term("iou") + Term("tversky"),
            plan.Passes);
        // Unshared: every term planned on its own (bce alone runs libtorch's fused kernel, not the statistics node).
        Assert.Equal(
            Explain("bce").Passes + Explain("dice").Passes + Explain("iou").Passes + Explain("tversky").Passes,
            plan.UnsharedPasses);
        // Alone, bce's checked target makes the value checks (2 passes); beside region terms the statistics node does.
        var alone = Explain("bce");
        Assert.Equal(alone.Steps.Single(s => s.Local == "t").Passes + alone.Terms.Single().Passes, alone.Passes);
        Assert.Equal(new PassCount(2, 0), alone.Steps.Single(s => s.Local == "t").Passes - Step("t"));
    }

    [Fact]
    public void Constant_buffers_are_listed_with_the_terms_that_read_them()
    {
        var plan = Explain("bce + ssim(11) + ssim(7)");

        Assert.Equal(
            new[] { ("ssimWindow", "ssim"), ("ssimWindow2", "ssim_2") },
            plan.Buffers.Select(b => (b.Local, string.Join(", ", b.Users))));
        Assert.Equal(new[] { "p", "t", "ssimWindow2" }, plan.Terms[2].Reads);
    }

    [Fact]
    public void Labels_with_an_ignore_index_read_the_valid_pixels()
    {
        var plan = Explain("ce + dice", new LossSignature(InputKind.Logits, TargetKind.Labels, 4, 255, LossSignature.DefaultSpatial));

        // The checked labels come first; the statistics node adds into the classes by them and sums ce: no one-hot map.
        Assert.Equal(new[] { "labels", "valid", "stats, ceSum", "groupStats" }, plan.Steps.Select(s => s.Local));
        Assert.Equal("ce, dice", string.Join(", ", plan.Steps.Single(s => s.Local == "valid").Users));
        Assert.Equal("ce, dice", string.Join(", ", plan.Steps.Single(s => s.Local == "labels").Users));
        Assert.Equal(new[] { "ceSum", "labels", "valid" }, plan.Terms[0].Reads);
        Assert.Equal("pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255", plan.Signature);
    }

    [Theory]
    [InlineData("bce + 0.5 * dice", "bce + 0.5 * dice")]
    [InlineData("2 * 0.5 * dice + iou / 4", "dice + 0.25 * iou")]
    [InlineData("bce - (dice - iou)", "bce - (dice - iou)")]
    [InlineData("(bce - dice) - iou", "bce - dice - iou")]
    [InlineData("-(bce + dice)", "-(bce + dice)")]
    [InlineData("-bce", "-bce")]
    [InlineData("(bce + dice) * iou", "(bce + dice) * iou")]
    [InlineData("bce / (dice * iou)", "bce / (dice * iou)")]
    [InlineData("log(dice) + pow(iou, 2) + 1e-6 * bce", "log(dice) + pow(iou, 2) + 1e-06 * bce")]
    public void The_total_is_the_folded_expression_in_loss_syntax(string text, string total)
    {
        var explained = Explain(text);

        Assert.Equal(total, explained.Total);

        // It reads back as the same loss.
        Assert.Equal(total, Explain(total).Total);
    }

    [Fact]
    public void The_group_section_lists_the_summed_statistics_and_what_each_term_sends()
    {
        var plan = Explain("dice(per_image: true) + iou + topk + ce(weight: [1, 2, 3, 4], label_smoothing: 0.1)", new LossSignature(InputKind.Logits, TargetKind.Labels, 4, 255, LossSignature.DefaultSpatial));

        Assert.Equal(
            new[]
            {
                ("groupStats", "TP, P and T of stats, per channel", "12"),
                ("dice", "its sum over the images and their count", "2"),
                ("iou", "nothing more: computed from groupStats", "0"),
                ("topk", "cannot: the k % largest pixel losses of the batch are not the k % largest of each process's shard", "-"),
                ("ce", "its sum and its denominator (the kept pixels, or their class weights)", "2"),
            },
            plan.Group.Select(g => (g.What, g.How, g.Numbers)));
        Assert.Equal("3·C", Explain("dice", new LossSignature(InputKind.Logits, TargetKind.Labels, null, null, LossSignature.DefaultSpatial)).Group[0].Numbers);
    }

    [Fact]
    public void A_loss_file_definition_is_shown_on_one_line()
    {
        var file = LossFrontEnd.CompileFile("loss Organ(target: labels[N, H, W])\n    = dice\n    + ce;\n");

        Assert.Equal("loss Organ(target: labels[N, H, W]) = dice + ce;", PlanExplanation.Explain(Assert.Single(file.Losses).Plan!).Text);
    }

    private static ExplainedPlan Explain(string text, LossSignature? signature = null)
    {
        var compilation = LossFrontEnd.Compile("Test", text, signature ?? Mask);
        Assert.True(compilation.Success, string.Join("; ", compilation.Diagnostics.Select(d => d.Message)));
        return PlanExplanation.Explain(compilation.Plan!);
    }
}
