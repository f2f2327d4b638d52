using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LossDsl.Tests.Generator;

/// <summary>Mistakes are compiler diagnostics on the exact characters, whatever kind of literal holds the text.</summary>
public sealed class DiagnosticTests
{
    [Fact]
    public void Unknown_primitive_is_an_error_on_its_name_with_a_suggestion()
    {
        var diagnostic = AssertDiagnostics("""
            using LossDsl;
            [Loss("bce + {|LOSS0100:ioo|}")]
            public sealed partial class SimpleLoss;
            """).Single();

        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Unknown loss 'ioo'; did you mean 'iou'?", diagnostic.GetMessage());
        // No LossDslHelpLinkBase here (the build sets one): no help link, rather than one to a page that does not exist.
        Assert.Equal("", diagnostic.Descriptor.HelpLinkUri);
    }

    [Theory]
    [InlineData("https://docs.example.org/lossdsl/diagnostics.md", "https://docs.example.org/lossdsl/diagnostics.md#loss0100")]
    [InlineData("/home/me/.nuget/packages/lossdsl/0.1.0/docs/diagnostics.md", "file:///home/me/.nuget/packages/lossdsl/0.1.0/docs/diagnostics.md#loss0100")]
    [InlineData("not a link", "")]
    [InlineData("", "")]
    public void Help_links_go_where_the_project_says_the_diagnostics_page_is(string helpLinkBase, string expected)
    {
        var driver = GeneratorHarness.CreateDriver(properties: new Dictionary<string, string> { ["LossDslHelpLinkBase"] = helpLinkBase })
            .RunGenerators(GeneratorHarness.CreateCompilation("""
                using LossDsl;
                [Loss("bce + ioo")]
                public sealed partial class SimpleLoss;
                """));

        var diagnostic = Assert.Single(driver.GetRunResult().Diagnostics);
        Assert.Equal("LOSS0100", diagnostic.Id);
        Assert.Equal(expected, diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public void An_error_suppresses_that_loss_only()
    {
        var (result, _) = GeneratorHarness.Run("""
            using LossDsl;
            [Loss("bce + ioo")] public sealed partial class Broken;
            [Loss("bce + iou")] public sealed partial class Fine;
            """);

        var generated = Assert.Single(Assert.Single(result.Results).GeneratedSources);
        Assert.Equal("Fine.g.cs", generated.HintName);
    }

    [Fact]
    public void Spans_map_through_escapes_in_regular_strings() => AssertDiagnostics("""
        using LossDsl;
        [Loss("bce\t+\u0020{|LOSS0100:ioo|} + {|LOSS0001:\"|}{|LOSS0001:\"|}")]
        public sealed partial class SimpleLoss;
        """);

    [Fact]
    public void Spans_map_in_verbatim_strings() => AssertDiagnostics("""
        using LossDsl;
        [Loss(@"bce
            + {|LOSS0100:ioo|}")]
        public sealed partial class SimpleLoss;
        """);

    [Fact]
    public void Spans_map_in_raw_strings() => AssertDiagnostics(""""
        using LossDsl;
        [Loss("""bce + {|LOSS0100:ioo|}""")]
        public sealed partial class SingleLine;

        [Loss("""
              bce
              + {|LOSS0100:ioo|}
              """)]
        public sealed partial class MultiLine;
        """");

    [Fact]
    public void Text_that_is_not_a_literal_falls_back_to_the_whole_argument() => AssertDiagnostics("""
        using LossDsl;
        public sealed partial class Holder
        {
            private const string Text = "bce + ioo";

            [Loss({|LOSS0100:Text|})]
            public sealed partial class SimpleLoss;
        }
        """);

    [Fact]
    public void Several_syntax_errors_are_reported_in_one_pass() => AssertDiagnostics("""
        using LossDsl;
        [Loss("bce + {|LOSS0002:*|} iou + ssim(11{|LOSS0002:|}")]
        public sealed partial class SimpleLoss;
        """);

    [Fact]
    public void Argument_errors_point_at_the_argument() => AssertDiagnostics("""
        using LossDsl;
        [Loss("dice(smooth: {|LOSS0105:-1|}) + iou({|LOSS0101:smoth|}: 1) + dice(1, false, [1], true, 1, 1, false, score, macro, false, false, auto, {|LOSS0102:3|})")]
        public sealed partial class SimpleLoss;
        """);

    [Fact]
    public void Class_problems_point_at_the_class()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("bce")]
            public sealed class {|LOSS0300:NotPartial|};

            public class Base;
            [Loss("bce")]
            public partial class Derived : {|LOSS0301:Base|};
            """);

        Assert.Equal("Class 'NotPartial' must be declared 'partial' so LossDsl can generate its loss", diagnostics[0].GetMessage());
    }

    [Fact]
    public void Static_spatial_sizes_bound_windows() => AssertDiagnostics("""
        using LossDsl;
        [Loss("bce + boundary(theta0: 3, theta: {|LOSS0105:9|})", Spatial = new[] { 8, 0 })]
        public sealed partial class SmallImages;
        """);

    [Fact]
    public void Static_spatial_rank_is_checked() => AssertDiagnostics("""
        using LossDsl;
        [Loss("bce + boundary + ssim + {|LOSS0200:active_contour|}", Spatial = new[] { 0, 0, 0 })]
        public sealed partial class Volumes;
        [Loss("bce + {|LOSS0200:boundary|}", Spatial = new[] { 0, 0, 0, 0 })]
        public sealed partial class FourDims;
        // A window is checked against the depth of a volume too.
        [Loss("boundary(theta0: 3, theta: {|LOSS0105:7|})", Spatial = new[] { 4, 16, 16 })]
        public sealed partial class ThinVolume;
        """);

    [Fact]
    public void An_undefined_enum_value_is_an_error_on_the_setting()
    {
        var diagnostic = AssertDiagnostics("""
            using LossDsl;
            [Loss("bce", {|LOSS0303:Input = (LossInput)7|})]
            public sealed partial class Odd;
            """).Single();
        Assert.Equal("Input must be LossInput.Logits or LossInput.Probabilities or LossInput.LogProbabilities, not 7", diagnostic.GetMessage());
    }

    [Fact]
    public void Ignore_index_on_a_mask_is_an_error_on_the_setting() => AssertDiagnostics("""
        using LossDsl;
        [Loss("bce", {|LOSS0303:IgnoreIndex = 255|})]
        public sealed partial class SimpleLoss;
        """);

    [Fact]
    public void A_per_channel_map_beside_labels_is_an_error_on_the_setting()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("ce", Target = LossTarget.Labels, {|LOSS0303:PixelWeight = LossPixelMap.PerChannel|}, {|LOSS0303:ValidMask = LossPixelMap.PerChannel|})]
            public sealed partial class Organs;
            """);
        Assert.Equal(
            "A pixel weight map beside labels is [N, *spatial], one weight per pixel: labels have no channels to weigh one by one",
            diagnostics[0].GetMessage());
    }

