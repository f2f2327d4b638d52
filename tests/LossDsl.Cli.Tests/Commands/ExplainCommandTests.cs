using LossDsl.Cli.Tests.Support;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>
/// <c>lossdsl explain</c>: the plan's shared steps, terms and pass estimates. The expected texts follow today's planner
/// and kernels (docs/cli.md explains the counts); when those change, update each test's one expected text.
/// </summary>
public sealed class ExplainCommandTests
{
    [Fact]
    public void Dice_iou_and_tversky_share_one_statistics_step_on_the_logits_and_bce_reads_them_too()
    {
        const string expected =
            """
            loss: bce + dice + iou + tversky
            signature: pred: logits[N, 1, H, W], target: mask[N, 1, H, W]

            shared steps, each computed once per forward pass, in this order:
              step           kernel                                             passes  used by
              t              Inputs.Mask(pred, target)                               0  bce, dice, iou, tversky
              stats, bceSum  RegionStatistics.ComputeWithCrossEntropy(pred, t)      12  bce, dice, iou, tversky
              groupStats     RegionStatistics.AcrossGroup(stats)                     0  dice, iou, tversky

            terms:
              term     kernel                                         passes  computes
              bce      PixelLosses.MeanOverAllElements(bceSum, pred)       0  bce(pos_weight: 1, label_smoothing: 0, mean_over: kept)
              dice     RegionLosses.Dice(groupStats)                       0  dice(smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto)
              iou      RegionLosses.Iou(groupStats)                        0  iou(smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto)
              tversky  RegionLosses.Tversky(groupStats)                    0  tversky(alpha: 0.5, beta: 0.5, smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, activation: auto, gamma: 1)

            across a data-parallel group (LossModule.Group), each process sends per forward pass:
              value       sums across the group                           numbers
              groupStats  TP, P and T of stats, per channel               3
              bce         its sum over the kept elements and their count  2
              dice        nothing more: computed from groupStats          0
              iou         nothing more: computed from groupStats          0
              tversky     nothing more: computed from groupStats          0

            total = bce + dice + iou + tversky
            forward: the total itself from RegionStatistics.TotalWithCrossEntropy, one autograd node, without a group and on the tensors its pass takes; Terms evaluates each term

            passes per forward pass: 12 (12 in shared steps, 0 in terms)
            with each term computing its own steps: 30; sharing saves 18
            on contiguous float32/float64 CPU tensors: 2 (stats, bceSum: one fused pass, 2 instead of 12)
            (a pass reads or writes one tensor of pred's size, [N, C, *spatial]; k/C counts k of [N, *spatial]; see docs/cli.md)
            """;

        var result = Lossdsl.Run("explain", "bce + dice + iou + tversky");

        Assert.Equal(new CliResult(0, expected + "\n", ""), result);
        Assert.DoesNotContain(result.StdoutLines, line => line.Contains("Probabilities.Sigmoid", StringComparison.Ordinal));
        Assert.Single(result.StdoutLines, line => line.Contains("RegionStatistics.ComputeWithCrossEntropy", StringComparison.Ordinal));
        // With a term the node does not compute, forward evaluates the terms.
        Assert.DoesNotContain(Lossdsl.Run("explain", "bce + dice + ssim(3)").StdoutLines, line => line.StartsWith("forward:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, "on contiguous float32/float64 CPU tensors: 2 (stats, focalSum: one fused pass, 2 instead of 38)")]
    // With a valid mask the node sums focal too, each element times the mask, which it reads per pixel or per element.
    [InlineData("pixel", "on contiguous float32/float64 CPU tensors: 2 + 5/C (stats, focalSum: one fused pass, 2 + 1/C instead of 42 + 1/C)")]
    [InlineData("channel", "on contiguous float32/float64 CPU tensors: 7 (stats, focalSum: one fused pass, 3 instead of 42 + 1/C)")]
    public void The_statistics_nodes_fused_cpu_pass_is_counted_on_a_line_of_its_own(string? valid, string line)
    {
        var arguments = new[] { "explain", "focal + dice", "--classes", "3" }.Concat(valid is null ? Array.Empty<string>() : new[] { "--valid", valid }).ToArray();
        var result = Lossdsl.Run(arguments);

        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.StdoutLines, l => l.StartsWith("on contiguous", StringComparison.Ordinal));
        Assert.Contains(line, result.StdoutLines);
    }

    [Theory]
    [InlineData("lovasz_hinge", "on contiguous float32/float64 CPU tensors: 40 (lovasz_hinge: a radix sort and one walk, 38 instead of 42)")]
    // A step's fused pass and a term's CPU path on one line, each saving its own passes.
    [InlineData("bce + dice + lovasz_hinge", "on contiguous float32/float64 CPU tensors: 40 (stats, bceSum: one fused pass, 2 instead of 12; lovasz_hinge: a radix sort and one walk, 38 instead of 42)")]
    public void A_terms_cpu_path_is_counted_on_the_same_line(string loss, string line)
    {
        var result = Lossdsl.Run("explain", loss);

        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.StdoutLines, l => l.StartsWith("on contiguous", StringComparison.Ordinal));
        Assert.Contains(line, result.StdoutLines);
    }

    [Fact]
    public void Labels_with_an_ignore_index_count_per_pixel_tensors_apart()
    {
        const string expected =
            """
            loss: ce + dice(include_background: false)
            signature: pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255

            shared steps, each computed once per forward pass, in this order:
              step          kernel                                                                     passes  used by
              labels        Inputs.Labels(pred, target)                                                   7/C  ce, dice
              valid         Inputs.Valid(pred, target)                                                    4/C  ce, dice
              stats, ceSum  RegionStatistics.ComputeFromLabelsWithCrossEntropy(pred, labels, valid)  8 + 22/C  ce, dice
              groupStats    RegionStatistics.AcrossGroup(stats)                                             0  dice

            terms:
              term  kernel                                                passes  computes
              ce    PixelLosses.MeanOverKeptPixels(ceSum, labels, valid)     1/C  ce(weight: none, label_smoothing: 0, mean_over: kept)
              dice  RegionLosses.Dice(groupStats)                              0  dice(smooth: 1, per_image: false, weight: none, include_background: false, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto)

            across a data-parallel group (LossModule.Group), each process sends per forward pass:
              value       sums across the group                           numbers
              groupStats  TP, P and T of stats, per channel               12
              ce          its sum over the kept elements and their count  2
              dice        nothing more: computed from groupStats          0

            total = ce + dice

            passes per forward pass: 8 + 34/C (8 + 33/C in shared steps, 1/C in terms)
            with each term computing its own steps: 9 + 46/C; sharing saves 1 + 12/C
            on contiguous float32/float64 CPU tensors: 1 + 15/C (stats, ceSum: one fused pass, 1 + 3/C instead of 8 + 22/C)
            (a pass reads or writes one tensor of pred's size, [N, C, *spatial]; k/C counts k of [N, *spatial]; see docs/cli.md)
            """;

        Assert.Equal(
            new CliResult(0, expected + "\n", ""),
            Lossdsl.Run("explain", "ce + dice(include_background: false)", "--labels", "--classes", "4", "--ignore-index", "255"));
    }

    [Fact]
    public void A_deep_supervised_loss_shows_its_levels_and_the_plan_each_level_runs()
    {
        const string expected =
            """
            loss: bce + iou
            signature: pred: logits[N, 1, H, W] levels 3 weights [1, 0.5, 0.25] resize pred, target: mask[N, 1, H, W]

            deep supervision, the plan below once per level:
              levels   3: the main output (level 0), then 2 side outputs
              weights  w_k = 1, 0.5, 0.25
              resize   each level's pred to the target's size, multilinear (align_corners=False)
              work     every level at the target's size: 3 times the passes below
              terms    named level{k}/{term}: level0/bce is the main output's bce

            shared steps, each computed once per level, in this order:
              step           kernel                                             passes  used by
              t              Inputs.Mask(pred, target)                               0  bce, iou
              stats, bceSum  RegionStatistics.ComputeWithCrossEntropy(pred, t)      12  bce, iou
              groupStats     RegionStatistics.AcrossGroup(stats)                     0  iou

            terms:
              term  kernel                                         passes  computes
              bce   PixelLosses.MeanOverAllElements(bceSum, pred)       0  bce(pos_weight: 1, label_smoothing: 0, mean_over: kept)
              iou   RegionLosses.Iou(groupStats)                        0  iou(smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto)

            across a data-parallel group (LossModule.Group), each process sends per level and forward pass:
              value       sums across the group                           numbers
              groupStats  TP, P and T of stats, per channel               3
              bce         its sum over the kept elements and their count  2
              iou         nothing more: computed from groupStats          0

            total_k = bce + iou
            total = Σ_k w_k · total_k

            passes per level, at the level's size: 12 (12 in shared steps, 0 in terms)
            with each term computing its own steps: 14; sharing saves 2
            on contiguous float32/float64 CPU tensors: 2 (stats, bceSum: one fused pass, 2 instead of 12)
            (a pass reads or writes one tensor of pred's size, [N, C, *spatial]; k/C counts k of [N, *spatial]; see docs/cli.md)
            """;

        Assert.Equal(
            new CliResult(0, expected + "\n", ""),
            Lossdsl.Run("explain", "bce + iou", "--levels", "3", "--level-weights", "1,0.5,0.25", "--resize", "pred"));
    }

    [Fact]
    public void Levels_taken_from_the_call_show_the_first_weights_of_the_rule()
    {
        var result = Lossdsl.Run("explain", "ce + dice", "--labels", "--levels", "call", "--level-weights", "exp");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("signature: pred: logits[N, C, H, W] levels K weights exp resize target, target: labels[N, H, W]", result.StdoutLines);
        Assert.Contains("  levels   as many as each call gives: the main output (level 0), then its side outputs", result.StdoutLines);
        Assert.Contains("  weights  w_k = 1, 0.5, 0.25, 0.125, 0.0625, ...", result.StdoutLines);
        Assert.Contains("  resize   the target (and any weight map and valid mask) to each level's size, nearest-exact", result.StdoutLines);
        Assert.Contains("  work     each level at its own size, which the call gives", result.StdoutLines);
    }

    [Theory]
    [InlineData("2", "1.328")]        // 1 + 1/4 + 1/16 + 1/64: four levels of an image, each half the side of the last
    [InlineData("3", "1.125")]        // 1 + 1/9 + 1/81 + 1/729, to three decimals
    public void A_stride_tells_what_the_smaller_levels_add(string stride, string factor)
    {
        var result = Lossdsl.Run("explain", "bce + iou", "--levels", "4", "--level-stride", stride);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"signature: pred: logits[N, 1, H, W] levels 4 weights same resize target stride {stride}, target: mask[N, 1, H, W]", result.StdoutLines);
        Assert.Contains($"  work     level k has 1/{stride}^k of each of the 2 spatial dims: {factor} times the passes below in all", result.StdoutLines);
    }

