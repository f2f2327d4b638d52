using LossDsl.CodeFixes;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Tests.CodeFixes;

/// <summary>
/// Every quick fix applied to real source, in regular, verbatim and raw strings: the diagnostic is where the markup says,
/// the fixed source is the expected one, and the fixed loss draws no diagnostic.
/// </summary>
public sealed class QuickFixTests
{
    private const string Class = "\npublic sealed partial class L;\n";

    [Theory]
    // "Did you mean": primitives, parameters and functions.
    [InlineData("""[Loss("bce + {|LOSS0100:ioo|}")]""", """[Loss("bce + iou")]""")]
    [InlineData("""[Loss(@"bce + {|LOSS0100:ioo|}")]""", """[Loss(@"bce + iou")]""")]
    [InlineData("""[Loss("dice({|LOSS0101:smoth|}: 0.5) + bce")]""", """[Loss("dice(smooth: 0.5) + bce")]""")]
    [InlineData("""[Loss("{|LOSS0107:lg|}(bce + 1)")]""", """[Loss("log(bce + 1)")]""")]
    // Values out of range: the nearest the parameter accepts; an even window goes up to the next odd one.
    [InlineData("""[Loss("bce + ssim({|LOSS0105:10|})")]""", """[Loss("bce + ssim(11)")]""")]
    [InlineData("""[Loss("dice(smooth: {|LOSS0105:-1|})")]""", """[Loss("dice(smooth: 0)")]""")]
    [InlineData("""[Loss("focal(alpha: {|LOSS0105:1.5|})")]""", """[Loss("focal(alpha: 1)")]""")]
    [InlineData("""[Loss("bce + ssim({|LOSS0105:11|})", Spatial = new[] { 8, 8 })]""", """[Loss("bce + ssim(7)", Spatial = new[] { 8, 8 })]""")]
    [InlineData("""[Loss("dice(weight: [1, {|LOSS0105:-2|}])", Classes = 2)]""", """[Loss("dice(weight: [1, 0])", Classes = 2)]""")]
    // Numerics: a small constant where a function or a quotient leaves its domain.
    [InlineData("""[Loss("bce + log({|LOSS0905:dice|})")]""", """[Loss("bce + log(dice + 1e-6)")]""")]
    [InlineData("""[Loss("bce + pow({|LOSS0905:iou|}, 0.5)")]""", """[Loss("bce + pow(iou + 1e-6, 0.5)")]""")]
    [InlineData("""[Loss("bce / {|LOSS0906:dice|}")]""", """[Loss("bce / (dice + 1e-6)")]""")]
    [InlineData("""[Loss("bce / ({|LOSS0906:dice + iou|})")]""", """[Loss("bce / (dice + iou + 1e-6)")]""")]
    // Escapes before the fix: the characters are found through them, and the text is written as the literal needs.
    [InlineData("""[Loss("bce +\t{|LOSS0100:ioo|}")]""", """[Loss("bce +\tiou")]""")]
    public Task A_fix_in_the_loss_text(string attribute, string fixedAttribute) =>
        Verify<LossTextFixProvider>("using LossDsl;\n" + attribute + Class, "using LossDsl;\n" + fixedAttribute + Class);

    [Fact]
    public Task A_fix_in_a_raw_string()
    {
        const string before = """"
            using LossDsl;

            [Loss("""
                bce
                + {|LOSS0100:ssmi|}(11)
                """)]
            public sealed partial class L;

            """";
        const string after = """"
            using LossDsl;

            [Loss("""
                bce
                + ssim(11)
                """)]
            public sealed partial class L;

            """";
        return Verify<LossTextFixProvider>(before, after);
    }

