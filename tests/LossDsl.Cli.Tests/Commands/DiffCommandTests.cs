using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using LossDsl.Cli.Tests.Support;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>
/// <c>lossdsl diff</c>: what a reviewer sees when a loss changes. The plan part is pinned whole; of the generated code's
/// unified diff, the lines that carry the change.
/// </summary>
public sealed class DiffCommandTests
{
    [Fact]
    public void A_weight_change_is_reported_as_the_terms_weight_and_the_new_total()
    {
        var result = Lossdsl.Run("diff", "bce + 0.5 * dice", "bce + 2 * dice");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(
            """
            loss Loss: changed
              terms:
                   term  change
                ~  dice  weight 0.5 → 2
              total: bce + 0.5 * dice → bce + 2 * dice

            --- a/Loss.g.cs
            +++ b/Loss.g.cs

            """,
            result.Stdout);
        Assert.Contains("\n-        var total = bce + 0.5 * dice;\n+        var total = bce + 2.0 * dice;\n", result.Stdout);
    }

    [Fact]
    public void An_added_term_is_listed_with_its_arguments_and_joins_the_steps_it_shares()
    {
        var result = Lossdsl.Run("diff", "bce + dice", "bce + dice + 0.5 * iou");

        Assert.StartsWith(
            """
            loss Loss: changed
              terms:
                   term  change
                +  iou   iou(smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto), weight 0.5
              total: bce + dice → bce + dice + 0.5 * iou
              shared steps:
                   step           kernel                                                                                                                                                    used by
                ~  t              Inputs.Mask(loss: "Loss", pred, target, classes: 1, spatialRank: 2, checkValues: false)                                                                   bce, dice → bce, dice, iou
                ~  stats, bceSum  RegionStatistics.ComputeWithCrossEntropy(pred, t, valid: none, pixelWeight: none, perImage: false, posWeight: 1, regionTerms: [Dice, Iou], loss: "Loss")  bce, dice → bce, dice, iou
                ~  groupStats     RegionStatistics.AcrossGroup(stats)                                                                                                                       dice → dice, iou

            """,
            result.Stdout);
        Assert.Contains("\n+        var iou = global::LossDsl.Kernels.RegionLosses.Iou(statistics: groupStats, squaredPred: false, smoothNumerator: 1.0, smoothDenominator: 1.0, log: false, zeroWhenEmpty: false, micro: false, softLabel: false, weight: null, includeBackground: true);\n", result.Stdout);
        // No new pass over the data: iou reads the statistics dice already needed.
        Assert.DoesNotContain("passes per forward pass", result.Stdout);
    }

    [Fact]
    public void A_changed_argument_names_the_parameter_even_where_the_text_used_a_default()
    {
        var result = Lossdsl.Run("diff", "bce + ssim(11) + iou", "bce + ssim(7, sigma: 1) + iou");

        Assert.StartsWith(
            """
            loss Loss: changed
              terms:
                   term  change
                ~  ssim  window: 11 → 7, sigma: 1.5 → 1

            """,
            result.Stdout);
        Assert.Contains("\n-        ssimWindow = global::LossDsl.Kernels.ConstantBuffers.GaussianWindow(size: 11, sigma: 1.5);", result.Stdout);
        Assert.Contains("\n+        ssimWindow = global::LossDsl.Kernels.ConstantBuffers.GaussianWindow(size: 7, sigma: 1.0);", result.Stdout);
    }

    [Fact]
    public void Removing_ssim_loses_the_shared_sigmoid_and_bce_joins_the_statistics_pass()
    {
        var result = Lossdsl.Run("diff", "bce + ssim(11) + iou", "bce + iou");

        Assert.StartsWith(
            """
            loss Loss: changed
              terms:
                   term  change
                -  ssim  ssim(window: 11, sigma: 1.5, data_range: 1, k1: 0.01, k2: 0.03, border: same, eps: 0)
              total: bce + ssim + iou → bce + iou
              shared steps:
                   step           kernel                                                                                                                                              used by
                ~  t              Inputs.Mask(loss: "Loss", pred, target, classes: 1, spatialRank: 2, checkValues: false)                                                             bce, ssim, iou → bce, iou
                -  p              Probabilities.Sigmoid(pred)                                                                                                                         ssim, iou
                -  stats          RegionStatistics.Compute(p, t, valid: none, pixelWeight: none, perImage: false)                                                                     iou
                +  stats, bceSum  RegionStatistics.ComputeWithCrossEntropy(pred, t, valid: none, pixelWeight: none, perImage: false, posWeight: 1, regionTerms: [Iou], loss: "Loss")  bce, iou
              passes per forward pass: 97 → 12

            """,
            result.Stdout);
    }

    [Fact]
    public void Equal_losses_are_unchanged_and_print_no_code()
    {
        Assert.Equal(new CliResult(0, "loss Loss: unchanged\n", ""), Lossdsl.Run("diff", "bce + 0.5 * dice", "bce + 0.5 * dice"));
    }