    [Fact]
    public void A_loss_file_explains_every_definition_with_its_own_signature()
    {
        const string expected =
            """
            loss BasNet = bce + ssim(11) + iou;
            signature: pred: logits[N, 1, H, W], target: mask[N, 1, H, W]

            constant buffers, built once when the module is constructed:
              buffer      kernel                                                used by
              ssimWindow  ConstantBuffers.GaussianWindow(size: 11, sigma: 1.5)  ssim

            shared steps, each computed once per forward pass, in this order:
              step        kernel                               passes  used by
              t           Inputs.Mask(pred, target)                 2  bce, ssim, iou
              p           Probabilities.Sigmoid(pred)               2  ssim, iou
              stats       RegionStatistics.Compute(p, t)            4  iou
              groupStats  RegionStatistics.AcrossGroup(stats)       0  iou

            terms:
              term  kernel                                             passes  computes
              bce   PixelLosses.BinaryCrossEntropyWithLogits(pred, t)       4  bce(pos_weight: 1, label_smoothing: 0, mean_over: kept)
              ssim  StructureLosses.Ssim(p, t, ssimWindow)                 85  ssim(window: 11, sigma: 1.5, data_range: 1, k1: 0.01, k2: 0.03, border: same, eps: 0)
              iou   RegionLosses.Iou(groupStats)                            0  iou(smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto)

            across a data-parallel group (LossModule.Group), each process sends per forward pass:
              value       sums across the group                           numbers
              groupStats  TP, P and T of stats, per channel               3
              bce         its sum over the kept elements and their count  2
              ssim        its sum over the images and their count         2
              iou         nothing more: computed from groupStats          0

            total = bce + ssim + iou

            passes per forward pass: 97 (8 in shared steps, 89 in terms)
            with each term computing its own steps: 103; sharing saves 6
            on contiguous float32/float64 CPU tensors: 95 (bce: one fused pass, 2 instead of 4)
            (a pass reads or writes one tensor of pred's size, [N, C, *spatial]; k/C counts k of [N, *spatial]; see docs/cli.md)

            loss Organ(pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255) = dice(include_background: false) + 0.5 * focal(gamma: 2);
            signature: pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255

            shared steps, each computed once per forward pass, in this order:
              step             kernel                                                              passes  used by
              labels           Inputs.Labels(pred, target)                                            7/C  dice, focal
              valid            Inputs.Valid(pred, target)                                             4/C  dice, focal
              stats, focalSum  RegionStatistics.ComputeFromLabelsWithFocal(pred, labels, valid)  8 + 36/C  dice, focal
              groupStats       RegionStatistics.AcrossGroup(stats)                                      0  dice

            terms:
              term   kernel                                                   passes  computes
              dice   RegionLosses.Dice(groupStats)                                 0  dice(smooth: 1, per_image: false, weight: none, include_background: false, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto)
              focal  PixelLosses.MeanOverKeptPixels(focalSum, labels, valid)     1/C  focal(gamma: 2, weight: none)

            across a data-parallel group (LossModule.Group), each process sends per forward pass:
              value       sums across the group                           numbers
              groupStats  TP, P and T of stats, per channel               12
              dice        nothing more: computed from groupStats          0
              focal       its sum over the kept elements and their count  2

            total = dice + 0.5 * focal

            passes per forward pass: 8 + 48/C (8 + 47/C in shared steps, 1/C in terms)
            with each term computing its own steps: 11 + 60/C; sharing saves 3 + 12/C
            on contiguous float32/float64 CPU tensors: 1 + 15/C (stats, focalSum: one fused pass, 1 + 3/C instead of 8 + 36/C)
            (a pass reads or writes one tensor of pred's size, [N, C, *spatial]; k/C counts k of [N, *spatial]; see docs/cli.md)
            """;

        using var folder = new TempFolder();
        Assert.Equal(new CliResult(0, expected + "\n", ""), Lossdsl.Run("explain", folder.WriteText("segmentation.loss", EmitCommandTests.SegmentationFile)));
    }

    [Fact]
    public void Loss_text_with_errors_prints_the_diagnostics_on_stderr_and_exits_1()
    {
        Assert.Equal(
            new CliResult(1, "", "(1,1): error LOSS0200: 'bce' needs a mask target, but the target is multiclass labels\n  bce\n  ^^^\n"),
            Lossdsl.Run("explain", "bce", "--labels", "--classes", "3"));
    }

    [Fact]
    public void A_missing_loss_file_exits_2()
    {
        using var folder = new TempFolder();
        var missing = folder.File("missing.loss");

        Assert.Equal(new CliResult(2, "", $"lossdsl: loss file '{missing}' does not exist.\n"), Lossdsl.Run("explain", missing));
    }

    [Fact]
    public void Signature_options_do_not_apply_to_a_loss_file()
    {
        using var folder = new TempFolder();
        var path = folder.WriteText("segmentation.loss", EmitCommandTests.SegmentationFile);

        Assert.Equal(
            new CliResult(2, "", $"lossdsl: --probabilities applies to loss text; the .loss file '{path}' declares each loss's name and signature.\n"),
            Lossdsl.Run("explain", path, "--probabilities"));
    }
}
