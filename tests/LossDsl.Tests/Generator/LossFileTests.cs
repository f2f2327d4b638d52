using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LossDsl.Tests.Generator;

/// <summary><c>.loss</c> files: each definition becomes a class; mistakes are located by line and column in the file.</summary>
public sealed class LossFileTests
{
    private const string Path = "/src/segmentation.loss";

    [Fact]
    public void Each_definition_becomes_a_class_in_the_root_namespace()
    {
        var (result, output) = GeneratorHarness.Run(string.Empty, (Path, """
            // segmentation.loss
            loss BasNet = bce + iou;
            loss Deep(pred: logits[N, 1, H, W], target: mask[N, 1, H, W]) = BasNet + 0.1 * dice;
            """));

        var run = Assert.Single(result.Results);
        Assert.Empty(run.Diagnostics);
        Assert.Equal(new[] { "Tests.BasNet.loss.g.cs", "Tests.Deep.loss.g.cs" }, run.GeneratedSources.Select(s => s.HintName).Order());
        Assert.Empty(GeneratorHarness.OutputProblems(output));
        var deep = output.GetTypeByMetadataName("Tests.Deep");
        Assert.NotNull(deep);
        Assert.True(deep.IsSealed);
        Assert.Equal(Accessibility.Public, deep.DeclaredAccessibility);
    }

    [Fact]
    public void A_referenced_loss_contributes_its_terms_under_their_own_names() => Snapshot.Verify(
        Assert.Single(GeneratorHarness.Run(string.Empty, (Path, """
            loss BasNet = bce + iou;
            loss Deep = BasNet + 0.1 * dice + iou(smooth: 0);
            """)).Result.Results).GeneratedSources.Single(s => s.HintName == "Tests.Deep.loss.g.cs").SourceText.ToString());

    /// <summary>BASNet as its paper trains it: the hybrid loss on every side output, one statistics pass per level.</summary>
    [Fact]
    public void A_deep_supervised_loss_evaluates_its_plan_once_per_level() => Snapshot.Verify(
        Assert.Single(GeneratorHarness.Run(string.Empty, (Path, """
            loss Hybrid = bce + ssim(11) + iou;
            loss BasNet(pred: logits[N, 1, H, W] levels 8 resize pred, target: mask[N, 1, H, W]) = Hybrid;
            """)).Result.Results).GeneratedSources.Single(s => s.HintName == "Tests.BasNet.loss.g.cs").SourceText.ToString());

    [Fact]
    public void The_namespace_comes_from_LossDslNamespace_when_set()
    {
        var driver = GeneratorHarness.CreateDriver(new[] { (Path, "loss A = bce;") }, new Dictionary<string, string> { ["LossDslNamespace"] = "My.Losses" });
        var result = driver.RunGenerators(GeneratorHarness.CreateCompilation(string.Empty)).GetRunResult();
        Assert.Equal("My.Losses.A.loss.g.cs", Assert.Single(Assert.Single(result.Results).GeneratedSources).HintName);
    }

    [Fact]
    public void A_name_defined_in_two_files_is_an_error_on_the_second_and_the_first_is_generated()
    {
        var (result, output) = GeneratorHarness.Run(string.Empty,
            ("/src/segmentation.loss", "loss Hybrid = bce + iou;\n"),
            ("/src/extra/other.loss", "// another file\nloss Hybrid = dice;\nloss Other = iou;\n"));

        var run = Assert.Single(result.Results);
        var diagnostic = Assert.Single(run.Diagnostics);
        Assert.Equal(
            "/src/extra/other.loss(2,6): error LOSS0307: A loss named 'Hybrid' is already defined in 'segmentation.loss'; " +
            "the .loss files of a project share one namespace, so give one of them another name",
            diagnostic.ToString());
        Assert.Equal(new[] { "Tests.Hybrid.loss.g.cs", "Tests.Other.loss.g.cs" }, run.GeneratedSources.Select(s => s.HintName).Order());
        Assert.Contains("Source = \"loss Hybrid = bce + iou;\"", run.GeneratedSources.Single(s => s.HintName == "Tests.Hybrid.loss.g.cs").SourceText.ToString());
        // No duplicate class for the C# compiler to report in generated code.
        Assert.Empty(GeneratorHarness.OutputProblems(output));
    }

