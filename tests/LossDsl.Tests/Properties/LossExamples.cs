using System.Collections.Immutable;
using System.Text.RegularExpressions;
using LossDsl.Language;
using LossDsl.Language.Semantics;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;

namespace LossDsl.Tests.Properties;

/// <summary>A loss expression that compiles, with the signature it compiles under.</summary>
internal sealed record LossExample(string Text, LossSignature Signature)
{
    public override string ToString() => $"{Text} ({Signature.Display()})";
}

/// <summary>
/// Every valid example the repository holds, for mutation: the fixture losses and the examples of docs/language.md,
/// as expressions and as <c>.loss</c> files.
/// </summary>
internal static partial class LossExamples
{
    private static readonly LossSignature LabelsSignature = new(InputKind.Logits, TargetKind.Labels, 4, 255, LossSignature.DefaultSpatial);

    public static ImmutableArray<LossExample> Expressions { get; } = FromFixtures().Concat(FromDocs()).Distinct().ToImmutableArray();

    public static ImmutableArray<string> Files { get; } = FixtureFiles().Concat(DocsFiles()).ToImmutableArray();

    public static LossSignature SignatureOf(Fixture fixture) => new(
        (InputKind)fixture.Input,
        fixture.Labels ? TargetKind.Labels : TargetKind.Mask,
        fixture.Classes,
        fixture.IgnoreIndex,
        Enumerable.Repeat<int?>(null, fixture.PredShape.Length - 2).ToImmutableArray());

    private static IEnumerable<LossExample> FromFixtures() => Fixture.All.Select(f => new LossExample(f.Loss, SignatureOf(f)));

    /// <summary>One definition per fixture, with the fixture's signature spelled out in <c>.loss</c> syntax.</summary>
    private static IEnumerable<string> FixtureFiles() => Fixture.All.Select(f =>
        $"// {f.Name}\nloss F_{f.Name}({SignatureText.LossFileParameters(SignatureOf(f))})\n    = {f.Loss};\n");

    private static string Docs => File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "language.md"));

    /// <summary>The attribute examples, with their settings, and every inline code span that compiles as a loss.</summary>
    private static IEnumerable<LossExample> FromDocs()
    {
        foreach (Match attribute in AttributeExample().Matches(Docs))
        {
            var settings = attribute.Groups["settings"].Value;
            var labels = settings.Contains("LossTarget.Labels", StringComparison.Ordinal);
            var classes = Setting(settings, "Classes") ?? (labels ? null : 1);
            var example = new LossExample(attribute.Groups["text"].Value, new LossSignature(
                InputKind.Logits, labels ? TargetKind.Labels : TargetKind.Mask, classes, Setting(settings, "IgnoreIndex"), LossSignature.DefaultSpatial));
            if (LossFrontEnd.Compile("Docs", example.Text, example.Signature).Success)
            {
                yield return example; // not placeholders such as [Loss("...")]
            }
        }

        foreach (Match span in InlineCode().Matches(Docs))
        {
            var text = span.Groups["code"].Value;
            foreach (var signature in new[] { LossSignature.Default, LabelsSignature })
            {
                if (LossFrontEnd.Compile("Docs", text, signature).Success)
                {
                    yield return new LossExample(text, signature);
                    break;
                }
            }
        }
    }

    private static IEnumerable<string> DocsFiles() =>
        CodeBlock().Matches(Docs).Where(m => m.Groups["language"].Value.Length == 0).Select(m => m.Groups["code"].Value)
            .Where(code => code.Contains("loss ", StringComparison.Ordinal));

    private static int? Setting(string settings, string name) =>
        Regex.Match(settings, name + @"\s*=\s*(-?\d+)") is { Success: true } match ? int.Parse(match.Groups[1].Value) : null;

    [GeneratedRegex(@"\[Loss\(""(?<text>[^""]*)""(?<settings>[^\]]*)\)\]")]
    private static partial Regex AttributeExample();

    [GeneratedRegex(@"(?<!`)`(?<code>[^`\n]+)`(?!`)")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^```(?<language>\w*)\n(?<code>.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CodeBlock();
}
