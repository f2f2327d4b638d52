using LossDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace LossDsl.Tests.CodeFixes;

/// <summary>
/// Roslyn's code-fix test with the LossDsl generator running, as in the IDE: the source's markup gives the diagnostics
/// the generator must report, the fix is applied (one by one and as Fix All), and the fixed source must match and draw
/// no diagnostic at all, the generated code's included.
/// </summary>
internal sealed class QuickFixTest<TFix> : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, TFix, DefaultVerifier>
    where TFix : CodeFixProvider, new()
{
    public QuickFixTest(string source, string fixedSource)
    {
        TestCode = source;
        FixedCode = fixedSource;
        // Reference assemblies from Basic.Reference.Assemblies, not downloaded: a target framework without packages.
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        TestState.AdditionalReferences.AddRange(Basic.Reference.Assemblies.Net100.References.All);
        TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(LossAttribute).Assembly.Location));
        TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(torch).Assembly.Location));
        // The generated classes are pinned by the snapshot tests; here they only have to compile.
        TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
    }

    protected override IEnumerable<Type> GetSourceGenerators() => [typeof(LossGenerator)];
}