    [Fact]
    public void Errors_are_reported_at_line_and_column_of_the_file()
    {
        var (result, _) = GeneratorHarness.Run(string.Empty, (Path, "loss A = bce;\n\nloss B = bce + ioo;\n"));
        var diagnostic = Assert.Single(Assert.Single(result.Results).Diagnostics);

        Assert.Equal("LOSS0100", diagnostic.Id);
        var lines = diagnostic.Location.GetLineSpan();
        Assert.Equal(Path, lines.Path);
        Assert.Equal((2, 15), (lines.StartLinePosition.Line, lines.StartLinePosition.Character));
        Assert.Equal((2, 18), (lines.EndLinePosition.Line, lines.EndLinePosition.Character));
        Assert.Equal("/src/segmentation.loss(3,16): error LOSS0100: Unknown loss 'ioo'; did you mean 'iou'?", diagnostic.ToString());
    }

    [Fact]
    public void A_definition_with_errors_is_the_only_one_not_generated()
    {
        var (result, _) = GeneratorHarness.Run(string.Empty, (Path, "loss A = bce + ;\nloss B = dice;\nloss C = iou(smooth: -1);\n"));
        Assert.Equal(new[] { "Tests.B.loss.g.cs" }, Assert.Single(result.Results).GeneratedSources.Select(s => s.HintName));
    }

