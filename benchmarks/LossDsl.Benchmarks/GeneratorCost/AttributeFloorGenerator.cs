using Microsoft.CodeAnalysis;

namespace LossDsl.Benchmarks.GeneratorCost;

/// <summary>
/// The least any generator keyed on <c>[Loss]</c> can do: <c>ForAttributeWithMetadataName</c> with a transform that
/// returns the class name, and no output. Its cost after an unrelated edit is Roslyn's own (finding and binding the
/// attributes again for the new compilation), the floor under the LossDsl generator's.
/// </summary>
public sealed class AttributeFloorGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var names = context.SyntaxProvider.ForAttributeWithMetadataName(
            "LossDsl.LossAttribute",
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
            static (syntax, _) => syntax.TargetSymbol.Name);
        context.RegisterSourceOutput(names.Collect(), static (_, _) => { });
    }
}
