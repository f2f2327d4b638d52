using System.Collections.Immutable;
using System.Diagnostics;
using Basic.Reference.Assemblies;
using LossDsl.Benchmarks.Measurements;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using LossGenerator = LossDsl.Generator.LossGenerator;

namespace LossDsl.Benchmarks.GeneratorCost;

/// <summary>
/// Times the LossDsl generator on <see cref="GeneratorWorkload"/> with Roslyn's <see cref="CSharpGeneratorDriver"/>,
/// the way the compiler runs it (no step tracking):
/// <list type="bullet">
/// <item>first run: a new driver's first run in this process, JIT included (an IDE or build server's first build);</item>
/// <item>cold: a new driver on the same compilation, median of runs after the first (a build server's clean build);</item>
/// <item>unrelated edit: a driver that has run, rerun after one method body of another file changed (incremental),
/// median; also with the attributes only, the .loss file only, no declaration at all, and the attributes with a
/// generator that does nothing but find them (<see cref="AttributeFloorGenerator"/>), to show where it goes.</item>
/// </list>
/// Cold and edit timings follow an untimed warm-up (the JIT's tiers, not the generator's work, would dominate the
/// first hundred runs). The input compilation (parsed trees, references) is built before timing: parsing the user's files is the
/// compiler's work, not the generator's.
/// </summary>
public static class GeneratorCostMeasurement
{
    private const string UnrelatedPath = "/src/Unrelated.cs";

    /// <summary>Runs the measurement; throws if the generator reports any diagnostic or an edit regenerates anything.</summary>
    /// <param name="coldRuns">Fresh-driver runs after the first.</param>
    /// <param name="edits">Unrelated edits timed.</param>
    public static GeneratorCostResult Measure(int coldRuns = 10, int edits = 50)
    {
        var compilation = CreateCompilation(GeneratorWorkload.AttributeSource());
        var lossFile = new InMemoryText("/src/workload.loss", GeneratorWorkload.LossFile());

        var clock = Stopwatch.StartNew();
        var driver = CreateDriver(lossFile, track: false).RunGenerators(compilation);
        var first = clock.Elapsed.TotalMilliseconds;
        var result = driver.GetRunResult();
        var generated = result.GeneratedTrees.Length;
        if (result.Diagnostics.Length > 0 || generated != 2 * GeneratorWorkload.PerKind)
        {
            throw new InvalidOperationException(
                $"The workload must generate {2 * GeneratorWorkload.PerKind} files without diagnostics; got {generated} files and:\n{string.Join("\n", result.Diagnostics)}");
        }

        // Warm-up, not timed: Roslyn's binder runs at the JIT's first tiers at first (the NuGet assemblies are not
        // precompiled), which would be timed as the generator's cost; a compiler server is long past that.
        for (var i = 0; i < 3; i++)
        {
            CreateDriver(lossFile, track: false).RunGenerators(compilation);
        }

        EditMedian(compilation, lossFile, 3 * edits);
        FloorEditMedian(compilation, edits);

        var cold = new List<double>();
        for (var i = 0; i < coldRuns; i++)
        {
            clock.Restart();
            CreateDriver(lossFile, track: false).RunGenerators(compilation);
            cold.Add(clock.Elapsed.TotalMilliseconds);
        }

        return new GeneratorCostResult(
            generated,
            first,
            Statistics.Median(cold),
            EditMedian(compilation, lossFile, edits),
            EditMedian(compilation, null, edits),
            EditMedian(CreateCompilation(string.Empty), lossFile, edits),
            EditMedian(CreateCompilation(string.Empty), null, edits),
            FloorEditMedian(compilation, edits),
            CheckEditIsCached(compilation, lossFile));
    }

    /// <summary>The median time of a driver's rerun after an unrelated edit, on the given inputs.</summary>
    private static double EditMedian(CSharpCompilation compilation, AdditionalText? lossFile, int edits) =>
        EditMedian(CreateDriver(lossFile, track: false), compilation, edits);

    /// <summary>The same edit with <see cref="AttributeFloorGenerator"/> in place of the LossDsl generator.</summary>
    private static double FloorEditMedian(CSharpCompilation compilation, int edits) =>
        EditMedian(CSharpGeneratorDriver.Create(new AttributeFloorGenerator()), compilation, edits);

