using System.Text;
using System.Text.Json;
using CsCheck;
using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.Tests.Properties;

/// <summary>
/// The generator never breaks a build: on edited examples, in attributes (every C# string literal form, with random
/// escapes) and in <c>.loss</c> files, it does not throw, its code always compiles, and it reports exactly the front
/// end's diagnostics, each on the very characters of the source it is about.
/// </summary>
public sealed class GeneratorProperties
{
    [Fact]
    public void Edited_attribute_texts_are_reported_on_their_own_characters_in_every_literal_form()
    {
        var examples = LossExamples.Expressions;
        var declaration = Gen.Select(Gen.Int[0, examples.Length - 1], LossTextGen.Mutations, Gen.Enum<LiteralForm>(), Gen.Int[0, 1000]);
        PropertyRun.ForAll(
            declaration.Array[4, 8],
            declarations => AttributesHold(declarations.Select(d => new EditedAttribute(examples[d.Item1], LossTextGen.Apply(examples[d.Item1].Text, d.Item2), d.Item3, d.Item4)).ToArray()),
            iterations: 30,
            seed: 7201,
            print: declarations => string.Join("\n", declarations.Select(d =>
                $"{examples[d.Item1]} edited by {string.Join(", ", d.Item2.Select(m => m.ToString()))} as {d.Item3} literal (escape seed {d.Item4})")));
    }

    [Fact]
    public void Edited_loss_files_are_reported_on_their_own_characters()
    {
        var files = LossExamples.Files;
        PropertyRun.ForAll(
            Gen.Select(Gen.Int[0, files.Length - 1], LossTextGen.Mutations).Array[2, 6],
            edits => LossFilesHold(edits.Select(e => LossTextGen.Apply(files[e.Item1], e.Item2)).ToArray()),
            iterations: 12,
            seed: 7202,
            print: edits => string.Join("\n", edits.Select(e => JsonSerializer.Serialize(LossTextGen.Apply(files[e.Item1], e.Item2)))));
    }

    private sealed record EditedAttribute(LossExample Example, string Text, LiteralForm Form, int EscapeSeed)
    {
        public CSharpLiteral Literal { get; } = CSharpLiteral.Write(Text, Form, EscapeSeed);
    }

    private static void AttributesHold(EditedAttribute[] attributes)
    {
        var source = new StringBuilder("using LossDsl;\nnamespace Tests;\n");
        var literalStarts = new int[attributes.Length];
        for (var i = 0; i < attributes.Length; i++)
        {
            source.Append("[Loss(");
            literalStarts[i] = source.Length;
            source.Append(attributes[i].Literal.Source).Append(SignatureText.AttributeSettings(attributes[i].Example.Signature))
                .Append(")]\npublic sealed partial class C").Append(i).Append(";\n");
        }

        var (result, output) = GeneratorHarness.Run(source.ToString());
        var run = Assert.Single(result.Results);
        Assert.Null(run.Exception);
        var problems = GeneratorHarness.OutputProblems(output);
        Assert.True(problems.Count == 0, "The generated code must compile without warnings:\n" + string.Join("\n", problems));

        for (var i = 0; i < attributes.Length; i++)
        {
            var (text, literal, start) = (attributes[i].Text, attributes[i].Literal, literalStarts[i]);
            var token = ((LiteralExpressionSyntax)SyntaxFactory.ParseExpression(literal.Source)).Token;
            Assert.True(token.ValueText == text, $"test encoder: {literal.Source} reads as {JsonSerializer.Serialize(token.ValueText)}, not {JsonSerializer.Serialize(text)}");

            var expected = LossFrontEnd.Compile("C" + i, text, attributes[i].Example.Signature).Diagnostics
                .Select(d => (d.Id, start + literal.Positions[d.Span.Start], start + literal.Positions[d.Span.End]));
            var actual = run.Diagnostics.Where(d => d.Location.SourceSpan.Start >= start && d.Location.SourceSpan.End <= start + literal.Source.Length)
                .Select(d => (d.Id, d.Location.SourceSpan.Start, d.Location.SourceSpan.End));
            Assert.True(expected.Order().SequenceEqual(actual.Order()),
                $"{JsonSerializer.Serialize(text)} as {literal.Source}: the front end reports [{string.Join(", ", expected)}], the generator [{string.Join(", ", actual)}]");
        }

        Assert.All(run.Diagnostics, d => Assert.True(literalStarts.Select((s, i) => d.Location.SourceSpan.Start >= s && d.Location.SourceSpan.End <= s + attributes[i].Literal.Source.Length).Any(x => x),
            $"{d} is outside every loss text"));
    }

    private static void LossFilesHold(string[] texts)
    {
        var paths = texts.Select((_, i) => $"/src/f{i}.loss").ToArray();
        var (result, output) = GeneratorHarness.Run(string.Empty, paths.Zip(texts).ToArray());
        var run = Assert.Single(result.Results);
        Assert.Null(run.Exception);

        var compilations = texts.Select(LossFrontEnd.CompileFile).ToArray();
        // A name a file defines (and plans) again after an earlier file did: the file order keeps the first, and the
        // generator reports each later definition on its name (LOSS0307), which no single file's front end can see.
        var definedEarlier = new HashSet<string>(StringComparer.Ordinal);
        var clashes = compilations.Select(c => c.Losses.Where(l => l.Plan is not null && !definedEarlier.Add(l.Name))
            .Select(l => (LossDiagnostics.DefinedInAnotherFile.Id, l.NameSpan.Start, l.NameSpan.End)).ToList()).ToArray();
        for (var i = 0; i < texts.Length; i++)
        {
            var expected = compilations[i].Diagnostics.Select(d => (d.Id, d.Span.Start, d.Span.End)).Concat(clashes[i]);
            var actual = run.Diagnostics.Where(d => d.Location.GetLineSpan().Path == paths[i]).Select(d => (d.Id, d.Location.SourceSpan.Start, d.Location.SourceSpan.End));
            Assert.True(expected.Order().SequenceEqual(actual.Order()),
                $"{JsonSerializer.Serialize(texts[i])}: the front end reports [{string.Join(", ", expected)}], the generator [{string.Join(", ", actual)}]");
        }

        // Only the first definition of a name is generated, so even then the generated code compiles cleanly.
        var problems = GeneratorHarness.OutputProblems(output);
        Assert.True(problems.Count == 0, "The generated code must compile without warnings:\n" + string.Join("\n", problems));
    }
}
