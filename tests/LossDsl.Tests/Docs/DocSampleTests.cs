using System.Text.RegularExpressions;
using LossDsl.Language;
using LossDsl.Tests.Generator;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace LossDsl.Tests.Docs;

/// <summary>
/// Every code sample of README.md and docs/*.md compiles: C# with Roslyn and the LossDsl generator, loss files with
/// the loss compiler. A sample that fails here is a bug in the docs.
/// </summary>
/// <remarks>
/// <para>C# samples (<c>```csharp</c>). Each block is compiled on its own, against .NET 10, TorchSharp and
/// LossDsl.Runtime, with the generator running:</para>
/// <list type="bullet">
/// <item>It sees the usings of a console project with ImplicitUsings (System, System.Collections.Generic, System.IO,
/// System.Linq, System.Threading.Tasks) plus <c>LossDsl</c>, <c>TorchSharp</c> and <c>static TorchSharp.torch</c>,
/// so a block need not repeat them (writing them does no harm).</item>
/// <item>It may use, without declaring them, the tensors <c>logits</c>, <c>mask</c>, <c>labels</c>, <c>pred</c>,
/// <c>target</c> and <c>images</c> (<see cref="Prelude"/>); a local or parameter of the same name takes precedence.</item>
/// <item>A block with statements at its top level compiles as a program (top-level statements, then its type
/// declarations, as C# requires); a block of declarations only compiles as a library.</item>
/// <item>The loss-file samples of the same page (below) are the project's <c>.loss</c> files, so a C# block can use
/// the classes they define, in the namespace <c>MyApp</c> (the project's RootNamespace).</item>
/// <item>No errors and no warnings, the generator's included (and its suggestions): a sample should not teach code that warns.</item>
/// <item><c>```csharp ignore</c> skips a block (none does today). A block with a <c>// LOSS0xxx</c> comment
/// shows a mistake on purpose: it must be in docs/diagnostics.md and made of lines that
/// <see cref="DiagnosticCatalogTests"/> checks (the diagnostic is reported, on those characters, with that message).</item>
/// </list>
/// <para>Loss-file samples: an untagged (or <c>```loss</c>) block whose first line starts with <c>loss </c> or
/// <c>// </c> and that defines a loss (<c>loss X = ...;</c>) is a <c>.loss</c> file, compiled with
/// <see cref="LossFrontEnd.CompileFile"/>: no errors, no warnings. One with <c>// LOSS0xxx on '...': message</c> comments shows a mistake: each named diagnostic
/// must be reported, on the quoted characters, with a message containing the quoted text.</para>
/// <para>The examples' READMEs quote their own programs, which the solution builds; they are not scanned here.</para>
/// </remarks>
public sealed class DocSampleTests
{
    private const string RootNamespace = "MyApp";

    private const string ErrorMarker = "// LOSS0";

    private static readonly Regex LossDefinition = new(@"^\s*loss\s+[A-Za-z_]\w*\s*[(=]", RegexOptions.Multiline);

    private static readonly Regex Expected = new(@"// (?<id>LOSS\d{4})(?: on '(?<on>.*?)')?(?::\s*(?<message>.*))?$", RegexOptions.Multiline);

    /// <summary>The tensors every C# sample may use without declaring them, and the implicit usings.</summary>
    private const string Prelude = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading.Tasks;
        global using LossDsl;
        global using TorchSharp;
        global using static TorchSharp.torch;
        global using static DocSampleInputs;

        internal static class DocSampleInputs
        {
            public static Tensor logits => Unavailable();
            public static Tensor mask => Unavailable();
            public static Tensor labels => Unavailable();
            public static Tensor pred => Unavailable();
            public static Tensor target => Unavailable();
            public static Tensor images => Unavailable();

