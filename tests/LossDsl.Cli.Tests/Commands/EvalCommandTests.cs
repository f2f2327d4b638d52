using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LossDsl.Cli.Npy;
using LossDsl.Cli.Tests.Support;
using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Cli.Tests.Commands;

/// <summary><c>lossdsl eval</c> end to end, in-process: files written to a temp folder, numbers against hand formulas.</summary>
public sealed partial class EvalCommandTests : IDisposable
{
    private static readonly long[] Shape = { 2, 1, 3, 3 };

    // Logits spread over about [-3, 3] and a mask with both classes in each image: every term's formula is exercised.
    private static readonly float[] Logits = Enumerable.Range(0, 18).Select(i => (float)(3 * Math.Sin((1.7 * i) + 0.3))).ToArray();
    private static readonly float[] Mask = Enumerable.Range(0, 18).Select(i => (i * 7) % 5 < 2 ? 1f : 0f).ToArray();

    private readonly TempFolder folder = new();
    private readonly string pred;
    private readonly string target;

    public EvalCommandTests()
    {
        pred = folder.Write("pred.npy", NpyArray.Create(Logits, Shape));
        target = folder.Write("target.npy", NpyArray.Create(Mask, Shape));
    }

    public void Dispose() => folder.Dispose();

    private static double[] X => Logits.Select(v => (double)v).ToArray();

    private static double[] T => Mask.Select(v => (double)v).ToArray();

