using System.Globalization;
using System.Text;

namespace LossDsl.Benchmarks.GeneratorCost;

/// <summary>
/// The input of the generator-cost measurement (issue 7): 500 loss declarations, 250 <c>[Loss]</c> attributes in one
/// C# file and 250 definitions in one <c>.loss</c> file, over the whole catalog (masks and labels, structure terms,
/// parameters, arithmetic), each text made distinct by its constants. Plus an unrelated C# file that the incremental
/// measurement edits.
/// </summary>
public static class GeneratorWorkload
{
    /// <summary>Declarations of each kind.</summary>
    public const int PerKind = 250;

    private static readonly string[] MaskTexts =
    {
        "bce + dice(smooth: {0})",
        "bce + ssim(11) + iou(smooth: {0})",
        "focal(gamma: 2) + {0} * dice",
        "lovasz_hinge + {0} * bce",
        "tversky(alpha: 0.7, beta: 0.3, smooth: {0}) + bce(pos_weight: auto)",
        "generalized_dice + {0} * sensitivity_specificity",
        "boundary + {0} * dice(per_image: true)",
        "active_contour(weight: {0}) + bce",
    };

    private static readonly string[] LabelTexts =
    {
        "ce + dice(smooth: {0})",
        "dice(include_background: false) + {0} * focal(gamma: 2)",
        "lovasz_softmax + {0} * ce(label_smoothing: 0.1)",
        "ce(weight: [1, 2, 3, {0}]) + iou",
    };

    /// <summary>The C# file with 250 attributed partial classes in namespace <c>Attributed</c>.</summary>
    public static string AttributeSource()
    {
        var source = new StringBuilder("using LossDsl;\n\nnamespace Attributed;\n\n");
        for (var i = 0; i < PerKind; i++)
        {
            var (text, labels) = Text(i);
            var signature = labels ? ", Target = LossTarget.Labels, Classes = 4" : string.Empty;
            source.Append(CultureInfo.InvariantCulture, $"[Loss(\"{text}\"{signature})]\npublic sealed partial class Loss{i};\n\n");
        }

        return source.ToString();
    }

    /// <summary>The .loss file with 250 definitions (classes in the root namespace).</summary>
    public static string LossFile()
    {
        var file = new StringBuilder("// 250 definitions for the generator-cost measurement.\n");
        for (var i = 0; i < PerKind; i++)
        {
            var (text, labels) = Text(i + 1);
            var signature = labels ? "(pred: logits[N, 4, H, W], target: labels[N, H, W])" : string.Empty;
            file.Append(CultureInfo.InvariantCulture, $"loss FileLoss{i}{signature} = {text};\n");
        }

        return file.ToString();
    }

    /// <summary>An unrelated C# file; <paramref name="revision"/> changes a method body (the edit).</summary>
    public static string UnrelatedSource(int revision) =>
        $"namespace Other;\n\npublic static class Unrelated\n{{\n    public static int Value() => {revision};\n}}\n";

    private static (string Text, bool Labels) Text(int i)
    {
        // One label text in three; a constant that differs per declaration.
        var labels = i % 3 == 2;
        var templates = labels ? LabelTexts : MaskTexts;
        var constant = (0.1 + (i % 97) / 100.0).ToString("0.##", CultureInfo.InvariantCulture);
        return (string.Format(CultureInfo.InvariantCulture, templates[i / 3 % templates.Length], constant), labels);
    }
}
