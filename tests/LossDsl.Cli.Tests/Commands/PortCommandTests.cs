using System.Text.Json;
using LossDsl.Cli.Tests.Support;
using LossDsl.Tests.Docs;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>
/// <c>lossdsl port</c>: every call of docs/porting.md's tables becomes its row's text, for its row's inputs, with no
/// difference to report (the rows with fixtures are held to the peers' numbers by the fixture tests); calls with no
/// LossDsl form are refused with the reason; differences are listed and exit 4.
/// </summary>
public sealed class PortCommandTests
{
    public static TheoryData<PortingRow> Rows() => new(PortingTable.Rows);

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_call_of_the_porting_table_becomes_its_row(PortingRow row)
    {
        var result = Lossdsl.Run("port", row.Peer, "--classes", row.Options.Classes!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(row.Loss, root.GetProperty("loss").GetString());
        Assert.Equal(row.Options.Input == LossInput.Probabilities ? "probabilities" : "logits", root.GetProperty("input").GetString());
        Assert.Equal(row.Options.Target == LossTarget.Labels ? "labels" : "mask", root.GetProperty("target").GetString());
        Assert.Equal(row.Options.IgnoreIndex, root.GetProperty("ignore_index").ValueKind == JsonValueKind.Null ? null : root.GetProperty("ignore_index").GetInt32());
        Assert.Equal(row.Options.ValidMask != LossPixelMap.None, root.GetProperty("valid_mask").GetBoolean());
        Assert.True(root.GetProperty("exact").GetBoolean());
        Assert.Empty(root.GetProperty("differences").EnumerateArray());
    }

    [Theory]
    [InlineData("monai.losses.DiceCELoss(to_onehot_y=True, softmax=True, lambda_dice=0.5)", "4", 0)]
    [InlineData("monai.losses.DiceFocalLoss(softmax=True, to_onehot_y=True)", null, 2)]
    public void The_examples_in_docs_cli_md_are_what_the_command_prints(string call, string? classes, int exitCode)
    {
        var command = $"$ lossdsl port \"{call}\"" + (classes is null ? string.Empty : $" --classes {classes}") + "\n";
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "cli.md"));
        var start = docs.IndexOf(command, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/cli.md has no example of {command}");
        var body = docs[(start + command.Length)..];
        var example = body[..body.IndexOf($"[exit {exitCode}]\n", StringComparison.Ordinal)];

        var result = classes is null ? Lossdsl.Run("port", call) : Lossdsl.Run("port", call, "--classes", classes);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal(example, result.Stdout + result.Stderr);
    }

    [Fact]
    public void Notes_say_how_to_pass_the_inputs_and_differences_exit_4()
    {
        var onehot = Lossdsl.Run("port", "monai.losses.DiceLoss(sigmoid=True, to_onehot_y=True, squared_pred=True, reduction='sum')", "--classes", "3");

        Assert.Equal(4, onehot.ExitCode);
        Assert.Equal(
            [
                "loss:      dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05, squared_pred: true)",
                "note:      MONAI one-hot encodes the labels and applies a sigmoid per channel: pass one_hot(labels) as the mask target",
                "differs:   reduction='sum': LossDsl's loss is the mean; multiply by the element count if you need the sum",
                "exact:     no (see 'differs')",
            ],
            onehot.StdoutLines.Where(l => l.StartsWith("loss:", StringComparison.Ordinal) || l.StartsWith("note:", StringComparison.Ordinal)
                || l.StartsWith("differs:", StringComparison.Ordinal) || l.StartsWith("exact:", StringComparison.Ordinal)));

        // Without an activation MONAI's combined losses give Dice the raw values: ported, with the warning named.
        var raw = Lossdsl.Run("port", "monai.losses.DiceFocalLoss(gamma=1)", "--classes", "1");
        Assert.Equal(0, raw.ExitCode);
        Assert.Contains("loss:      dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05, activation: none) + focal(alpha: -1, gamma: 1)", raw.StdoutLines);
        Assert.Contains("note:      without sigmoid or softmax MONAI computes Dice on the raw values and the focal loss on them as logits; the text does the same, "
            + "and the compiler warns (LOSS0904): pass sigmoid=True or softmax=True in the PyTorch script if that was not meant", raw.StdoutLines);

        // MONAI's soft-label overlap sums |x|: beside tanh the text computes Σx, so the port says where they differ.
        var softTanh = Lossdsl.Run("port", "monai.losses.GeneralizedDiceLoss(to_onehot_y=True, other_act=torch.tanh, soft_label=True)", "--classes", "4");
        Assert.Equal(4, softTanh.ExitCode);
        Assert.Contains("loss:      generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true, activation: tanh, soft_label: true)", softTanh.StdoutLines);
        Assert.Contains("differs:   soft_label=True on tanh or raw values: MONAI's overlap sums |x| (a vector norm), LossDsl's sums x; they differ wherever x < 0",
            softTanh.StdoutLines);

        var relu = Lossdsl.Run("port", "monai.losses.DiceLoss(other_act=torch.relu)", "--classes", "3");
        Assert.Equal(4, relu.ExitCode);
        Assert.Contains("differs:   other_act=torch.relu: LossDsl's region terms read sigmoid, softmax, tanh or the raw values; apply it in the model and declare probabilities", relu.StdoutLines);

        var ignored = Lossdsl.Run("port", "smp.losses.DiceLoss(mode='multilabel', ignore_index=-1)", "--classes", "3");
        Assert.Equal(0, ignored.ExitCode);
        Assert.Contains("signature: pred: logits[N, 3, H, W], target: mask[N, 3, H, W], valid: mask[N, 3, H, W]", ignored.StdoutLines);
        Assert.Contains("note:      pass valid = (target != -1) as the loss's valid mask, and the target with those elements set to 0", ignored.StdoutLines);

        // kornia averages its binary focal loss over every element, ignored ones included as 0.
        var korniaIgnored = Lossdsl.Run("port", "kornia.losses.binary_focal_loss_with_logits(pred, target, reduction='mean', ignore_index=255)", "--classes", "1");
        Assert.Equal(4, korniaIgnored.ExitCode);
        Assert.Contains("signature: pred: logits[N, 1, H, W], target: mask[N, 1, H, W], valid: mask[N, 1, H, W]", korniaIgnored.StdoutLines);
        Assert.Contains("differs:   ignore_index: kornia zeroes the ignored elements' loss and still divides by every element; LossDsl's focal divides by the kept ones",
            korniaIgnored.StdoutLines);
    }