    [Theory]
    [InlineData("loss A = {|LOSS0113:A|} + bce;")]
    [InlineData("loss A = {|LOSS0116:B|} + bce;\nloss B = {|LOSS0113:A|} + dice;")]
    [InlineData("loss A = bce;\nloss {|LOSS0305:A|} = dice;")]
    [InlineData("loss {|LOSS0306:dice|} = bce;")]
    [InlineData("loss {|LOSS0306:class|} = bce;")]
    [InlineData("loss {|LOSS0306:Terms|} = bce;")]
    [InlineData("loss Binary = bce + dice;\nloss Organs(target: labels[N, H, W]) = dice + {|LOSS0114:Binary|};")]
    [InlineData("loss A = bce;\nloss B = {|LOSS0115:A()|} + dice;")]
    [InlineData("loss A = bce;\nloss B = {|LOSS0100:Aa|} + dice;")]
    [InlineData("loss A(pred: {|LOSS0303:logit|}[N, 1, H, W]) = bce;")]
    [InlineData("loss A(pred: logits[N, 4, H, W], target: labels[N, H, {|LOSS0303:X|}]) = dice;")]
    [InlineData("loss A(pred: logits[N, 2, H, W], target: mask{|LOSS0303:[N, H, W]|}) = dice;")]
    [InlineData("loss A(target: mask[N, 1, H, W] {|LOSS0303:ignore 255|}) = bce;")]
    [InlineData("loss A({|LOSS0303:preds|}: logits) = bce;")]
    [InlineData("loss A(pred: logits, {|LOSS0303:pred|}: probs) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W], pixel_weight: map[N, {|LOSS0303:3|}, H, W]) = bce;")]
    [InlineData("loss A(pixel_weight: map[N, {|LOSS0303:3|}, H, W]) = bce;")]
    [InlineData("loss A(target: labels[N, H, W], valid: mask[N, H, {|LOSS0303:X|}]) = ce;")]
    [InlineData("loss A(pred: logits[N, C, H, W], pixel_weight: map[N, {|LOSS0303:3|}, H, W]) = bce;")]
    [InlineData("loss A(pred: logits[N, 3, H, W], valid: mask[N, 1, H, {|LOSS0303:X|}]) = bce;")]
    [InlineData("loss A(pred: logits[N, 3, H, W], valid: mask[{|LOSS0303:M|}, 3, H, W]) = dice;")]
    [InlineData("loss A(pred: logits[N, 4, H, W], target: labels[N, H, W], valid: mask{|LOSS0303:[N, 1, H, W]|}) = ce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W], pixel_weight: map{|LOSS0303:[N, H, W]|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W], pixel_weight: {|LOSS0303:mask|}[N, 1, H, W]) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W], valid: mask[N, 1, H, W] {|LOSS0303:ignore 0|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W], {|LOSS0303:pixel_weights|}: map[N, 1, H, W]) = bce;")]
    [InlineData("loss A(pred: logits, valid: mask, {|LOSS0303:valid|}: mask) = bce;")]
    [InlineData("loss A(valid: mask[N, 1, H, W]) = bce + {|LOSS0200:ssim|};")]
    [InlineData("loss A(pred: logits[N, 4, H, W], target: labels[N, H, W], valid: mask[N, H, W]) = ce + {|LOSS0200:boundary|} + lovasz_softmax;")]
    [InlineData("loss A(pixel_weight: map[N, 1, H, W]) = bce + {|LOSS0200:lovasz_hinge|} + {|LOSS0200:active_contour|};")]
    [InlineData("loss A(pred: logits[N, 4, H, W], target: labels[N, H, W], pixel_weight: map[N, H, W]) = ce + {|LOSS0200:lovasz_softmax|};")]
    [InlineData("loss A(pred: logits[N, 1, 8, 8]) = ssim({|LOSS0105:11|});")]
    [InlineData("loss A(pred: logits[N, 1, 8, 16]) = bce + {|LOSS0105:ssim|};")]
    [InlineData("loss A(pred: logits[N, 1, H, W, X, Y]) = {|LOSS0200:ssim|};")]
    [InlineData("loss A(pred: logits[N, 4, H, W], target: labels[N, H, W] ignore 255) = ce + {|LOSS0200:boundary|};")]
    [InlineData("loss A(pred: logits[N, 3, H, W]) = dice(weight: {|LOSS0105:[1, 2]|});")]
    [InlineData("loss A = bce {|LOSS0002:loss|} B = dice;")]
    [InlineData("{|LOSS0002:los|} A = bce;\nloss B = dice;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels 3 {|LOSS0303:weights [1, 0.5]|}) = bce + iou;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels K weights [1, {|LOSS0303:-0.5|}, 0.25]) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels {|LOSS0303:0|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels 4 weights {|LOSS0303:exponential|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels 4 resize {|LOSS0303:bilinear|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] {|LOSS0303:weights exp|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] {|LOSS0303:resize pred|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W], target: mask[N, 1, H, W] {|LOSS0303:levels 3|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, S0, S1, S2, S3] levels 2 {|LOSS0303:resize pred|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels 2 {|LOSS0002:levels|} 3) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels 3 {|LOSS0903:weights [0, 0, 0]|}) = bce + iou;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels 3 stride {|LOSS0303:1|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] levels 3 stride {|LOSS0303:S|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, 8, 8] levels 5 stride {|LOSS0303:2|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W] {|LOSS0303:stride 2|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, H, W], target: mask[N, 1, H, W] {|LOSS0303:stride 2|}) = bce;")]
    [InlineData("loss A(pred: logits[N, 1, 16, 16] levels 3 stride 2) = bce + ssim({|LOSS0105:5|});")]
    [InlineData("loss A(pred: logits[N, 1, 16, 16] levels 3 stride 2 resize pred) = bce + ssim(5);")]
    [InlineData("loss A(pred: logits[N, 1, 16, 16] levels K stride 2) = bce + ssim(5);")]
    [InlineData("loss One = bce + ssim(11) + iou;\nloss Deep(pred: logits[N, 1, H, W] levels 5 resize pred) = One;\nloss Single = {|LOSS0114:Deep|};")]
    public void File_rules_are_reported_on_the_exact_characters(string markup)
    {
        var (text, expected) = DiagnosticMarkup.Parse(markup);
        var (result, _) = GeneratorHarness.Run(string.Empty, (Path, text));
        var actual = Assert.Single(result.Results).Diagnostics.OrderBy(d => d.Location.SourceSpan.Start);

        Assert.Equal(
            expected.Select(e => $"{e.Id} '{text.Substring(e.Span.Start, e.Span.Length)}'"),
            actual.Select(d => $"{d.Id} '{text.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)}'"));
    }