    [Fact]
    public void An_undefined_pixel_map_value_is_an_error_on_the_setting() => AssertDiagnostics("""
        using LossDsl;
        [Loss("bce", {|LOSS0303:ValidMask = (LossPixelMap)3|})]
        public sealed partial class Odd;
        """);

    [Fact]
    public void Deep_supervision_settings_are_checked_on_the_setting()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("bce", Levels = 3, {|LOSS0303:LevelWeightList = new[] { 1.0, 0.5 }|}, {|LOSS0303:LevelStride = 1|})]
            public sealed partial class Deep;
            [Loss("bce", {|LOSS0303:Resize = LossResize.Pred|})]
            public sealed partial class NoLevels;
            [Loss("bce", {|LOSS0303:Levels = -2|})]
            public sealed partial class Negative;
            [Loss("bce + ssim({|LOSS0105:5|})", Spatial = new[] { 16, 16 }, Levels = 3, LevelStride = 2)]
            public sealed partial class SmallLastLevel;
            """);
        Assert.Equal("2 level weights for 3 levels: give exactly one weight per level, the main output's first", diagnostics[0].GetMessage());
        Assert.Equal("A level stride is at least 2 (each level that many times smaller than the one above), not 1", diagnostics[1].GetMessage());
        Assert.Equal("Resize applies to side outputs: set Levels too (the number of predictions, or LossLevels.FromCall)", diagnostics[2].GetMessage());
    }

    [Fact]
    public void Structure_terms_refuse_the_maps_their_spatial_filters_cannot_honour() => AssertDiagnostics("""
        using LossDsl;
        [Loss("bce + {|LOSS0200:ssim|} + dice", ValidMask = LossPixelMap.PerPixel)]
        public sealed partial class Masked;
        [Loss("focal + {|LOSS0200:lovasz_hinge|}", PixelWeight = LossPixelMap.PerChannel)]
        public sealed partial class Weighted;
        """);

    [Fact]
    public void Focal_tversky_gamma_is_positive_and_not_beside_log_loss()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("tversky(gamma: 0.75) + tversky(alpha: 0.7, log_loss: true, gamma: {|LOSS0117:2|}) + tversky(gamma: {|LOSS0105:0|}) + log(cosh(dice))", Classes = 2)]
            public sealed partial class FocalTversky;
            """);
        Assert.Equal(
            [
                "'gamma' of 'tversky' cannot be given with log_loss: true: gamma raises 1 − TI to a power and log_loss replaces 1 − TI by −log TI; choose one",
                "Parameter 'gamma' of 'tversky' must be a number > 0, not 0",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Topk_takes_a_percentage_and_no_pixel_weight_map()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("topk(k: {|LOSS0105:0|}) + topk(100)")]
            public sealed partial class Percentages;
            [Loss("bce + {|LOSS0200:topk|}(k: 20)", PixelWeight = LossPixelMap.PerPixel)]
            public sealed partial class Weighted;
            """);
        Assert.Equal(
            [
                "Parameter 'k' of 'topk' must be a number > 0 and ≤ 100, not 0",
                "'topk' cannot be weighted by a pixel weight map: bce, ce, focal, dice, iou, tversky, mcc, generalized_dice, sensitivity_specificity take one (docs/language.md, \"Pixel weight maps and valid masks\")",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Cldice_needs_images_or_volumes_and_takes_no_ignore_index()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("{|LOSS0200:cldice|} + hausdorff_dt", Spatial = new[] { 0 })]
            public sealed partial class Lines;
            [Loss("cldice(iter: {|LOSS0105:1.5|}) + cldice(smooth: {|LOSS0105:0|})", Spatial = new[] { 0, 0, 0 })]
            public sealed partial class Volumes;
            [Loss("dice + {|LOSS0200:cldice|}", Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255)]
            public sealed partial class Ignoring;
            """);
        Assert.Equal(
            [
                "'cldice' needs 2 or 3 spatial dims, but the signature has 1",
                "Parameter 'iter' of 'cldice' must be an integer ≥ 0, not 1.5",
                "Parameter 'smooth' of 'cldice' must be a number > 0, not 0",
                "'cldice' cannot be used with an ignore index: its spatial filters would mix ignored pixels into kept ones",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Ohem_takes_labels_a_probability_and_a_whole_count()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("bce + {|LOSS0200:ohem|}")]
            public sealed partial class OnAMask;
            [Loss("ohem(thresh: {|LOSS0105:1.5|}) + ohem(min_kept: {|LOSS0105:0.5|}) + ohem(none, 10, {|LOSS0104:every|})", Target = LossTarget.Labels, Classes = 3)]
            public sealed partial class Arguments;
            """);
        Assert.Equal(
            [
                "'ohem' needs multiclass labels, but the target is a binary mask",
                "Parameter 'thresh' of 'ohem' must be a number > 0 and ≤ 1, not 1.5",
                "Parameter 'min_kept' of 'ohem' must be an integer ≥ 1 and ≤ 1000000000, not 0.5",
                "Parameter 'mean_over' of 'ohem' expects 'kept' or 'all', not 'every'",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Scalar_inputs_are_names_the_text_can_use()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("a * dice", {|LOSS0303:Scalars = new[] { "a", "2b" }|})]
            public sealed partial class NotAName;
            [Loss("(1 - a) * dice + {|LOSS0118:a()|} * boundary_dist + {|LOSS0100:b|} * bce", Scalars = new[] { "a" })]
            public sealed partial class Misused;
            """);
        Assert.Equal(
            [
                "The scalar input '2b' is not a name: letters, digits and '_', not starting with a digit; a scalar input is a name the loss text uses, such as 'a' or 'boundary_weight'",
                "'a' is a scalar input of the signature, a number the training loop sets; it takes no arguments",
                "Unknown loss 'b'; did you mean 'a'?",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Boundary_dist_takes_no_left_out_or_weighted_pixels()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("ce + {|LOSS0200:boundary_dist|}(false)", Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255)]
            public sealed partial class Ignoring;
            [Loss("dice + {|LOSS0200:boundary_dist|}", PixelWeight = LossPixelMap.PerPixel)]
            public sealed partial class Weighted;
            [Loss("boundary_dist(include_background: {|LOSS0200:false|})")]
            public sealed partial class OneChannel;
            """);
        Assert.Equal(
            [
                "'boundary_dist' cannot be used with an ignore index: its spatial filters would mix ignored pixels into kept ones",
                "'boundary_dist' cannot be weighted by a pixel weight map: bce, ce, focal, dice, iou, tversky, mcc, generalized_dice, sensitivity_specificity take one (docs/language.md, \"Pixel weight maps and valid masks\")",
                "'boundary_dist' include_background: false would leave no channel: a single-channel mask has no background channel, its one channel is the foreground",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Ms_ssim_windows_must_fit_the_coarsest_scale()
    {
        // Depth 9 is the smallest side: 5 scales halve it to 1, 2 scales to 5.
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("{|LOSS0105:ms_ssim|} + ms_ssim(window: {|LOSS0105:7|}, scale_weights: [0.5, 0.5]) + ms_ssim(5, scale_weights: [0.5, 0.5]) + ms_ssim(scale_weights: {|LOSS0105:[]|})", Spatial = new[] { 9, 64, 64 })]
            public sealed partial class Volumes;
            [Loss("ce + {|LOSS0200:ms_ssim|}", Target = LossTarget.Labels, Classes = 3)]
            public sealed partial class Labels;
            [Loss("{|LOSS0200:ms_ssim|}", Spatial = new[] { 0 })]
            public sealed partial class Lines;
            """);
        Assert.Equal(
            [
                "Parameter 'window' of 'ms_ssim' must be at most 1: 5 scales halve the smallest static spatial size, 9, to 1, not 11",
                "Parameter 'window' of 'ms_ssim' must be at most 5: 2 scales halve the smallest static spatial size, 9, to 5, not 7",
                "Parameter 'scale_weights' of 'ms_ssim' needs at least one entry, not an empty list",
                "'ms_ssim' needs a mask target, but the target is multiclass labels",
                "'ms_ssim' needs 2 or 3 spatial dims, but the signature has 1",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Porting_options_are_checked_on_their_arguments()
    {
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("dice(include_background: {|LOSS0200:false|}) + generalized_dice(include_background: false)")]
            public sealed partial class OneChannel;
            [Loss("dice(include_background: false) + iou(average: micro, weight: {|LOSS0117:[1, 2, 3]|}) + tversky(include_background: {|LOSS0117:false|}, average: micro)", Classes = 3)]
            public sealed partial class ThreeChannels;
            [Loss("dice(empty: {|LOSS0104:zeros|}) + generalized_dice(weight_type: {|LOSS0104:cubic|}, eps: 0) + iou(smooth_dr: {|LOSS0105:-1|})")]
            public sealed partial class Words;
            """);
        Assert.Equal(
            [
                "'dice' include_background: false would leave no channel: a single-channel mask has no background channel, its one channel is the foreground",
                "'weight' of 'iou' cannot be given with average: micro: micro pools the classes before the ratio, so there is no class loss to weigh; leave out weight or use average: macro",
                "'include_background' of 'tversky' cannot be given with average: micro: micro pools every class into one; leave out include_background or use average: macro",
                "Parameter 'empty' of 'dice' expects 'score' or 'zero', not 'zeros'",
                "Parameter 'weight_type' of 'generalized_dice' expects 'square' or 'simple' or 'uniform', not 'cubic'",
                "Parameter 'smooth_dr' of 'iou' must be a number ≥ 0, not -1",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public void Activations_are_checked_against_the_signature()
    {
        // softmax over one channel is an error; raw values are fine on probabilities, a warning on logits (WarningTests).
        var diagnostics = AssertDiagnostics("""
            using LossDsl;
            [Loss("dice(activation: {|LOSS0200:softmax|}) + iou(activation: tanh) + tversky(activation: sigmoid)")]
            public sealed partial class OneChannel;
            [Loss("dice(activation: softmax) + generalized_dice(activation: none)", Classes = 3, Input = LossInput.Probabilities)]
            public sealed partial class Probabilities;
            [Loss("dice(activation: {|LOSS0104:relu|})")]
            public sealed partial class Unknown;
            """);
        Assert.Equal(
            [
                "'dice' activation: softmax over a single channel is 1 everywhere; use activation: sigmoid, or give pred a channel per class",
                "Parameter 'activation' of 'dice' expects 'auto' or 'none' or 'sigmoid' or 'softmax' or 'tanh', not 'relu'",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    /// <summary>Runs the generator on markup source; asserts exactly the marked diagnostics (ID and span) are reported.</summary>
    private static IReadOnlyList<Diagnostic> AssertDiagnostics(string markup)
    {
        var (source, expected) = DiagnosticMarkup.Parse(markup);
        var (result, _) = GeneratorHarness.Run(source);
        var actual = Assert.Single(result.Results).Diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToList();

        string Describe(string id, Microsoft.CodeAnalysis.Text.TextSpan span) => $"{id} at {span} '{source.Substring(span.Start, span.Length)}'";
        Assert.Equal(
            expected.Select(e => Describe(e.Id, e.Span)),
            actual.Select(d => Describe(d.Id, d.Location.SourceSpan)));
        Assert.All(actual, d => Assert.Equal(GeneratorHarness.SourcePath, d.Location.SourceTree?.FilePath));
        return actual;
    }
}