    [Theory]
    [InlineData("monai.losses.DiceFocalLoss(softmax=True, to_onehot_y=True)", "4",
        "monai.losses.DiceFocalLoss applies a sigmoid focal loss to each channel against the one-hot target whatever its Dice activation; LossDsl's focal on labels is the softmax focal loss")]
    [InlineData("smp.losses.FocalLoss('multiclass')", "4",
        "smp.losses.FocalLoss('multiclass') averages one-versus-rest sigmoid focal losses of each class's logits; LossDsl's focal on labels is the softmax focal loss")]
    [InlineData("smp.losses.SoftCrossEntropyLoss()", "4",
        "smp.losses.SoftCrossEntropyLoss needs smooth_factor: with the default None it raises a TypeError (None / C in label_smoothed_nll_loss)")]
    [InlineData("monai.losses.DiceLoss(sigmoid=True, other_act=torch.tanh)", "2", "monai.losses.DiceLoss: other_act with sigmoid or softmax; MONAI refuses them together too")]
    [InlineData("monai.losses.DiceLoss(sigmoid=True, softmax=True)", "2", "monai.losses.DiceLoss: sigmoid=True and softmax=True together; MONAI refuses them too")]
    [InlineData("monai.losses.DiceLoss(sigmod=True)", "2",
        "monai.losses.DiceLoss has no parameter 'sigmod'; it takes include_background, to_onehot_y, sigmoid, softmax, other_act, squared_pred, jaccard, reduction, smooth_nr, smooth_dr, batch, weight, soft_label")]
    [InlineData("monai.losses.SoftclDiceLoss()", "1",
        "monai.losses.SoftclDiceLoss drops channel 0, so on one channel it is always 0 (MONAI issue #8239); write cldice on the mask itself")]
    [InlineData("monai.losses.SoftDiceclDiceLoss()", "3",
        "monai.losses.SoftDiceclDiceLoss pools its Dice over every channel but 0 into one ratio; LossDsl's dice averages per channel, which is the same only for C = 2")]
    [InlineData("DiceLoss()", "2", "'DiceLoss': name the library, for example kornia.losses.DiceLoss or monai.losses.DiceLoss or smp.losses.DiceLoss")]
    [InlineData("monai.losses.DiceLoss(sigmoid=True", "2", "expected ',' or ')' at column 35 of 'monai.losses.DiceLoss(sigmoid=True'")]
    [InlineData("kornia.losses.dice_loss(pred, target, average='micro', weight=torch.tensor([1, 2]))", "2",
        "kornia.losses.dice_loss(average='micro', weight=...) weighs p and the one-hot target before pooling (w² in the intersection); LossDsl has no such form")]
    public void Calls_without_a_LossDsl_form_are_refused_with_the_reason(string call, string classes, string message)
    {
        Assert.Equal(new CliResult(2, string.Empty, $"cannot port: {message}\n"), Lossdsl.Run("port", call, "--classes", classes));
    }

    [Fact]
    public void A_translation_that_depends_on_the_channel_count_asks_for_it()
    {
        var result = Lossdsl.Run("port", "monai.losses.GeneralizedDiceLoss(sigmoid=True)");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("cannot port: monai.losses.GeneralizedDiceLoss: on a mask, MONAI's classes are its channels (one channel is one class); give the channel count with --classes\n", result.Stderr);
        Assert.Equal(
            "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true, include_background: false)",
            JsonDocument.Parse(Lossdsl.Run("port", "monai.losses.GeneralizedDiceLoss(sigmoid=True)", "--classes", "1", "--json").Stdout).RootElement.GetProperty("loss").GetString());
        Assert.Equal(
            "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true)",
            JsonDocument.Parse(Lossdsl.Run("port", "monai.losses.GeneralizedDiceLoss(sigmoid=True)", "--classes", "3", "--json").Stdout).RootElement.GetProperty("loss").GetString());
    }
}