    /// <summary>
    /// In a <c>.loss</c> file the fix is written as it is; a misspelt reference to another loss of the file is fixed too.
    /// Roslyn's test framework fixes source documents only, so this applies the fixes to the additional document as the
    /// IDE does: the generator's diagnostics, one code-fix context per diagnostic, the action's changed solution.
    /// </summary>
    [Fact]
    public async Task A_fix_in_a_loss_file()
    {
        const string path = "/src/losses.loss";
        var text = "loss Hybrid = bce + iou;\nloss Deep = Hybird + dice(smooth: -1);\n";
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject("Losses", LanguageNames.CSharp);
        var id = DocumentId.CreateNewId(project.Id);
        var solution = project.Solution.AddAdditionalDocument(id, "losses.loss", SourceText.From(text), filePath: path);
        var fixedIds = new List<string>();
        for (var round = 0; round < 2; round++)
        {
            // One fix per round, then the generator runs again on the text it left, as the IDE would.
            var diagnostic = GeneratorHarness.Run(string.Empty, (path, text)).Result.Results.Single().Diagnostics.First();
            var actions = new List<CodeAction>();
            var context = new CodeFixContext(solution.GetAdditionalDocument(id)!, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            await new LossTextFixProvider().RegisterCodeFixesAsync(context);
            var operations = await Assert.Single(actions).GetOperationsAsync(CancellationToken.None);
            solution = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
            text = (await solution.GetAdditionalDocument(id)!.GetTextAsync()).ToString();
            fixedIds.Add(diagnostic.Id);
        }

        Assert.Equal(["LOSS0100", "LOSS0105"], fixedIds);
        Assert.Equal("loss Hybrid = bce + iou;\nloss Deep = Hybrid + dice(smooth: 0);\n", text);
        Assert.Empty(GeneratorHarness.Run(string.Empty, (path, text)).Result.Results.Single().Diagnostics);
    }

    /// <summary>Text that is not one plain literal is marked as a whole: no character to replace, so no fix.</summary>
    [Fact]
    public Task Text_made_of_constants_gets_no_fix()
    {
        const string source = "using LossDsl;\npublic static class Texts { public const string Base = \"bce + \"; }\n[Loss({|LOSS0100:Texts.Base + \"ioo\"|})]" + Class;
        return Verify<LossTextFixProvider>(source, source);
    }

    /// <summary>A divisor that takes both signs has no obvious fix: a constant would not keep it from 0.</summary>
    [Fact]
    public Task A_divisor_of_both_signs_gets_no_fix()
    {
        const string source = "using LossDsl;\n[Loss(\"bce / ({|LOSS0906:dice - 0.5|})\")]" + Class;
        return Verify<LossTextFixProvider>(source, source);
    }

    [Theory]
    [InlineData("[Loss(\"bce\")]\npublic sealed class {|LOSS0300:L|};\n", "[Loss(\"bce\")]\npublic sealed partial class L;\n")]
    [InlineData("[Loss(\"bce\")]\nclass {|LOSS0300:L|}\n{\n}\n", "[Loss(\"bce\")]\npartial class L\n{\n}\n")]
    [InlineData("namespace N\n{\n    [Loss(\"bce\")]\n    internal class {|LOSS0300:L|} { }\n}\n", "namespace N\n{\n    [Loss(\"bce\")]\n    internal partial class L { }\n}\n")]
    public Task A_missing_partial_is_added(string declaration, string fixedDeclaration) =>
        Verify<MissingPartialFixProvider>("using LossDsl;\n" + declaration, "using LossDsl;\n" + fixedDeclaration);

    /// <summary>docs/diagnostics.md's table of quick fixes names exactly the diagnostics these tests fix.</summary>
    [Fact]
    public void The_docs_list_the_diagnostics_that_have_a_fix()
    {
        var markup = new System.Text.RegularExpressions.Regex(@"\{\|(LOSS\d{4}):");
        var tested = new[] { nameof(A_fix_in_the_loss_text), nameof(A_missing_partial_is_added) }
            .SelectMany(test => typeof(QuickFixTests).GetMethod(test)!.GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>())
            .SelectMany(data => data.GetData(null!).Select(row => (string)row[0]))
            .Select(source => markup.Match(source).Groups[1].Value)
            .Distinct()
            .Order(StringComparer.Ordinal);
        var page = File.ReadAllText(Path.Combine(Infrastructure.RepositoryRoot.Path, "docs", "diagnostics.md"));
        var table = page[page.IndexOf("## Quick fixes", StringComparison.Ordinal)..];
        var documented = System.Text.RegularExpressions.Regex.Matches(table, @"^\|([^|]*)\|", System.Text.RegularExpressions.RegexOptions.Multiline)
            .SelectMany(row => System.Text.RegularExpressions.Regex.Matches(row.Groups[1].Value, @"LOSS\d{4}").Select(m => m.Value))
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(tested, documented);
    }

    private static Task Verify<TFix>(string source, string fixedSource)
        where TFix : Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider, new() =>
        new QuickFixTest<TFix>(source, fixedSource).RunAsync();
}
