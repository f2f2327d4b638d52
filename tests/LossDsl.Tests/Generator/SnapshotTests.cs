using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Generator;

/// <summary>The generated code, pinned: a change to it shows up as a diff to review, like any code change.</summary>
public sealed class SnapshotTests
{
    // Log-probabilities: ce reads them as they are, the region terms exp(pred); dice with another activation has its own
    // statistics step on its own probabilities, iou the shared one.
    [Fact]
    public void Log_probabilities_and_a_region_term_with_its_own_activation() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("ce + iou + dice(activation: tanh)", Input = LossInput.LogProbabilities, Target = LossTarget.Labels, Classes = 4)]
        public sealed partial class OrganLoss;
        """));

    [Fact]
    public void Bce_plus_iou() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("bce + iou")]
        public sealed partial class SimpleLoss;
        """));

    [Fact]
    public void Shared_statistics_and_folded_constants() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("2 * 0.5 * dice + iou(smooth: 0) + dice(per_image: true) - bce(pos_weight: auto) / 4", Input = LossInput.Probabilities, Classes = 3)]
        public sealed partial class FusedLoss;
        """));

    [Fact]
    public void Bce_plus_ssim_plus_iou() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("bce + ssim(11) + iou")]
        public sealed partial class BasNetLoss;
        """));

    [Fact]
    public void A_scheduled_weight_is_a_scalar_input() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("(1 - a) * dice + a * boundary_dist(include_background: false)", Target = LossTarget.Labels, Classes = 3, Scalars = new[] { "a" })]
        public sealed partial class BoundaryLoss;
        """));

    [Fact]
    public void Labels_structure_terms_share_target_probabilities_and_valid_pixels() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("lovasz_softmax(all, true) + 2 * lovasz_softmax", Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255)]
        public sealed partial class LovaszLoss;
        """));

    [Fact]
    public void Nested_class_in_global_namespace() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        public static partial class Losses
        {
            [Loss("bce")]
            internal sealed partial class Plain;
        }
        """));

    [Fact]
    public void Labels_share_class_indices_valid_pixels_probabilities_and_statistics() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("dice(include_background: false) + 0.5 * focal(gamma: 2) + ce(weight: [0.2, 1, 1, 2]) + generalized_dice + iou(per_image: true)",
              Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255)]
        public sealed partial class OrganLoss;
        """));

    [Fact]
    public void Mask_focal_and_bce_on_logits_fuse_their_cross_entropy_and_share_the_probabilities() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        namespace Segmentation;

        [Loss("bce(pos_weight: 2) + focal(alpha: -1) + tversky(0.3, 0.7) + sensitivity_specificity")]
        public sealed partial class LesionLoss;
        """));

    [Fact]
    public void Focal_plus_dice() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        [Loss("0.5 * focal(gamma: 2) + dice")]
        public sealed partial class FocalDiceLoss;
        """));

    [Fact]
    public void Weight_map_and_valid_mask_are_checked_once_and_read_by_every_pixel_and_region_term() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        [Loss("bce(pos_weight: auto) + focal + dice + iou", Classes = 3, PixelWeight = LossPixelMap.PerChannel, ValidMask = LossPixelMap.PerPixel)]
        public sealed partial class WeightedMaskedLoss;
        """));

    [Fact]
    public void Labels_with_an_ignore_index_and_a_valid_mask_keep_pixels_both_keep() => Snapshot.Verify(GeneratorHarness.GeneratedSource("""
        using LossDsl;

        [Loss("ce + dice(include_background: false) + lovasz_softmax", Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255, ValidMask = LossPixelMap.PerPixel)]
        public sealed partial class OrganLoss;
        """));

    /// <summary>Every primitive alone, on each target it supports: what each kernel call looks like in generated code.</summary>
    public static TheoryData<string, string> Primitives()
    {
        var data = new TheoryData<string, string>();
        foreach (var primitive in LossDsl.Language.Primitives.Catalog.Primitives)
        {
            foreach (var variant in primitive.Variants)
            {
                data.Add(primitive.Name, variant.Target.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Primitives))]
    public void Each_primitive(string primitive, string target)
    {
        var settings = target == "Labels"
            ? ", Target = LossTarget.Labels, Classes = 4"
                // Terms with spatial filters or distance fields take no ignore index.
                + (LossDsl.Language.Primitives.Catalog.Primitives.Single(p => p.Name == primitive).SpatialFilters ? string.Empty : ", IgnoreIndex = 255")
            : string.Empty;
        Snapshot.Verify(
            GeneratorHarness.GeneratedSource($$"""
                using LossDsl;

                [Loss("{{primitive}}"{{settings}})]
                public sealed partial class Only;
                """),
            name: $"Primitive_{primitive}_{target}");
    }

    [Fact]
    public void Line_separators_in_loss_text_stay_inside_comments()
    {
        // \u2028 and \u2029 are white space to the loss lexer but end a line of C#: the header comment must not break.
        var code = GeneratorHarness.GeneratedSource("using LossDsl;\n[Loss(\"bce +\\u2028iou\\u2029+ dice\")]\npublic sealed partial class Separated;");
        Assert.Contains("//     bce +", code);
        Assert.Contains("//     iou", code);
        Assert.Contains("public const string Source = \"bce +\\u2028iou\\u2029+ dice\";", code);
    }
}
