using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;
using LossDsl.Language.Syntax;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Editors;

/// <summary>
/// The TextMate grammar of <c>.loss</c> files (editors/vscode) takes every name from the compiler's catalog: its
/// <c>primitive</c>, <c>argument-name</c>, <c>scalar-function</c> and <c>word</c> patterns are generated here, and the
/// signature's <c>signature-role</c>, <c>input-kind</c>, <c>level-clause</c> and <c>level-word</c> from the signature
/// binder and the parser's clauses, so a name added to the compiler
/// fails this test until the grammar has it
/// (<c>LOSSDSL_ACCEPT=1</c> rewrites them). The rest of the grammar is written by hand and tested by tokenizing
/// (editors/vscode/test, run by .ci/run).
/// </summary>
public sealed class TextMateGrammarTests
{
    private static readonly string GrammarPath = Path.Combine(RepositoryRoot.Path, "editors", "vscode", "syntaxes", "loss.tmLanguage.json");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public void Grammar_names_are_the_catalogs()
    {
        var text = File.ReadAllText(GrammarPath).Replace("\r\n", "\n");
        var grammar = JsonNode.Parse(text)!;
        var repository = grammar["repository"]!;
        foreach (var (rule, match) in GeneratedPatterns())
        {
            repository[rule]!["match"] = match;
        }

        var expected = grammar.ToJsonString(Indented) + "\n";
        if (expected == text)
        {
            return;
        }

        if (Snapshot.Accepting)
        {
            File.WriteAllText(GrammarPath, expected);
            return;
        }

        Assert.Fail($"{GrammarPath} is out of date with the catalog; rerun with {Snapshot.AcceptVariable}=1 to regenerate its names:\n"
            + Snapshot.UnifiedDiff(text, expected));
    }

    [Fact]
    public void Every_catalog_name_matches_its_pattern_and_no_other_name_does()
    {
        var patterns = GeneratedPatterns().ToDictionary(p => p.Rule, p => new Regex(p.Match));

        Assert.All(Primitives(), name => Assert.Matches(patterns["primitive"], name));
        Assert.All(Parameters(), name => Assert.Matches(patterns["argument-name"], name + ": 1"));
        Assert.All(ScalarFunctions.Names, name => Assert.Matches(patterns["scalar-function"], name));
        Assert.All(Words(), name => Assert.Matches(patterns["word"], name));
        // Whole words only: a longer name or a prefix is not a primitive.
        Assert.DoesNotMatch(patterns["primitive"], "dices");
        Assert.DoesNotMatch(patterns["primitive"], "dice_2");
        Assert.DoesNotMatch(patterns["primitive"], "bc");
        Assert.DoesNotMatch(patterns["argument-name"], "smoothing: 1");
    }

    private static IEnumerable<(string Rule, string Match)> GeneratedPatterns()
    {
        yield return ("primitive", Words(Primitives()));
        yield return ("argument-name", $@"\b({string.Join("|", Parameters())})\s*(:)");
        yield return ("scalar-function", Words(ScalarFunctions.Names));
        yield return ("word", Words(Words()));
        yield return ("signature-role", $@"\b({string.Join("|", SignatureBinder.RoleNames)})\s*(:)");
        yield return ("input-kind", Words(SignatureBinder.KindNames));
        // pred's clauses: deep supervision's and its dtype, with their words.
        yield return ("level-clause", Words(SignatureClauses.LevelClauses.Add(SignatureClauses.Dtype)));
        yield return ("level-word", Words(SignatureBinder.LevelWords.Concat(LossSignature.DtypeNames)));
    }

    private static string Words(IEnumerable<string> names) => $@"\b(?:{string.Join("|", names)})\b";

    private static IEnumerable<string> Primitives() =>
        Catalog.Primitives.SelectMany(p => p.Aliases.Add(p.Name)).Distinct().Order(StringComparer.Ordinal);

    private static IEnumerable<ParameterDefinition> AllParameters() =>
        Catalog.Primitives.SelectMany(p => p.Variants).SelectMany(v => v.Parameters);

    private static IEnumerable<string> Parameters() => AllParameters().Select(p => p.Name).Distinct().Order(StringComparer.Ordinal);

    // The values a parameter takes as words: true and false, and the words of the catalog (pos_weight: auto).
    private static IEnumerable<string> Words() =>
        new[] { new BooleanValue(true).Display, new BooleanValue(false).Display }
            .Concat(AllParameters().SelectMany(p => p.AllowedWords))
            .Distinct()
            .Order(StringComparer.Ordinal);
}
