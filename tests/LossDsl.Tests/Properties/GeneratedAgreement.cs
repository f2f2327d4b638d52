using LossDsl.Language;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Semantics;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using static TorchSharp.torch;

namespace LossDsl.Tests.Properties;

/// <summary>
/// For valid losses: the text compiles without errors, the generator's code compiles without warnings, and the
/// generated module and the run-time compiled one give identical totals, terms and gradients on random inputs.
/// </summary>
internal static class GeneratedAgreement
{
    private const string LossFilePath = "/src/properties.loss";

    public static void Holds(ValidLoss[] losses)
    {
        foreach (var loss in losses)
        {
            var compilation = LossFrontEnd.Compile("L", loss.Text, loss.Signature);
            Assert.True(compilation.Success, $"{loss}: " + string.Join("; ", compilation.Diagnostics.Where(d => d.Severity == LossSeverity.Error)));
        }

        var names = losses.Select((_, i) => "L" + i).ToArray();
        var source = "using LossDsl;\nnamespace Tests;\n" + string.Join("\n", losses.Select((l, i) => l.Declaration == Declaration.Attribute ? l.Declare(names[i]) : null).OfType<string>());
        var file = string.Join("\n", losses.Select((l, i) => l.Declaration == Declaration.LossFile ? l.Declare(names[i]) : null).OfType<string>());
        var (result, output) = GeneratorHarness.Run(source, (LossFilePath, file));

        var run = Assert.Single(result.Results);
        Assert.Null(run.Exception);
        Assert.Empty(run.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var problems = GeneratorHarness.OutputProblems(output);
        Assert.True(problems.Count == 0, "Generated code must compile without warnings:\n" + string.Join("\n", problems));

        using var assembly = GeneratedAssembly.Load(output);
        for (var i = 0; i < losses.Length; i++)
        {
            var generated = assembly.Create("Tests." + names[i]);
            using var module = generated.Module;
            using var compiled = LossCompiler.Compile(losses[i].Text, losses[i].Options);
            Assert.Equal(compiled.TermNames, generated.TermNames);
            AssertSameResults(losses[i], generated, compiled);
        }
    }

    private static void AssertSameResults(ValidLoss loss, GeneratedLoss generated, CompiledLoss compiled)
    {
        using var scope = NewDisposeScope();
        var inputs = Inputs(loss);
        var fromGenerated = Evaluate(generated.Module, inputs, generated.Terms);
        var fromCompiled = Evaluate(compiled, inputs, compiled.Terms);

        Agree(fromCompiled.Total, fromGenerated.Total, $"{loss}: total");
        Assert.Equal(fromCompiled.Terms.Select(t => t.Key), fromGenerated.Terms.Select(t => t.Key));
        foreach (var ((name, expected), (_, actual)) in fromCompiled.Terms.Zip(fromGenerated.Terms))
        {
            Agree(expected, actual, $"{loss}: term {name}");
        }

        for (var i = 0; i < fromCompiled.Gradient.Length; i++)
        {
            Agree(fromCompiled.Gradient[i], fromGenerated.Gradient[i], $"{loss}: gradient[{i}]");
        }
    }

    private static (double Total, KeyValuePair<string, double>[] Terms, double[] Gradient) Evaluate(
        LossModule loss, LossInputs inputs, Func<LossInputs, LossTerms> terms)
    {
        var x = inputs.Pred.detach().requires_grad_(true);
        var total = loss.call(inputs with { Pred = x });
        total.backward();
        using var values = terms(inputs);
        return (total.ToDouble(), values.Select(t => new KeyValuePair<string, double>(t.Key, t.Value.ToDouble())).ToArray(), Numerics.FixedInputs.ToArray(x.grad!));
    }

    /// <summary>
    /// Bit for bit, NaN and infinities included: the planner decides every kernel call and both paths make exactly those
    /// calls, with the same TorchSharp overloads for the arithmetic between terms, so no rounding may differ.
    /// </summary>
    private static void Agree(double expected, double actual, string what) =>
        Assert.True(expected.Equals(actual), $"{what}: run-time {expected:R}, generated {actual:R}");

    /// <summary>pred, target and the declared maps: weights in [0, 2] (a fifth of them 0), valid masks with the ignored share left out.</summary>
    public static LossInputs Inputs(ValidLoss loss)
    {
        var random = new Random(loss.Fill.Seed);
        var shape = loss.PredShape;
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        var scores = tensor(Enumerable.Range(0, count).Select(_ => 6 * random.NextDouble() - 3).ToArray(), dtype: ScalarType.Float64).reshape(shape);
        var pred = (loss.Signature.Input, loss.Signature.Target) switch
        {
            (InputKind.Logits, _) => scores,
            (InputKind.Probabilities, TargetKind.Labels) => scores.softmax(1),
            (InputKind.Probabilities, _) => scores.sigmoid(),
            (_, TargetKind.Labels) => scores.log_softmax(1),
            _ => nn.functional.logsigmoid(scores),
        };

        var pixels = (int)loss.TargetShape.Aggregate(1L, (a, b) => a * b);
        Tensor target;
        if (loss.Signature.Target == TargetKind.Labels)
        {
            var labels = Enumerable.Range(0, pixels).Select(_ =>
                loss.Signature.IgnoreIndex is { } ignore && random.NextDouble() < loss.Fill.Ignored ? ignore
                : random.NextDouble() < loss.Fill.Foreground ? 1 + random.Next(loss.Classes - 1) : 0L).ToArray();
            target = tensor(labels, dtype: ScalarType.Int64).reshape(loss.TargetShape);
        }
        else
        {
            var mask = Enumerable.Range(0, pixels).Select(_ =>
                loss.Fill.SoftMask ? random.NextDouble() : random.NextDouble() < loss.Fill.Foreground ? 1.0 : 0.0).ToArray();
            target = tensor(mask, dtype: ScalarType.Float64).reshape(loss.TargetShape);
        }

        Tensor? Map(PixelMap? map, Func<double> value) => map is { } kind
            ? tensor(Enumerable.Range(0, (int)loss.MapShape(kind).Aggregate(1L, (a, b) => a * b)).Select(_ => value()).ToArray(), dtype: ScalarType.Float64).reshape(loss.MapShape(kind))
            : null;

        return new LossInputs(pred.detach(), target)
        {
            PixelWeight = Map(loss.Signature.PixelWeight, () => random.NextDouble() < 0.2 ? 0 : 2 * random.NextDouble()),
            ValidMask = Map(loss.Signature.Valid, () => random.NextDouble() < Math.Max(loss.Fill.Ignored, 0.1) ? 0 : 1),
        };
    }
}
