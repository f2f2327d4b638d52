using System.Collections;
using System.Reflection;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Steps = LossDsl.Generator.LossGenerator.Steps;

namespace LossDsl.Tests.Generator;

/// <summary>The pipeline caches: unrelated edits redo no work, a changed loss text redoes only that loss.</summary>
public sealed class IncrementalTests
{
    private const string Source = """
        using LossDsl;
        [Loss("bce + iou")] public sealed partial class A;
        [Loss("dice")] public sealed partial class B;
        """;

    [Fact]
    public void An_identical_rerun_is_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation).RunGenerators(compilation.Clone());

        Assert.All(Outputs(driver, Steps.Compiled), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void An_unrelated_file_leaves_every_loss_cached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public class Unrelated { }", path: "/src/Other.cs"));
        driver = driver.RunGenerators(edited);

        Assert.All(Outputs(driver, Steps.Compiled), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Theory]
    [InlineData("// a comment above everything\n", 0)]
    [InlineData("\n\n", -1)]
    public void Whitespace_or_comments_outside_the_attributes_leave_the_output_unchanged(string inserted, int at)
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var position = at < 0 ? Source.Length : at;
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().WithChanges(new Microsoft.CodeAnalysis.Text.TextChange(new Microsoft.CodeAnalysis.Text.TextSpan(position, 0), inserted))));
        driver = driver.RunGenerators(edited);

        // Above the attributes the text positions move, so the declarations are re-read, but what they compile to is
        // equal: the generated files are not touched. Below them nothing is even re-read.
        var reasons = Outputs(driver, Steps.Compiled);
        Assert.Equal(2, reasons.Length);
        Assert.All(reasons, r => Assert.Contains(r, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void A_changed_loss_text_regenerates_that_loss_only()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(tree.GetText().Replace(Source.IndexOf("dice", StringComparison.Ordinal), 4, "iou ")));
        driver = driver.RunGenerators(edited);

        var reasons = Outputs(driver, Steps.Compiled);
        // A's text and position are untouched (the edit keeps lengths), so its model is equal and its step cached.
        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified }, reasons);
    }

    [Fact]
    public void A_changed_loss_file_recompiles_only_that_file()
    {
        var first = new InMemoryAdditionalText("/src/a.loss", "loss A = bce;");
        var second = new InMemoryAdditionalText("/src/b.loss", "loss B = dice;");
        var compilation = GeneratorHarness.CreateCompilation(string.Empty);
        var driver = GeneratorHarness.CreateDriver(new AdditionalText[] { first, second }).RunGenerators(compilation);
        Assert.Equal(2, driver.GetRunResult().Results.Single().GeneratedSources.Length);

        driver = driver.ReplaceAdditionalText(second, new InMemoryAdditionalText("/src/b.loss", "loss B = iou;")).RunGenerators(compilation);

        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified }, Outputs(driver, Steps.CompiledFiles));
        Assert.Contains("RegionLosses.Iou", driver.GetRunResult().Results.Single().GeneratedSources.Single(g => g.HintName == "Tests.B.loss.g.cs").SourceText.ToString());
    }

    [Fact]
    public void Tracked_steps_hold_no_symbols_syntax_compilations_or_locations()
    {
        var driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.CreateCompilation(Source));
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;
        Assert.Contains(Steps.Declarations, steps.Keys);
        foreach (var (name, runs) in steps.Where(s => s.Key is Steps.Declarations or Steps.Compiled))
        {
            foreach (var (value, _) in runs.SelectMany(r => r.Outputs))
            {
                AssertNoRoslynObjects(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }
    }

    private static IncrementalStepRunReason[] Outputs(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private static void AssertNoRoslynObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(
            value is ISymbol or SyntaxNode or Compilation or Location or SyntaxTree,
            $"{path} holds a {value.GetType().Name}: pipeline models must be plain values to cache.");

        if (value.GetType().GetProperty("IsDefault")?.GetValue(value) is true)
        {
            return; // a default ImmutableArray: nothing inside
        }

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                AssertNoRoslynObjects(item, $"{path}[{i++}]", seen);
            }
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertNoRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
