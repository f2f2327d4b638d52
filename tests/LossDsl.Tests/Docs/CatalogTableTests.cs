using System.Text;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Docs;

/// <summary>
/// The catalog table in docs/losses.md is generated from the compiler's <see cref="Catalog"/>, so the docs cannot
/// drift from what the compiler accepts. On a mismatch the test fails with a diff; <c>LOSSDSL_ACCEPT=1</c> rewrites it.
/// </summary>
public sealed class CatalogTableTests
{
    private const string Begin = "<!-- catalog:begin -->";
    private const string End = "<!-- catalog:end -->";

    [Fact]
    public void Docs_table_is_the_catalog()
    {
        var path = Path.Combine(RepositoryRoot.Path, "docs", "losses.md");
        var text = File.ReadAllText(path).Replace("\r\n", "\n");
        var start = text.IndexOf(Begin, StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/losses.md must contain {Begin} ... {End}");

        var current = text[(start + Begin.Length)..end];
        var expected = "\n" + Render();
        if (current == expected)
        {
            return;
        }

        if (Snapshot.Accepting)
        {
            File.WriteAllText(path, text[..(start + Begin.Length)] + expected + text[end..]);
            return;
        }

        Assert.Fail($"The catalog table in {path} is out of date; rerun with {Snapshot.AcceptVariable}=1 to regenerate it:\n" + Snapshot.UnifiedDiff(current, expected));
    }

    [Fact]
    public void Every_primitive_has_a_section()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "losses.md"));
        Assert.All(Catalog.Primitives, p => Assert.Contains($"\n### {p.Name}", text));
    }

    private static string Render()
    {
        var table = new StringBuilder()
            .AppendLine("| primitive | target | parameters, in positional order (default) | requires |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var primitive in Catalog.Primitives)
        {
            var name = $"[`{primitive.Name}`](#{primitive.Name})" + string.Concat(primitive.Aliases.Select(a => $", `{a}`"));
            var variants = primitive.Variants.GroupBy(v => string.Join("; ", v.Parameters.Select(Describe))).ToList();
            foreach (var group in variants)
            {
                var targets = string.Join(", ", group.Select(v => v.Target == TargetKind.Mask ? "mask" : "labels"));
                table.AppendLine($"| {name} | {targets} | {(group.Key.Length == 0 ? "none" : group.Key)} | {Requirements(primitive)} |");
            }
        }

        return table.ToString();
    }

    private static string Describe(ParameterDefinition parameter)
    {
        var rule = parameter.Rule is { } r ? ", " + r.Describe().Replace("must be ", string.Empty) : string.Empty;
        var words = parameter.Kind == ParameterKind.Number && !parameter.AllowedWords.IsEmpty ? " or " + string.Join(" or ", parameter.AllowedWords.Select(w => $"`{w}`")) : string.Empty;
        var kind = parameter.Kind switch
        {
            ParameterKind.Boolean => ", true or false",
            ParameterKind.Word => ", " + string.Join(" or ", parameter.AllowedWords.Select(w => $"`{w}`")),
            ParameterKind.NumberList => ", one number ≥ 0 per class",
            _ => string.Empty,
        };
        var defaultValue = parameter.DefaultsTo is { } source ? $"`{source.Name}`" : parameter.Default.Display;
        return $"`{parameter.Name}` ({defaultValue}{rule}{words}{kind})";
    }

    private static string Requirements(PrimitiveDefinition primitive)
    {
        var needs = new List<string>();
        if (primitive.RequiresLogits)
        {
            needs.Add("logits");
        }

        if (primitive.RequiresSingleChannel)
        {
            needs.Add("C = 1");
        }

        if (!primitive.SpatialRanks.IsEmpty)
        {
            needs.Add($"{primitive.SpatialRanksText} spatial dims");
        }

        if (primitive.SpatialFilters)
        {
            needs.Add("no ignore index or valid mask");
        }

        if (!primitive.AllowsPixelWeight)
        {
            needs.Add("no pixel weight map");
        }

        return needs.Count == 0 ? string.Empty : string.Join(", ", needs);
    }
}
