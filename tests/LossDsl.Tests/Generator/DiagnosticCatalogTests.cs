using System.Text.RegularExpressions;
using LossDsl.Language.Diagnostics;

using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Generator;

/// <summary>The one list of diagnostics, the docs and the analyzer release file stay in step.</summary>
public sealed class DiagnosticCatalogTests
{
    private static readonly string Root = RepositoryRoot.Path;

    [Fact]
    public void Ids_are_unique_and_well_formed()
    {
        var ids = LossDiagnostics.All.Select(d => d.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches(@"^LOSS\d{4}$", id));
    }

    [Fact]
    public void Every_id_has_a_section_in_docs_diagnostics_md_and_nothing_else_does()
    {
        var documented = Regex.Matches(File.ReadAllText(Path.Combine(Root, "docs", "diagnostics.md")), @"^## (LOSS\d{4})$", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value);
        Assert.Equal(LossDiagnostics.All.Select(d => d.Id).Order(), documented.Order());
    }

    [Fact]
    public void Analyzer_release_file_lists_every_id_with_its_category_and_severity()
    {
        var rows = File.ReadAllLines(Path.Combine(Root, "src", "LossDsl.Generator", "AnalyzerReleases.Unshipped.md"))
            .Where(l => l.StartsWith("LOSS", StringComparison.Ordinal))
            .Select(l => string.Join(" | ", l.Split('|').Take(3).Select(c => c.Trim())));
        var expected = LossDiagnostics.All.OrderBy(d => d.Id).Select(d => $"{d.Id} | {d.Category} | {d.Severity}");
        Assert.Equal(expected, rows);
    }

    /// <summary>Lines such as <c>[Loss("ssim(10)")]   // LOSS0105 on '10': Parameter 'window' of 'ssim' must be ...</c>.</summary>
    internal const string ExamplePattern = @"^(?<code>\[Loss\(.*?\)\].*?)\s+// (?<id>LOSS\d{4})(?: on '(?<on>.*?)')?(?::\s*(?<message>.*))?$";

    public static TheoryData<string, string, string, string> DocumentedExamples()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (Match match in Regex.Matches(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics.md")), ExamplePattern, RegexOptions.Multiline))
        {
            data.Add(match.Groups["code"].Value, match.Groups["id"].Value, match.Groups["on"].Value, match.Groups["message"].Value);
        }

        return data;
    }

    [Fact]
    public void The_docs_have_an_example_for_most_ids() => Assert.True(DocumentedExamples().Count() >= 15, $"{DocumentedExamples().Count()} examples");

    [Theory]
    [MemberData(nameof(DocumentedExamples))]
    public void Examples_in_the_docs_report_what_they_say(string code, string id, string on, string message)
    {
        var source = "using LossDsl;\n" + code + (code.Contains(" class ", StringComparison.Ordinal) ? string.Empty : " public sealed partial class Example;");
        var (result, _) = Infrastructure.GeneratorHarness.Run(source);
        var diagnostic = result.Results.Single().Diagnostics.FirstOrDefault(d => d.Id == id);

        Assert.True(diagnostic is not null, $"{code} should report {id}");
        if (on.Length > 0)
        {
            Assert.Equal(on, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        }

        if (message.Length > 0)
        {
            Assert.Equal(message, diagnostic.GetMessage());
        }
    }
}