    [Fact]
    public void Respelling_the_same_loss_is_an_unchanged_plan_and_the_code_diff_is_left_out()
    {
        Assert.Equal(
            new CliResult(0, "loss Loss: unchanged plan (only the loss text's spelling differs, and the generated code's comments with it)\n", ""),
            Lossdsl.Run("diff", "bce + 0.5 * dice", "bce+0.5*dice(smooth: 1)"));
    }

    [Fact]
    public void Json_holds_the_same_changes_for_bots()
    {
        var result = Lossdsl.Run("diff", "bce + 0.5 * dice", "bce + dice(smooth: 0) + iou", "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        var loss = Assert.Single(json.RootElement.GetProperty("losses").EnumerateArray());
        Assert.Equal("changed", loss.GetProperty("change").GetString());
        var terms = loss.GetProperty("terms").EnumerateArray().ToList();
        Assert.Equal(["dice", "iou"], terms.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["changed", "added"], terms.Select(t => t.GetProperty("change").GetString()));
        var argument = Assert.Single(terms[0].GetProperty("arguments").EnumerateArray());
        Assert.Equal(("smooth", "1", "0"), (argument.GetProperty("parameter").GetString(), argument.GetProperty("old").GetString(), argument.GetProperty("new").GetString()));
        Assert.Equal((0.5, 1.0), (terms[0].GetProperty("oldWeight").GetDouble(), terms[0].GetProperty("newWeight").GetDouble()));
        Assert.Equal("bce + dice + iou", loss.GetProperty("total").GetProperty("new").GetString());
        Assert.StartsWith("--- a/Loss.g.cs\n+++ b/Loss.g.cs\n@@ ", loss.GetProperty("codeDiff").GetString());
    }

    [Fact]
    public void A_nonlinear_total_shows_the_totals_and_no_weights()
    {
        var result = Lossdsl.Run("diff", "bce + log(dice + 1)", "bce + log(dice + 2)");

        Assert.StartsWith("loss Loss: changed\n  total: bce + log(dice + 1) → bce + log(dice + 2)\n\n--- a/Loss.g.cs\n", result.Stdout);
    }

    [Fact]
    public void Loss_files_are_matched_by_definition_name_and_a_git_revision_can_be_one_side()
    {
        using var folder = new TempFolder();
        var file = folder.WriteText("seg.loss", "loss Organ = bce + dice;\nloss Edge = bce + iou;\n");
        Git(folder.Path, "init", "-q");
        Git(folder.Path, "add", "seg.loss");
        Git(folder.Path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "first");
        File.WriteAllText(file, "loss Organ = bce + dice(smooth: 0.5);\nloss Vessel = bce + 0.5 * iou;\n");

        var result = Lossdsl.Run("diff", "HEAD:" + file, file);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith(
            """
            loss Organ: changed
              terms:
                   term  change
                ~  dice  smooth: 1 → 0.5

            """,
            result.Stdout);
        Assert.Contains(
            """

            loss Edge: removed
              terms:
                   term  change
                -  bce   bce(pos_weight: 1, label_smoothing: 0, mean_over: kept)
                -  iou   iou(smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto)

            loss Vessel: added
              terms:
                   term  change
                +  bce   bce(pos_weight: 1, label_smoothing: 0, mean_over: kept)
                +  iou   iou(smooth: 1, per_image: false, weight: none, include_background: true, log_loss: false, empty: score, average: macro, soft_label: false, squared_pred: false, activation: auto), weight 0.5

            """,
            result.Stdout);
        Assert.EndsWith("weight 0.5\n", result.Stdout);
    }

    [Fact]
    public void A_revision_that_does_not_exist_is_bad_input_with_gits_reason()
    {
        using var folder = new TempFolder();
        var file = folder.WriteText("seg.loss", "loss Organ = bce + dice;\n");
        Git(folder.Path, "init", "-q");

        var result = Lossdsl.Run("diff", "nosuchrev:" + file, file);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"lossdsl: 'nosuchrev:{file}' is not a .loss file at a git revision: ", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Errors_in_either_side_are_printed_as_check_prints_them()
    {
        var result = Lossdsl.Run("diff", "bce + dice", "bce + dcie");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error LOSS0100: Unknown loss 'dcie'; did you mean 'dice'?", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void The_example_in_docs_cli_md_is_what_the_command_prints()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "cli.md"));
        var example = Regex.Match(docs, "```\n\\$ lossdsl diff \"([^\"]+)\" \"([^\"]+)\"\n(.*?\n--- a/Loss.g.cs\n\\+\\+\\+ b/Loss.g.cs\n@@ [^\n]+\n)\\.\\.\\.\n```", RegexOptions.Singleline);
        Assert.True(example.Success, "docs/cli.md has no `lossdsl diff` example in the expected form");

        var result = Lossdsl.Run("diff", example.Groups[1].Value, example.Groups[2].Value);

        Assert.StartsWith(example.Groups[3].Value, result.Stdout);
    }

    private static void Git(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(" ", args)}: {error}");
    }
}