    private static double EditMedian(GeneratorDriver driver, CSharpCompilation compilation, int edits)
    {
        driver = driver.RunGenerators(compilation);

        // Each series starts from a collected heap, so that it does not pay for the garbage of what ran before it (the
        // series measured right after the cold runs took 2 to 3 ms more per edit than the same work measured later).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var times = new List<double>();
        var clock = new Stopwatch();
        for (var i = 1; i <= edits; i++)
        {
            compilation = Edit(compilation, i);
            clock.Restart();
            driver = driver.RunGenerators(compilation);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return Statistics.Median(times);
    }

    /// <summary>
    /// With step tracking on: after an unrelated edit every source output must be Cached or Unchanged (nothing is
    /// regenerated). Returns, per tracked step, the reasons its outputs had, counted (Unchanged: the step ran again and
    /// produced an equal value; Cached: it did not run).
    /// </summary>
    private static string CheckEditIsCached(CSharpCompilation compilation, AdditionalText lossFile)
    {
        var driver = CreateDriver(lossFile, track: true).RunGenerators(compilation).RunGenerators(Edit(compilation, 1));
        var run = driver.GetRunResult().Results.Single();
        var outputs = Reasons(run.TrackedOutputSteps);
        if (outputs.Any(r => r.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)))
        {
            throw new InvalidOperationException("An unrelated edit regenerated output: " + Describe(outputs));
        }

        return string.Join("; ", run.TrackedSteps.OrderBy(s => s.Key).Select(s => $"{s.Key}: {Describe(Reasons(new Dictionary<string, ImmutableArray<IncrementalGeneratorRunStep>> { [s.Key] = s.Value }))}"))
            + "; source outputs: " + Describe(outputs);
    }

    private static List<(IncrementalStepRunReason Reason, int Count)> Reasons(IEnumerable<KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>>> steps) =>
        steps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).GroupBy(o => o.Reason).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToList();

    private static string Describe(List<(IncrementalStepRunReason Reason, int Count)> reasons) => string.Join(", ", reasons.Select(r => $"{r.Count} {r.Reason}"));

    private static CSharpCompilation Edit(CSharpCompilation compilation, int revision)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == UnrelatedPath);
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(GeneratorWorkload.UnrelatedSource(revision))));
    }

    private static CSharpCompilation CreateCompilation(string attributeSource)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var references = ImmutableArray<MetadataReference>.CastUp(Net100.References.All)
            .Add(MetadataReference.CreateFromFile(typeof(torch).Assembly.Location))
            .Add(MetadataReference.CreateFromFile(typeof(LossAttribute).Assembly.Location));
        return CSharpCompilation.Create(
            "GeneratorCost",
            new[]
            {
                CSharpSyntaxTree.ParseText(attributeSource, options, "/src/Losses.cs"),
                CSharpSyntaxTree.ParseText(GeneratorWorkload.UnrelatedSource(0), options, UnrelatedPath),
            },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static GeneratorDriver CreateDriver(AdditionalText? lossFile, bool track) => CSharpGeneratorDriver.Create(
        new[] { new LossGenerator().AsSourceGenerator() },
        lossFile is null ? Array.Empty<AdditionalText>() : new[] { lossFile },
        new CSharpParseOptions(LanguageVersion.Latest),
        new OptionsProvider(new Dictionary<string, string> { ["build_property.RootNamespace"] = "Workload" }),
        new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class OptionsProvider(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(new Dictionary<string, string>());

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

/// <summary>
/// Generator timings in milliseconds, and what the unrelated edit left cached. The edit is also timed with only the
/// attributes, only the .loss file, and neither (the driver's own cost for a changed compilation).
/// </summary>
public sealed record GeneratorCostResult(
    int GeneratedFiles,
    double FirstRunMs,
    double ColdMs,
    double UnrelatedEditMs,
    double EditAttributesOnlyMs,
    double EditLossFileOnlyMs,
    double EditNoDeclarationsMs,
    double EditAttributeFloorMs,
    string EditOutputs);
