using System.Text.Json;
using LossDsl.Language;
using LossDsl.Language.Semantics;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Language;

/// <summary>
/// The front end never throws, whatever the text: every prefix of every valid example and many malformed strings
/// end in diagnostics with in-range spans, or in a plan. (A generator that throws breaks the user's build.)
/// </summary>
public sealed class RobustnessTests
{
    private const string LossFile = """
        // segmentation.loss
        loss BasNet = bce + ssim(11) + iou;
        loss Organ(pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255)
            = dice(include_background: false) + 0.5 * focal(gamma: 2);
        loss Deep = BasNet + 0.1 * boundary(theta0: 3, theta: 5) - pow(dice(weight: [1]), 2) / 3e-1;
        """;

    private static readonly string[] Malformed =
    {
        "", " ", "(", ")", "((", "))", "[", "]", "[1, 2", "dice(", "dice(,", "dice(,)", "dice(a:", "dice(a: )", "dice(: 1)",
        "dice(weight: [)", "dice(weight: [1,,2])", "1e", "1e+", ".5.5", "1..2", "bce +", "+ bce", "* bce", "bce * * iou",
        "-", "--", "- - -", "bce)", "bce(", "bce((", "pow(", "pow(,)", "pow(1, 2, 3)", "log()", "log", "abs(bce, dice)",
        "bce / 0", "bce / (1 - 1)", "0", "1 + 2", "dice(smooth: 1e400)", "ssim(1e10)", "ssim(window: -0)", "\"", "'", "\\",
        "bce;", "loss A = bce;", "ß", "\u0000", "\uFFFF", "bce\n+\niou", "bce // comment", "// only a comment", "bce /",
        "focal(alpha: 2, gamma: [1])", "dice(per_image: maybe)", "lovasz_softmax(classes: some)", "bce(pos_weight: auto, pos_weight: 1)",
    };

    public static IEnumerable<string> ValidExamples()
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var fromFixtures = Directory.Exists(fixtures)
            ? Directory.GetFiles(fixtures, "*.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("loss").GetString()!)
            : Enumerable.Empty<string>();
        return fromFixtures.Concat(new[] { "bce + ssim(11) + iou", "0.5 * focal(gamma: 2) + dice", "2 * 0.5 * dice + iou(smooth: 0) - bce(pos_weight: auto) / 4" }).Distinct();
    }

    [Fact]
    public void Every_prefix_of_every_valid_example_compiles_or_reports_in_range()
    {
        var examples = ValidExamples().ToList();
        Assert.True(examples.Count > 80, $"only {examples.Count} examples: are the fixtures copied to the output?");
        foreach (var example in examples)
        {
            for (var length = 0; length <= example.Length; length++)
            {
                AssertWellBehaved(example[..length], LossSignature.Default);
                AssertWellBehaved(example[..length], new LossSignature(InputKind.Probabilities, TargetKind.Labels, 4, 255, LossSignature.DefaultSpatial));
            }
        }
    }

    [Fact]
    public void Malformed_and_random_text_is_reported_not_thrown()
    {
        foreach (var text in Malformed)
        {
            AssertWellBehaved(text, LossSignature.Default);
        }

        // Random strings over the language's own alphabet hit far more parser states than random bytes.
        var alphabet = "bce dice iou ssim focal ( ) [ ] , : + - * / 0 1 2.5 1e-3 weight smooth true auto pow log loss ; = ".Split(' ');
        var random = new Random(20261122);
        for (var i = 0; i < 5000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 16)).Select(_ => alphabet[random.Next(alphabet.Length)] + (random.Next(3) == 0 ? " " : string.Empty)));
            AssertWellBehaved(text, LossSignature.Default);
        }
    }

    [Fact]
    public void Every_prefix_of_a_loss_file_compiles_or_reports_in_range()
    {
        for (var length = 0; length <= LossFile.Length; length++)
        {
            var text = LossFile[..length];
            var compilation = LossFrontEnd.CompileFile(text);
            Assert.All(compilation.Diagnostics, d => Assert.InRange(d.Span.End, d.Span.Start, text.Length));
        }

        var full = LossFrontEnd.CompileFile(LossFile);
        Assert.Equal(new[] { "BasNet", "Organ", "Deep" }, full.Losses.Select(l => l.Name));
    }

    [Fact]
    public void The_generator_reports_instead_of_failing_on_every_malformed_text()
    {
        // One compilation holding every malformed text as an attribute: a generator exception would surface as CS8785.
        var source = "using LossDsl;\n" + string.Join("\n", Malformed.Select((text, i) =>
            $"[Loss({Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true)})] public sealed partial class L{i};"));
        var (result, output) = GeneratorHarness.Run(source, ("/src/broken.loss", string.Join("\n", Malformed)));

        var run = Assert.Single(result.Results);
        Assert.Null(run.Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id is "CS8784" or "CS8785");
        Assert.NotEmpty(run.Diagnostics);
    }

    [Fact]
    public void The_generator_reports_instead_of_failing_on_odd_attribute_arguments()
    {
        string[] arguments =
        {
            "Input = (LossInput)7", "Target = (LossTarget)(-1)", "Classes = -3", "Classes = 0", "IgnoreIndex = -100",
            "Spatial = null", "Spatial = new int[0]", "Spatial = new[] { -1, 4 }", "Spatial = new[] { 0, 0, 0, 0, 0, 0 }",
            "Target = LossTarget.Labels, Classes = 1", "Target = LossTarget.Labels, IgnoreIndex = 0", "Input = LossInput.Probabilities",
        };
        var source = "using LossDsl;\n" + string.Join("\n", arguments.Select((a, i) =>
            $"[Loss(\"dice + bce + ce + ssim(3) + boundary\", {a})] public sealed partial class L{i};"));
        var (result, output) = GeneratorHarness.Run(source);

        Assert.Null(Assert.Single(result.Results).Exception);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id is "CS8784" or "CS8785");
    }

    private static void AssertWellBehaved(string text, LossSignature signature)
    {
        LossCompilation compilation;
        try
        {
            compilation = LossFrontEnd.Compile("L", text, signature);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"Compiling {JsonSerializer.Serialize(text)} threw {e}");
        }

        Assert.True(compilation.Plan is not null || compilation.Diagnostics.Any(d => d.Severity == LossDsl.Language.Diagnostics.LossSeverity.Error),
            $"{JsonSerializer.Serialize(text)}: no plan and no error");
        Assert.All(compilation.Diagnostics, d => Assert.True(d.Span.Start >= 0 && d.Span.End <= text.Length,
            $"{JsonSerializer.Serialize(text)}: {d} is outside the text"));
    }
}
