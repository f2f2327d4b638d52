using LossDsl.Cli.Npy;
using LossDsl.Cli.Tests.Support;

namespace LossDsl.Cli.Tests.Commands;

/// <summary>Every way the input files can be wrong: exit code 2, nothing on stdout, one line naming the file and the problem.</summary>
public sealed class EvalInputErrorTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string pred;
    private readonly string mask;

    public EvalInputErrorTests()
    {
        pred = folder.Write("pred.npy", NpyArray.Create(new float[] { -1, 0, 1, 2 }, 1, 1, 2, 2));
        mask = folder.Write("mask.npy", NpyArray.Create(new float[] { 0, 1, 1, 0 }, 1, 1, 2, 2));
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Missing_pred_file()
    {
        var missing = folder.File("nope.npy");

        AssertBadInput($"pred file '{missing}' does not exist.", "eval", "bce", "--pred", missing, "--target", mask);
    }

    [Fact]
    public void A_directory_as_target()
    {
        AssertBadInput($"target file '{folder.Path}' is a directory, not a .npy file.", "eval", "bce", "--pred", pred, "--target", folder.Path);
    }

    [Fact]
    public void A_text_file_as_target()
    {
        var csv = folder.WriteBytes("mask.csv", "0,1,1,0\n"u8.ToArray());

        AssertBadInput($"target file '{csv}': not a .npy file: it does not start with the .npy magic string \\x93NUMPY.", "eval", "bce", "--pred", pred, "--target", csv);
    }

    [Fact]
    public void A_truncated_pred_file()
    {
        var truncated = folder.WriteBytes("cut.npy", File.ReadAllBytes(pred)[..^4]);

        AssertBadInput($"pred file '{truncated}': truncated data: shape (1, 1, 2, 2) of <f4 needs 16 bytes, the file has 12.", "eval", "bce", "--pred", truncated, "--target", mask);
    }

    [Fact]
    public void A_weight_map_neither_per_pixel_nor_per_element()
    {
        var weight = folder.Write("w.npy", NpyArray.Create(new float[] { 1, 1, 1, 1 }, 1, 2, 2));

        AssertBadInput($"pixel weight file '{weight}' has shape (1, 2, 2); it must be (1, 1, 2, 2) (one value per pixel).",
            "eval", "bce", "--pred", pred, "--target", mask, "--pixel-weight", weight);
    }

    [Fact]
    public void A_negative_weight()
    {
        var weight = folder.Write("w.npy", NpyArray.Create(new float[] { 1, -0.5f, 1, 1 }, 1, 1, 2, 2));

        AssertBadInput($"pixel weight file '{weight}': the element at (0, 0, 0, 1) is -0.5, not a finite weight ≥ 0.", "eval", "bce", "--pred", pred, "--target", mask, "--pixel-weight", weight);
    }

    [Fact]
    public void A_valid_mask_that_is_not_0_or_1()
    {
        var valid = folder.Write("v.npy", NpyArray.Create(new float[] { 1, 0, 0.5f, 1 }, 1, 1, 2, 2));

        AssertBadInput($"valid mask file '{valid}': the element at (0, 0, 1, 0) is 0.5, not 0 or 1.", "eval", "dice", "--pred", pred, "--target", mask, "--valid", valid);
    }

    [Fact]
    public void A_valid_mask_beside_a_term_that_cannot_take_one_is_a_loss_error()
    {
        var valid = folder.Write("v.npy", NpyArray.Create(new[] { true, false, true, true }, 1, 1, 2, 2));

        var result = Lossdsl.Run("eval", "bce + ssim(3)", "--pred", pred, "--target", mask, "--valid", valid);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error LOSS0200: 'ssim' cannot be used with a valid mask", result.Stderr);
    }

    [Fact]
    public void A_Fortran_order_file_written_by_numpy()
    {
        var fortran = TestData.Path("f4_2x3_fortran.npy");

        AssertBadInput(
            $"pred file '{fortran}': the array of shape (2, 3) is stored in Fortran (column-major) order; only C order is supported (in numpy: np.save(path, np.ascontiguousarray(a))).",
            "eval", "bce", "--pred", fortran, "--target", mask);
    }

    [Fact]
    public void A_big_endian_file_written_by_numpy()
    {
        var bigEndian = TestData.Path("f4_big_endian.npy");

        AssertBadInput(
            $"target file '{bigEndian}': the data is big-endian ('>f4'); only little-endian is supported (in numpy: a.astype('<f4')).",
            "eval", "bce", "--pred", pred, "--target", bigEndian);
    }

    [Fact]
    public void An_unsupported_dtype()
    {
        var half = TestData.Path("f2_3.npy");

        AssertBadInput($"pred file '{half}': unsupported dtype '<f2'; supported: <f4, <f8, <i4, <i8, |b1, |u1.", "eval", "bce", "--pred", half, "--target", mask);
    }

    [Fact]
    public void Shape_mismatch_between_pred_and_target()
    {
        var wide = folder.Write("wide.npy", NpyArray.Create(new float[6], 1, 1, 2, 3));

        AssertBadInput(
            $"shape mismatch: target file '{wide}' has shape (1, 1, 2, 3), pred file '{pred}' has shape (1, 1, 2, 2); the target must be pred's shape (a mask) or (1, 2, 2) (class labels).",
            "eval", "bce", "--pred", pred, "--target", wide);
    }

    [Fact]
    public void Integer_pred()
    {
        var integers = folder.Write("int.npy", NpyArray.Create(new long[4], 1, 1, 2, 2));

        AssertBadInput($"pred file '{integers}' holds <i8; pred must be floating point (<f4 or <f8).", "eval", "bce", "--pred", integers, "--target", mask);
    }

    [Fact]
    public void Pred_without_a_class_dim()
    {
        var vector = folder.Write("vector.npy", NpyArray.Create(new float[4], 4));

        AssertBadInput($"pred file '{vector}' has shape (4,); pred must be (N, C, *spatial), at least 2-d.", "eval", "bce", "--pred", vector, "--target", mask);
    }

    [Fact]
    public void Non_finite_logits()
    {
        var nan = folder.Write("nan.npy", NpyArray.Create(new[] { 0f, 0f, float.NaN, 0f }, 1, 1, 2, 2));

        AssertBadInput($"pred file '{nan}': the element at (0, 0, 1, 0) is NaN, not a finite logit.", "eval", "bce", "--pred", nan, "--target", mask);
    }

    [Fact]
    public void Probabilities_outside_0_1()
    {
        AssertBadInput($"pred file '{pred}': the element at (0, 0, 0, 0) is -1, not a probability in [0, 1].", "eval", "bce", "--pred", pred, "--target", mask, "--probabilities");
    }

    [Fact]
    public void A_float32_value_is_shown_as_float32()
    {
        var negative = folder.Write("negative.npy", NpyArray.Create(new[] { 0f, -0.1f, 0f, 0f }, 1, 1, 2, 2));

        AssertBadInput($"target file '{negative}': the element at (0, 0, 0, 1) is -0.1, not a mask value in [0, 1].", "eval", "bce", "--pred", pred, "--target", negative);
    }

    [Fact]
    public void Mask_values_outside_0_1()
    {
        var twos = folder.Write("twos.npy", NpyArray.Create(new[] { 0, 1, 2, 1 }, 1, 1, 2, 2));

        AssertBadInput($"target file '{twos}': the element at (0, 0, 1, 0) is 2, not a mask value in [0, 1].", "eval", "bce", "--pred", pred, "--target", twos);
    }

    [Fact]
    public void Ignore_index_with_a_mask()
    {
        AssertBadInput($"--ignore-index applies to class labels, but target file '{mask}' is a mask (pred's shape (1, 1, 2, 2)).", "eval", "bce", "--pred", pred, "--target", mask, "--ignore-index", "255");
    }

    [Fact]
    public void Labels_outside_the_classes()
    {
        var logits = folder.Write("logits.npy", NpyArray.Create(new float[12], 1, 3, 2, 2));
        var labels = folder.Write("labels.npy", NpyArray.Create(new long[] { 0, 1, 2, 3 }, 1, 2, 2));

        AssertBadInput($"target file '{labels}': the element at (0, 1, 1) is 3, not a class in [0, 2].", "eval", "dice", "--pred", logits, "--target", labels);
        AssertBadInput($"target file '{labels}': the element at (0, 1, 1) is 3, not a class in [0, 2] or the ignore index 255.", "eval", "dice", "--pred", logits, "--target", labels, "--ignore-index", "255");
    }

    [Fact]
    public void Float_labels()
    {
        var logits = folder.Write("logits.npy", NpyArray.Create(new float[12], 1, 3, 2, 2));
        var labels = folder.Write("labels.npy", NpyArray.Create(new float[] { 0, 1, 2, 1 }, 1, 2, 2));

        AssertBadInput($"target file '{labels}' has the shape of labels (1, 2, 2) but holds <f4; labels must be integers (<i8, <i4 or |u1).", "eval", "dice", "--pred", logits, "--target", labels);
    }

    [Fact]
    public void Labels_for_a_single_channel_pred()
    {
        var labels = folder.Write("labels.npy", NpyArray.Create(new long[] { 0, 0, 0, 0 }, 1, 2, 2));

        AssertBadInput($"pred file '{pred}' has 1 class in dim 1 (shape (1, 1, 2, 2)); class labels need at least 2.", "eval", "dice", "--pred", pred, "--target", labels);
    }

    [Fact]
    public void A_gradient_path_in_a_missing_folder()
    {
        var gradient = Path.Combine(folder.Path, "missing", "grad.npy");

        var result = Lossdsl.Run("eval", "bce", "--pred", pred, "--target", mask, "--grad", gradient);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"lossdsl: cannot write the gradient to '{gradient}': ", result.Stderr);
    }

    [Fact]
    public void A_side_output_with_other_classes()
    {
        var side = folder.Write("side.npy", NpyArray.Create(new float[] { 0, 0 }, 1, 2, 1, 1));

        AssertBadInput($"pred file '{side}' (level 1) has shape (1, 2, 1, 1); a side output shares the main output's batch, classes and rank ((1, 1, 2, 2) in '{pred}'), its spatial sizes may differ.",
            "eval", "bce", "--pred", pred, "--pred", side, "--target", mask);
    }

    [Fact]
    public void One_gradient_file_for_two_predictions()
    {
        var side = folder.Write("side.npy", NpyArray.Create(new float[] { 0 }, 1, 1, 1, 1));

        AssertBadInput("--grad is given 1 times for 2 --pred files: give one gradient file per prediction, in the same order.",
            "eval", "bce", "--pred", pred, "--pred", side, "--target", mask, "--grad", folder.File("g.npy"));
    }

    [Fact]
    public void Level_weights_that_are_not_numbers()
    {
        var side = folder.Write("side.npy", NpyArray.Create(new float[] { 0 }, 1, 1, 1, 1));

        AssertBadInput("--level-weights takes 'same', 'exp', 'two' or numbers separated by commas, such as 1,0.5,0.25; 'half' is not a number.",
            "eval", "bce", "--pred", pred, "--pred", side, "--target", mask, "--level-weights", "1,half");
    }

    private static void AssertBadInput(string message, params string[] args)
    {
        var result = Lossdsl.Run(args);

        Assert.Equal(new CliResult(2, "", $"lossdsl: {message}\n"), result);
    }
}
