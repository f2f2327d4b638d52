using System.Text.Json;
using CsCheck;
using LossDsl.Language;

namespace LossDsl.Tests.Properties;

/// <summary>
/// The front end keeps <see cref="FrontEndContract"/> on random token sequences and on random edits of every valid
/// example: it reports, never throws, never points outside the text, and plans exactly the texts without errors.
/// </summary>
public sealed class FrontEndProperties
{
    [Fact]
    public void The_examples_are_all_there_and_all_valid()
    {
        Assert.True(LossExamples.Expressions.Length > 100, $"only {LossExamples.Expressions.Length} examples: are the fixtures copied to the output?");
        Assert.Contains(LossExamples.Expressions, e => e.Text == "dice(include_background: false) + 0.5 * focal(gamma: 2)" && e.Signature.IgnoreIndex == 255);
        Assert.Contains(LossExamples.Expressions, e => e.Text == "dice(smooth: 0.5)");
        Assert.Contains(LossExamples.Files, f => f.Contains("loss Deep = BasNet + 0.1 * boundary;", StringComparison.Ordinal));
        Assert.All(LossExamples.Expressions, e => Assert.True(LossFrontEnd.Compile("L", e.Text, e.Signature).Success, e.ToString()));
        Assert.All(LossExamples.Files, f => Assert.True(LossFrontEnd.CompileFile(f).Losses.All(l => l.Plan is not null), f));
    }

    [Fact]
    public void Random_token_sequences_compile_or_report()
    {
        PropertyRun.ForAll(
            Gen.Select(LossTextGen.TokenSequence, LossTextGen.Signature),
            sample => FrontEndContract.HoldsForExpression(sample.Item1, sample.Item2),
            iterations: 4000,
            seed: 7001,
            print: sample => $"{JsonSerializer.Serialize(sample.Item1)} under {sample.Item2.Display()}");
    }

    [Fact]
    public void Random_token_sequences_as_loss_files_compile_or_report()
    {
        // Files need 'loss', a name, '=' and ';' to get anywhere: most sequences get a definition's head.
        var file = Gen.Select(Gen.OneOf("", "loss A = ", "loss A(target: labels[N, H, W] ignore 255) = ", "loss A(pred: logits[N, C, H, W], pixel_weight: map[N, C, H, W], valid: mask[N, 1, H, W]) = ", "loss B = A + "), LossTextGen.TokenSequence.Array[1, 3])
            .Select((head, bodies) => string.Concat(bodies.Select(b => head + b + ";\n")));
        PropertyRun.ForAll(file, FrontEndContract.HoldsForFile, iterations: 2000, seed: 7002, print: text => JsonSerializer.Serialize(text));
    }

    [Fact]
    public void Edited_examples_compile_or_report()
    {
        var examples = LossExamples.Expressions;
        var sample = Gen.Select(Gen.Int[0, examples.Length - 1], LossTextGen.Mutations);
        PropertyRun.ForAll(
            sample,
            s => FrontEndContract.HoldsForExpression(LossTextGen.Apply(examples[s.Item1].Text, s.Item2), examples[s.Item1].Signature),
            iterations: 4000,
            seed: 7003,
            print: s => Describe(examples[s.Item1].ToString(), s.Item2, LossTextGen.Apply(examples[s.Item1].Text, s.Item2)));
    }

    [Fact]
    public void Edited_examples_under_other_signatures_compile_or_report_at_run_time_too()
    {
        var examples = LossExamples.Expressions;
        var sample = Gen.Select(Gen.Int[0, examples.Length - 1], LossTextGen.Mutations, LossTextGen.Signature);
        PropertyRun.ForAll(
            sample,
            s =>
            {
                var text = LossTextGen.Apply(examples[s.Item1].Text, s.Item2);
                FrontEndContract.HoldsForExpression(text, s.Item3);
                FrontEndContract.HoldsForRuntimeCompiler(text, FrontEndContract.OptionsFor(s.Item3));
            },
            iterations: 1500,
            seed: 7004,
            print: s => Describe(examples[s.Item1].Text, s.Item2, LossTextGen.Apply(examples[s.Item1].Text, s.Item2)) + " under " + s.Item3.Display());
    }

    [Fact]
    public void Edited_loss_files_compile_or_report()
    {
        var files = LossExamples.Files;
        var sample = Gen.Select(Gen.Int[0, files.Length - 1], LossTextGen.Mutations);
        PropertyRun.ForAll(
            sample,
            s => FrontEndContract.HoldsForFile(LossTextGen.Apply(files[s.Item1], s.Item2)),
            iterations: 3000,
            seed: 7005,
            print: s => Describe(files[s.Item1], s.Item2, LossTextGen.Apply(files[s.Item1], s.Item2)));
    }

    [Fact]
    public void Deeply_nested_examples_compile_or_report()
    {
        // Around the parser's height limit (200) and beyond it, in every construct that nests.
        (string Open, string Close)[] wrappers =
        [
            ("(", ")"), ("-", ""), ("log(", ")"), ("pow(", ", 2)"), ("pow(2, ", ")"), ("2 * ", ""), ("abs(-(", "))"),
            ("bce(pos_weight: ", ")"), ("dice(weight: [", "])"), ("dice(smooth: (", "))"),
        ];
        var examples = LossExamples.Expressions;
        var sample = Gen.Select(Gen.Int[0, examples.Length - 1], Gen.Select(Gen.Int[0, wrappers.Length - 1], Gen.Int[1, 120]).Array[1, 4]);
        string Nest(int example, (int Wrapper, int Count)[] layers) => layers.Aggregate(examples[example].Text, (text, layer) =>
            string.Concat(Enumerable.Repeat(wrappers[layer.Wrapper].Open, layer.Count)) + text + string.Concat(Enumerable.Repeat(wrappers[layer.Wrapper].Close, layer.Count)));
        PropertyRun.ForAll(
            sample,
            s => FrontEndContract.HoldsForExpression(Nest(s.Item1, s.Item2), examples[s.Item1].Signature),
            iterations: 500,
            seed: 7006,
            print: s => JsonSerializer.Serialize(Nest(s.Item1, s.Item2)));
    }

    private static string Describe(string original, TextMutation[] mutations, string edited) =>
        $"{JsonSerializer.Serialize(original)} edited by {string.Join(", ", mutations.Select(m => m.ToString()))} = {JsonSerializer.Serialize(edited)}";
}
