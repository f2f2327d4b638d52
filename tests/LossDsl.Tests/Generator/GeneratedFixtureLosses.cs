using System.Runtime.Loader;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static TorchSharp.torch;

namespace LossDsl.Tests.Generator;

/// <summary>
/// One generated class per distinct loss text and signature of the fixtures: written as <c>[Loss(...)]</c> classes,
/// run through the source generator in memory, compiled and loaded once per test run.
/// </summary>
public sealed class GeneratedFixtureLosses
{
    private static readonly Lazy<GeneratedFixtureLosses> Shared = new(() => new GeneratedFixtureLosses(Fixture.All));

    private readonly Dictionary<string, Type> types = new(StringComparer.Ordinal);

    private GeneratedFixtureLosses(IReadOnlyList<Fixture> fixtures)
    {
        var attributes = fixtures.Select(f => Attribute(f.Loss, f.Options)).Distinct(StringComparer.Ordinal).ToArray();
        var source = "namespace LossDsl.Tests.FixtureLosses;\n" +
            string.Concat(attributes.Select((attribute, i) => $"{attribute} public sealed partial class F{i};\n"));

        var compilation = GeneratorHarness.CreateCompilation(source).WithAssemblyName("LossDsl.Tests.FixtureLosses");
        var driver = GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var errors = driver.GetRunResult().Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "Every fixture's loss must generate:\n" + string.Join("\n", errors));
        var problems = GeneratorHarness.OutputProblems(output);
        Assert.True(problems.Count == 0, "Generated code must compile without warnings:\n" + string.Join("\n", problems));

        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;

        // The default context resolves TorchSharp and LossDsl.Runtime to the assemblies this test already uses, so
        // the generated classes take and return the very Tensor and LossTerms types of the test.
        var assembly = AssemblyLoadContext.Default.LoadFromStream(image);
        for (var i = 0; i < attributes.Length; i++)
        {
            types[attributes[i]] = assembly.GetType($"LossDsl.Tests.FixtureLosses.F{i}", throwOnError: true)!;
        }
    }

    public static GeneratedFixtureLosses Instance => Shared.Value;

    /// <summary>How many classes the fixtures needed.</summary>
    public int Count => types.Count;

    /// <summary>The <c>[Loss]</c> attribute declaring <paramref name="text"/> with <paramref name="options"/>' signature.</summary>
    public static string Attribute(string text, LossOptions options)
    {
        var arguments = new List<string>
        {
            SymbolDisplay.FormatLiteral(text, quote: true),
            $"Input = global::LossDsl.LossInput.{options.Input}",
            $"Target = global::LossDsl.LossTarget.{options.Target}",
        };
        if (options.Classes is { } classes)
        {
            arguments.Add($"Classes = {classes}");
        }

        if (options.IgnoreIndex is { } ignoreIndex)
        {
            arguments.Add($"IgnoreIndex = {ignoreIndex}");
        }

        if (options.Spatial is { } spatial)
        {
            // The attribute writes a symbolic size as 0.
            arguments.Add($"Spatial = new int[] {{ {string.Join(", ", spatial.Select(size => size ?? 0))} }}");
        }

        if (options.PixelWeight != LossPixelMap.None)
        {
            arguments.Add($"PixelWeight = global::LossDsl.LossPixelMap.{options.PixelWeight}");
        }

        if (options.ValidMask != LossPixelMap.None)
        {
            arguments.Add($"ValidMask = global::LossDsl.LossPixelMap.{options.ValidMask}");
        }

        if (options.Levels is { } levels)
        {
            arguments.Add($"Levels = {levels.Count ?? LossLevels.FromCall}");
            arguments.Add(levels.WeightList is { } list
                ? $"LevelWeightList = new double[] {{ {string.Join(", ", list.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))} }}"
                : $"LevelWeights = global::LossDsl.LossLevelWeights.{levels.Weights}");
            arguments.Add($"Resize = global::LossDsl.LossResize.{levels.Resize}");
            if (levels.Stride is { } stride)
            {
                arguments.Add($"LevelStride = {stride}");
            }
        }

        return $"[global::LossDsl.Loss({string.Join(", ", arguments)})]";
    }

    /// <summary>A new instance of the class generated for the fixture's loss and signature.</summary>
    public GeneratedLoss Create(Fixture fixture) => new((LossModule)Activator.CreateInstance(TypeOf(fixture))!);

    private Type TypeOf(Fixture fixture) => types[Attribute(fixture.Loss, fixture.Options)];
}