    [Fact]
    public void Messages_name_the_problem_and_the_fix()
    {
        string Message(string file) => Assert.Single(Assert.Single(GeneratorHarness.Run(string.Empty, (Path, file)).Result.Results).Diagnostics).GetMessage();

        Assert.Equal("'A' refers to itself: A → A", Message("loss A = A + bce;"));
        Assert.Equal(
            "'Binary' is declared for (pred: logits[N, 1, H, W], target: mask[N, 1, H, W]) but 'Organs' for (pred: logits[N, C, H, W], target: labels[N, H, W]); a loss can only use losses with the same signature",
            Message("loss Binary = bce + dice;\nloss Organs(target: labels[N, H, W]) = dice + Binary;"));
        Assert.Equal("'pred' is 'logits' or 'probs' or 'log_probs', not 'logit'; did you mean 'logits'?", Message("loss A(pred: logit) = bce;"));
        Assert.Equal("this dim is 'X' but pred has 'W' here", Message("loss A(pred: logits[N, 4, H, W], target: labels[N, H, X]) = dice;"));
        Assert.Equal("pixel_weight's class dim is '3': it must be 1 (one value per pixel, broadcast over the channels) or pred's 'C'",
            Message("loss A(pred: logits[N, C, H, W], pixel_weight: map[N, 3, H, W]) = bce;"));
        Assert.Equal("valid's shape must be [N, H, W] (the labels' shape), to broadcast against the target",
            Message("loss A(pred: logits[N, 4, H, W], target: labels[N, H, W], valid: mask[N, 1, H, W]) = ce;"));
        Assert.Equal("Unknown signature parameter 'pixel_weights'; a signature declares 'pred' and 'target', and may declare 'pixel_weight', 'valid' and scalar inputs ('a: scalar'); did you mean 'pixel_weight'?",
            Message("loss A({|pixel_weights|}: map) = bce;".Replace("{|", string.Empty).Replace("|}", string.Empty)));
        Assert.Equal("'ssim' cannot be used with a valid mask: its spatial filters would mix left-out pixels into kept ones",
            Message("loss A(valid: mask[N, 1, H, W]) = bce + ssim;"));
        Assert.Equal("'lovasz_hinge' cannot be weighted by a pixel weight map: bce, ce, focal, dice, iou, tversky, mcc, generalized_dice, sensitivity_specificity take one (docs/language.md, \"Pixel weight maps and valid masks\")",
            Message("loss A(pixel_weight: map[N, 1, H, W]) = lovasz_hinge;"));
        Assert.Equal("Parameter 'window' of 'ssim' must be at most 8, the smallest static spatial size, not 11", Message("loss A(pred: logits[N, 1, 8, 8]) = ssim(11);"));
        Assert.Equal("'dice' cannot name a loss: it is a primitive of the catalog", Message("loss dice = bce;"));
        Assert.Equal("A scalar input is one number, with no shape: 'a: scalar'", Message("loss A(a: scalar[1]) = a * dice;"));
        Assert.Equal("The scalar input 'dice' is the primitive 'dice'; a scalar input is a name the loss text uses, such as 'a' or 'boundary_weight'",
            Message("loss A(dice: scalar) = bce;"));
        Assert.Equal("The scalar input 'log' is a function of the language; a scalar input is a name the loss text uses, such as 'a' or 'boundary_weight'",
            Message("loss A(log: scalar) = bce;"));
        Assert.Equal("The scalar input 'a' is declared twice; a scalar input is a name the loss text uses, such as 'a' or 'boundary_weight'",
            Message("loss A(a: scalar, a: scalar) = a * bce;"));
        Assert.Equal("Unknown loss 'alpah'; did you mean 'alpha'?", Message("loss A(alpha: scalar) = (1 - alpah) * dice;"));
        Assert.Equal("'a' is a scalar input of the signature, a number the training loop sets; it takes no arguments", Message("loss A(a: scalar) = a(2) * dice;"));
        Assert.Equal("Level weights are 'same', 'exp', 'two' or a list such as [1, 0.5], not 'twos'; did you mean 'two'?",
            Message("loss A(pred: logits levels 4 weights twos) = bce;"));
        Assert.Equal("2 level weights for 3 levels: give exactly one weight per level, the main output's first",
            Message("loss A(pred: logits levels 3 weights [1, 0.5]) = bce;"));
        Assert.Equal("Parameter 'window' of 'ssim' must be at most 4, the smallest static spatial size at level 2 (stride 2), not 5",
            Message("loss A(pred: logits[N, 1, 16, 16] levels 3 stride 2) = ssim(5);"));
        Assert.Equal("With stride 2, level 4 of a static size 8 has no pixel left: 5 levels need a size of at least 16",
            Message("loss A(pred: logits[N, 1, 8, 8] levels 5 stride 2) = bce;"));
        Assert.Equal("'resize' applies to side outputs: declare them first, as in 'levels 4 resize ...' after pred's shape",
            Message("loss A(pred: logits resize pred) = bce;"));
    }
}