    /// <summary>
    /// Every <c>lossdsl eval</c> text example of docs/cli.md that writes no file prints what the page says: the same names in
    /// the same order, numbers to 1e-6 (the last digits of a sum depend on the CPU's vector width).
    /// </summary>
    [Fact]
    public void The_eval_examples_in_docs_cli_md_are_what_the_command_prints()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "cli.md"));
        var examples = EvalExample().Matches(docs)            .Where(m => !m.Groups["args"].Value.Contains("--grad", StringComparison.Ordinal) && !m.Groups["args"].Value.Contains("--json", StringComparison.Ordinal))
            .ToList();
        Assert.True(examples.Count >= 3, $"docs/cli.md has {examples.Count} eval examples");
        foreach (var example in examples)
        {
            // The loss text is the one quoted argument; file paths are relative to the repository.
            var quoted = Regex.Match(example.Groups["args"].Value, "^\"(?<text>[^\"]+)\" (?<rest>.*)$");
            var args = new[] { "eval", quoted.Groups["text"].Value }
                .Concat(quoted.Groups["rest"].Value.Split(' ').Select(a => a.StartsWith("examples/", StringComparison.Ordinal) ? Path.Combine(RepositoryRoot.Path, a) : a))
                .ToArray();

            var result = Lossdsl.Run(args);
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            var expected = Numbers(example.Groups["output"].Value);
            var actual = Numbers(result.Stdout);
            Assert.Equal(expected.Select(e => e.Name), actual.Select(a => a.Name));
            foreach (var ((name, value), (_, printed)) in expected.Zip(actual))
            {
                Tolerance.Close(value, printed, 1e-6, $"docs/cli.md: {string.Join(' ', args.Skip(1))}: {name}");
            }
        }

        static (string Name, double Value)[] Numbers(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Select(parts => (parts[0].Trim(), double.Parse(parts[1], CultureInfo.InvariantCulture)))
            .ToArray();
    }

    [GeneratedRegex(@"^\$ lossdsl eval (?<args>[^\n]+)\n(?<output>(?:[^\n$\[][^\n]*\n)+)\[exit 0\]$", RegexOptions.Multiline)]
    private static partial Regex EvalExample();

    [Theory]
    [InlineData(false)]   // float32
    [InlineData(true)]    // --double: float64, to 1e-9
    public void Bce_plus_iou_matches_the_hand_formulas_in_either_precision(bool inDouble)
    {
        var arguments = new[] { "eval", "bce + iou", "--pred", pred, "--target", target }.Concat(inDouble ? ["--double"] : Array.Empty<string>()).ToArray();
        var tolerance = inDouble ? Tolerance.Float64 : Tolerance.Float32;

        var result = Lossdsl.Run(arguments);

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        var (total, bce, iou) = ParseText(result.Stdout);
        var expectedBce = HandFormulas.BceWithLogits(X, T);
        var expectedIou = HandFormulas.Iou(X.Select(HandFormulas.Sigmoid).ToArray(), T);
        Tolerance.Close(expectedBce, bce, tolerance, "bce");
        Tolerance.Close(expectedIou, iou, tolerance, "iou");
        Tolerance.Close(expectedBce + expectedIou, total, tolerance, "total");
    }

    [Fact]
    public void Float32_numbers_are_printed_as_the_shortest_float32_text()
    {
        var result = Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target);

        // Each printed number reads back as a float32 and prints again as the same text: nothing beyond float32 precision.
        foreach (var line in result.StdoutLines)
        {
            var number = line.Split(" = ")[1];
            Assert.Equal(number, float.Parse(number, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Probabilities_use_the_clamped_log_of_the_spec()
    {
        // p = 0 with t = 1 and p = 1 with t = 0: −log 0 is clamped to 100, the case that shows the clamp is there.
        var p = new[] { 0, 1, 0.25, 0.5, 0.9, 1, 0, 0.3 };
        var t = new double[] { 1, 0, 0, 1, 1, 1, 0, 0 };
        var probabilities = folder.Write("p.npy", NpyArray.Create(p, 1, 1, 2, 4));
        var mask = folder.Write("t.npy", NpyArray.Create(t, 1, 1, 2, 4));

        var result = Lossdsl.Run("eval", "bce + 2 * iou", "--pred", probabilities, "--target", mask, "--probabilities", "--double");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        var (total, bce, iou) = ParseText(result.Stdout);
        Tolerance.Close(HandFormulas.BceOnProbabilities(p, t), bce, Tolerance.Float64, "bce");
        Tolerance.Close(HandFormulas.Iou(p, t), iou, Tolerance.Float64, "iou");
        Tolerance.Close(HandFormulas.BceOnProbabilities(p, t) + (2 * HandFormulas.Iou(p, t)), total, Tolerance.Float64, "total");
        Assert.True(bce > 200.0 / 8, "two clamped elements of 100 each in a mean over 8");
    }

    [Fact]
    public void Log_probabilities_give_the_numbers_of_their_probabilities_and_are_checked()
    {
        // log p as given: bce and iou are those of p = exp(log p), up to the log of the complement's rounding.
        var p = new[] { 0.1, 0.8, 0.25, 0.5, 0.9, 0.6, 0.05, 0.3 };
        var t = new double[] { 1, 0, 0, 1, 1, 1, 0, 0 };
        var logProbabilities = folder.Write("logp.npy", NpyArray.Create(p.Select(v => Math.Log(v)).ToArray(), 1, 1, 2, 4));
        var mask = folder.Write("t.npy", NpyArray.Create(t, 1, 1, 2, 4));

        var result = Lossdsl.Run("eval", "bce + iou", "--pred", logProbabilities, "--target", mask, "--log-probabilities", "--double");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        var (total, bce, iou) = ParseText(result.Stdout);
        Tolerance.Close(HandFormulas.BceOnProbabilities(p, t), bce, Tolerance.Float64, "bce");
        Tolerance.Close(HandFormulas.Iou(p, t), iou, Tolerance.Float64, "iou");
        Tolerance.Close(HandFormulas.BceOnProbabilities(p, t) + HandFormulas.Iou(p, t), total, Tolerance.Float64, "total");

        var positive = folder.Write("positive.npy", NpyArray.Create(p, 1, 1, 2, 4));
        var refused = Lossdsl.Run("eval", "bce", "--pred", positive, "--target", mask, "--log-probabilities");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("a finite log-probability <= 0", refused.Stderr, StringComparison.Ordinal);

        var both = Lossdsl.Run("eval", "bce", "--pred", logProbabilities, "--target", mask, "--log-probabilities", "--probabilities");
        Assert.Equal((2, "lossdsl: --probabilities and --log-probabilities exclude each other: pred holds one or the other.\n"), (both.ExitCode, both.Stderr));
    }

    [Fact]
    public void Json_has_exactly_the_total_and_the_terms()
    {
        var result = Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target, "--json", "--double");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        Assert.Single(result.StdoutLines);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(new[] { "total", "terms" }, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "bce", "iou" }, root.GetProperty("terms").EnumerateObject().Select(p => p.Name));

        var expectedBce = HandFormulas.BceWithLogits(X, T);
        var expectedIou = HandFormulas.Iou(X.Select(HandFormulas.Sigmoid).ToArray(), T);
        Tolerance.Close(expectedBce, root.GetProperty("terms").GetProperty("bce").GetDouble(), Tolerance.Float64, "bce");
        Tolerance.Close(expectedIou, root.GetProperty("terms").GetProperty("iou").GetDouble(), Tolerance.Float64, "iou");
        Tolerance.Close(expectedBce + expectedIou, root.GetProperty("total").GetDouble(), Tolerance.Float64, "total");
    }

    [Fact]
    public void Json_numbers_are_the_same_values_as_the_text_output()
    {
        var text = ParseText(Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target).Stdout);
        using var json = JsonDocument.Parse(Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target, "--json").Stdout);

        // float32 values: the text is the shortest float32 form, the JSON the exact float64 of the same float32.
        Assert.Equal((float)text.Total, (float)json.RootElement.GetProperty("total").GetDouble());
        Assert.Equal((float)text.Bce, (float)json.RootElement.GetProperty("terms").GetProperty("bce").GetDouble());
        Assert.Equal((float)text.Iou, (float)json.RootElement.GetProperty("terms").GetProperty("iou").GetDouble());
    }

    [Fact]
    public void Json_writes_an_infinite_total_as_a_string()
    {
        var result = Lossdsl.Run("eval", "bce / (iou - iou)", "--pred", pred, "--target", target, "--json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("Infinity", json.RootElement.GetProperty("total").GetString());
        Assert.Equal(JsonValueKind.Number, json.RootElement.GetProperty("terms").GetProperty("bce").ValueKind);
    }

    [Fact]
    public void Gradient_in_float32_is_written_with_pred_shape_and_matches_the_hand_derivative()
    {
        var gradientPath = folder.File("grad.npy");

        var result = Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target, "--grad", gradientPath);

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        var gradient = NpyReader.ReadFile(gradientPath);
        Assert.Same(NpyDType.Float32, gradient.DType);
        Assert.Equal(Shape, gradient.Shape);
        var expected = HandFormulas.BcePlusIouGradient(X, T);
        Tolerance.Gradient(expected, gradient.ToDoubleArray(), ScalarType.Float32, "d total/dx");
    }

    [Fact]
    public void Gradient_in_float64_matches_the_hand_derivative_to_1e_9()
    {
        var gradientPath = folder.File("grad64.npy");

        var result = Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target, "--grad", gradientPath, "--double", "--json");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        var gradient = NpyReader.ReadFile(gradientPath);
        Assert.Same(NpyDType.Float64, gradient.DType);
        Assert.Equal(Shape, gradient.Shape);
        var expected = HandFormulas.BcePlusIouGradient(X, T);
        Tolerance.Gradient(expected, gradient.As<double>(), ScalarType.Float64, "d total/dx");
    }

    [Fact]
    public void Gradient_agrees_with_finite_differences_of_the_hand_formula()
    {
        // A check of the hand derivative itself, so a wrong derivation cannot pass the gradient tests above.
        var x = X;
        var analytic = HandFormulas.BcePlusIouGradient(x, T);
        const double h = 1e-6;
        var numeric = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var plus = (double[])x.Clone();
            var minus = (double[])x.Clone();
            plus[i] += h;
            minus[i] -= h;
            numeric[i] = (Loss(plus) - Loss(minus)) / (2 * h);
        }

        Tolerance.CloseToLargest(numeric, analytic, 1e-6, "d/dx");

        static double Loss(double[] x) => HandFormulas.BceWithLogits(x, T) + HandFormulas.Iou(x.Select(HandFormulas.Sigmoid).ToArray(), T);
    }

    [Fact]
    public void A_bool_mask_gives_the_same_numbers_as_a_float_mask()
    {
        var boolMask = folder.Write("bool.npy", NpyArray.Create(Mask.Select(v => v == 1).ToArray(), Shape));
        var byteMask = folder.Write("byte.npy", NpyArray.Create(Mask.Select(v => (byte)v).ToArray(), Shape));

        var fromFloat = Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target);
        var fromBool = Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", boolMask);
        var fromByte = Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", byteMask);

        Assert.Equal(fromFloat, fromBool);
        Assert.Equal(fromFloat, fromByte);
    }

    [Fact]
    public void A_float64_pred_computes_in_float32_unless_double_is_given()
    {
        var pred64 = folder.Write("pred64.npy", NpyArray.Create(X, Shape));

        Assert.Equal(Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target), Lossdsl.Run("eval", "bce + iou", "--pred", pred64, "--target", target));
        Assert.Equal(
            Lossdsl.Run("eval", "bce + iou", "--pred", pred, "--target", target, "--double"),
            Lossdsl.Run("eval", "bce + iou", "--pred", pred64, "--target", target, "--double"));
    }

    [Fact]
    public void Integer_target_without_the_class_dim_is_read_as_labels()
    {
        // bce takes masks only: the compiler's LOSS0200 shows the target was taken as labels.
        var logits = folder.Write("logits.npy", NpyArray.Create(new float[12], 1, 3, 2, 2));
        var labels = folder.Write("labels.npy", NpyArray.Create(new[] { 0, 1, 2, 255 }, 1, 2, 2));

        var result = Lossdsl.Run("eval", "bce", "--pred", logits, "--target", labels, "--ignore-index", "255");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal(
            "(1,1): error LOSS0200: 'bce' needs a mask target, but the target is multiclass labels\n"
            + "  bce\n"
            + "  ^^^\n",
            result.Stderr);
    }

    [Fact]
    public void Bad_loss_text_exits_1_with_the_diagnostics_on_stderr()
    {
        var result = Lossdsl.Run("eval", "bce + ioo", "--pred", pred, "--target", target);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal(
            "(1,7): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?\n"
            + "  bce + ioo\n"
            + "        ^^^\n",
            result.Stderr);
    }

    [Fact]
    public void A_scalar_input_takes_its_value_from_the_command_line()
    {
        var result = Lossdsl.Run("eval", "(1 - w) * bce + w * iou", "--pred", pred, "--target", target, "--scalar", "w=0.25", "--double");

        Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
        var (total, bce, iou) = ParseText(result.Stdout);
        Tolerance.Close(HandFormulas.BceWithLogits(X, T), bce, Tolerance.Float64, "bce");
        Tolerance.Close((0.75 * bce) + (0.25 * iou), total, Tolerance.Float64, "total at w = 0.25");

        var missing = Lossdsl.Run("eval", "(1 - w) * bce + w * iou", "--pred", pred, "--target", target);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("(1,6): error LOSS0100: Unknown loss 'w'", missing.Stderr);
        var malformed = Lossdsl.Run("eval", "(1 - w) * bce + w * iou", "--pred", pred, "--target", target, "--scalar", "w=half");
        Assert.Equal("lossdsl: --scalar takes a name and a finite number, such as a=0.3, not 'w=half'.\n", malformed.Stderr);
    }

    private static (double Total, double Bce, double Iou) ParseText(string stdout)
    {
        var match = Regex.Match(stdout, @"\Atotal = (\S+)\nbce   = (\S+)\niou   = (\S+)\n\z");
        Assert.True(match.Success, $"unexpected output:\n{stdout}");
        double Number(int group) => double.Parse(match.Groups[group].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return (Number(1), Number(2), Number(3));
    }
}