            private static Tensor Unavailable() => throw new InvalidOperationException("Doc samples are compiled, not run.");
        }
        """;

    private static readonly IReadOnlyList<MarkdownCodeBlock> Blocks = Documents().SelectMany(f => MarkdownCodeBlock.Read(RepositoryRoot.Path, f)).ToList();

    public static TheoryData<string, int> CSharpSamples() => Data(Blocks.Where(IsCSharp).Where(b => !b.Has("ignore") && !b.Text.Contains(ErrorMarker, StringComparison.Ordinal)));

    public static TheoryData<string, int> LossFileSamples() => Data(Blocks.Where(IsLossFile).Where(b => !b.Text.Contains(ErrorMarker, StringComparison.Ordinal)));

    public static TheoryData<string, int> LossFileErrorSamples() => Data(Blocks.Where(IsLossFile).Where(b => b.Text.Contains(ErrorMarker, StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(CSharpSamples))]
    public void CSharp_sample_compiles_without_warnings(string file, int line)
    {
        var block = Find(file, line);
        var problems = CompileCSharp(block);
        Assert.True(problems.Count == 0, $"{block} does not compile cleanly:\n{string.Join("\n", problems)}\n\n{block.Text}");
    }

    [Theory]
    [MemberData(nameof(LossFileSamples))]
    public void Loss_file_sample_compiles_without_warnings(string file, int line)
    {
        var block = Find(file, line);
        var compilation = LossFrontEnd.CompileFile(block.Text);
        Assert.True(compilation.Diagnostics.IsEmpty, $"{block}:\n{string.Join("\n", compilation.Diagnostics.Select(d => $"{d.Id} at {d.Span.Start}: {d.Message}"))}");
        Assert.All(compilation.Losses, l => Assert.NotNull(l.Plan));
    }

    [Theory]
    [MemberData(nameof(LossFileErrorSamples))]
    public void Loss_file_error_sample_reports_what_its_comments_say(string file, int line)
    {
        var block = Find(file, line);
        var diagnostics = LossFrontEnd.CompileFile(block.Text).Diagnostics;
        var expectations = Expected.Matches(block.Text);
        Assert.NotEmpty(expectations);
        foreach (Match expected in expectations)
        {
            var id = expected.Groups["id"].Value;
            var on = expected.Groups["on"].Value;
            var message = expected.Groups["message"].Value;
            var found = diagnostics.Where(d => d.Id == id).ToList();
            Assert.True(found.Count > 0, $"{block}: {id} is not reported; reported: {string.Join(", ", diagnostics.Select(d => d.Id))}");
            Assert.Contains(found, d => (on.Length == 0 || block.Text.Substring(d.Span.Start, d.Span.Length) == on)
                && d.Message.Contains(message, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void CSharp_error_samples_are_the_diagnostic_examples_their_own_test_checks()
    {
        var samples = Blocks.Where(IsCSharp).Where(b => b.Text.Contains(ErrorMarker, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(samples);
        Assert.All(samples, b =>
        {
            Assert.Equal("docs/diagnostics.md", b.File);
            Assert.All(b.Text.Split('\n').Where(l => l.Trim().Length > 0), l => Assert.Matches(DiagnosticCatalogTests.ExamplePattern, l));
        });
    }

    [Fact]
    public void Samples_are_found_and_none_is_empty()
    {
        Assert.True(CSharpSamples().Count() >= 10, $"{CSharpSamples().Count()} C# samples");
        Assert.True(LossFileSamples().Count() >= 4, $"{LossFileSamples().Count()} loss-file samples");
        Assert.All(Blocks, b => Assert.True(b.Text.Trim().Length > 0, $"{b} is an empty code block"));
    }

    private static IReadOnlyList<Diagnostic> CompileCSharp(MarkdownCodeBlock block)
    {
        // #line makes every diagnostic point at the Markdown line.
        var compilation = GeneratorHarness.CreateCompilation($"#line {block.Line + 1} \"{block.File}\"\n{block.Text}\n", block.File);
        var tree = compilation.SyntaxTrees.Single();
        var isProgram = tree.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();
        compilation = compilation
            .WithOptions(compilation.Options.WithOutputKind(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(Prelude, (CSharpParseOptions)tree.Options, "DocSamplePrelude.cs"));

        var lossFiles = Blocks.Where(b => b.File == block.File && IsLossFile(b) && !b.Text.Contains(ErrorMarker, StringComparison.Ordinal))
            .Select(b => ($"/{b.File}.{b.Line}.loss", b.Text));
        GeneratorHarness.CreateDriver(lossFiles, new Dictionary<string, string> { ["RootNamespace"] = RootNamespace })
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        // LossDsl's suggestions count too (a negligible weight): a sample should not teach a loss the compiler questions.
        return generatorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Info)
            .Concat(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)).ToList();
    }

    private static bool IsCSharp(MarkdownCodeBlock block) => block.Language == "csharp";

    private static bool IsLossFile(MarkdownCodeBlock block) =>
        (block.Language.Length == 0 || block.Language == "loss")
        && (block.Text.StartsWith("loss ", StringComparison.Ordinal) || block.Text.StartsWith("// ", StringComparison.Ordinal))
        && LossDefinition.IsMatch(block.Text);

    private static MarkdownCodeBlock Find(string file, int line) => Blocks.Single(b => b.File == file && b.Line == line);

    private static TheoryData<string, int> Data(IEnumerable<MarkdownCodeBlock> blocks)
    {
        var data = new TheoryData<string, int>();
        foreach (var block in blocks)
        {
            data.Add(block.File, block.Line);
        }

        return data;
    }

    private static IEnumerable<string> Documents() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md").Order(StringComparer.Ordinal).Select(f => "docs/" + Path.GetFileName(f)));
}
