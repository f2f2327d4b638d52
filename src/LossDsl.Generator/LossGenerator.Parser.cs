using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using LossDsl.Generator.Model;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Emit;
using LossDsl.Language.Semantics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace LossDsl.Generator;

public sealed partial class LossGenerator
{
    /// <summary>Reads a <c>[Loss]</c> class into a <see cref="LossDeclaration"/>: the only place that touches symbols and syntax.</summary>
    private static class Parser
    {
        // Values of LossDsl.LossInput, LossDsl.LossTarget, LossDsl.LossPixelMap and LossDsl.LossLevels.FromCall in LossDsl.Runtime.
        private const int TargetLabels = 1;
        private const int PixelMapPerPixel = 1;
        private const int PixelMapPerChannel = 2;
        private const int LevelsFromCall = -1;

        public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) => node is ClassDeclarationSyntax;

        public static bool IsLossFile(string path) => path.EndsWith(".loss", System.StringComparison.OrdinalIgnoreCase);

        /// <summary>Where classes from .loss files go: the LossDslNamespace property, else the project's RootNamespace.</summary>
        public static string? LossFileNamespace(AnalyzerConfigOptionsProvider options)
        {
            foreach (var property in new[] { "build_property.LossDslNamespace", "build_property.RootNamespace" })
            {
                if (options.GlobalOptions.TryGetValue(property, out var value) && !string.IsNullOrWhiteSpace(value))
                {
                    return value.Trim();
                }
            }

            return null;
        }

        /// <summary>Where docs/diagnostics.md is, for help links: LossDslHelpLinkBase (build/LossDsl.targets sets it).</summary>
        public static string? HelpLinkBase(AnalyzerConfigOptionsProvider options) =>
            options.GlobalOptions.TryGetValue("build_property.LossDslHelpLinkBase", out var value) ? value : null;

        public static LossFileDeclaration ReadLossFile(AdditionalText file, string? ns, CancellationToken cancellationToken) =>
            new(file.Path, file.GetText(cancellationToken)?.ToString() ?? string.Empty, ns);

        public static LossDeclaration? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax declaration)
            {
                return null;
            }

            var attribute = context.Attributes[0];
            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            var path = declaration.SyntaxTree.FilePath;
            var diagnostics = new List<DiagnosticInfo>();

            CheckClass(type, declaration, path, diagnostics);

            var textArgument = attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null);
            var fallback = textArgument?.Span ?? attributeSyntax?.Span ?? declaration.Identifier.Span;
            var text = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            if (text is null)
            {
                diagnostics.Add(Info(LossDiagnostics.TextNotConstant, path, fallback));
                text = string.Empty;
            }

            var positions = textArgument is null ? null : LiteralPositions.Compute(textArgument.Expression);
            var origin = new TextOrigin(path, fallback, positions ?? EquatableArray<int>.Empty);
            var signature = ReadSignature(attribute, attributeSyntax, path, diagnostics);

            return new LossDeclaration(Describe(type), text, signature, origin, diagnostics.ToEquatableArray());
        }

        private static void CheckClass(INamedTypeSymbol type, ClassDeclarationSyntax declaration, string path, List<DiagnosticInfo> diagnostics)
        {
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(Info(LossDiagnostics.NotPartial, path, declaration.Identifier.Span, type.Name));
            }

            if (type.BaseType is { SpecialType: not SpecialType.System_Object })
            {
                var baseSyntax = declaration.BaseList?.Types.FirstOrDefault(t => t.Type is not null);
                diagnostics.Add(Info(LossDiagnostics.HasBaseClass, path, baseSyntax?.Span ?? declaration.Identifier.Span, type.Name));
            }

            if (type.IsGenericType || type.IsStatic || type.IsAbstract)
            {
                var shape = type.IsGenericType ? "generic" : type.IsStatic ? "static" : "abstract";
                diagnostics.Add(Info(LossDiagnostics.UnsupportedClass, path, declaration.Identifier.Span, type.Name, shape));
            }
        }

        private static LossSignature ReadSignature(AttributeData attribute, AttributeSyntax? syntax, string path, List<DiagnosticInfo> diagnostics)
        {
            // TypedConstant.Value throws for arrays; Spatial is read through Values below.
            var named = attribute.NamedArguments.Where(a => a.Value.Kind != TypedConstantKind.Array).ToDictionary(a => a.Key, a => a.Value.Value);
            TextSpan SpanOf(string name) =>
                syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Span ?? syntax?.Span ?? default;

            int? Enum(string name, string type, string[] members)
            {
                if (!named.TryGetValue(name, out var value) || value is not int number)
                {
                    return null;
                }

                if (number >= 0 && number < members.Length)
                {
                    return number;
                }

                diagnostics.Add(Info(LossDiagnostics.InvalidSignature, path, SpanOf(name),
                    $"{name} must be {string.Join(" or ", members.Select(m => $"{type}.{m}"))}, not {number}"));
                return null;
            }

            // LossInput's values are InputKind's.
            var input = (InputKind)(Enum("Input", "LossInput", new[] { "Logits", "Probabilities", "LogProbabilities" }) ?? 0);
            var target = Enum("Target", "LossTarget", new[] { "Mask", "Labels" }) == TargetLabels ? TargetKind.Labels : TargetKind.Mask;

            int? classes = named.TryGetValue("Classes", out var c) && c is int classCount ? classCount : null;
            int? ignoreIndex = named.TryGetValue("IgnoreIndex", out var ignore) && ignore is int ignoreValue ? ignoreValue : null;
            var spatial = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Spatial").Value is { Kind: TypedConstantKind.Array, IsNull: false } sizes
                ? sizes.Values.Select(v => v.Value is int size && size != 0 ? size : (int?)null).ToImmutableArray()
                : default;
            var pixelMaps = new[] { "None", "PerPixel", "PerChannel" };
            PixelMap? Map(string name) => Enum(name, "LossPixelMap", pixelMaps) switch
            {
                PixelMapPerPixel => PixelMap.PerPixel,
                PixelMapPerChannel => PixelMap.PerChannel,
                _ => null,
            };

            var signature = SignatureRules.Create(input, target, classes, ignoreIndex, spatial, Map("PixelWeight"), Map("ValidMask"), ReadLevels(),
                (setting, descriptor, message) => diagnostics.Add(Info(descriptor, path, SpanOf(setting.Split('[')[0]), message)));
            var scalars = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Scalars").Value is { Kind: TypedConstantKind.Array, IsNull: false } names
                ? names.Values.Select(v => v.Value as string ?? string.Empty).ToList()
                : new List<string>();
            signature = SignatureRules.WithScalars(signature, scalars, (_, message) => diagnostics.Add(Info(LossDiagnostics.InvalidSignature, path, SpanOf("Scalars"), message)));
            // LossDtype's values after Unspecified are PredDtype's, one up.
            return Enum("Dtype", "LossDtype", new[] { "Unspecified", "Float16", "BFloat16", "Float32", "Float64" }) is int dtype and > 0
                ? signature with { Dtype = (PredDtype)(dtype - 1) }
                : signature;

            // Levels = 0 (unset) is one prediction, LossLevels.FromCall (-1) takes the count from the call.
            SignatureLevels? ReadLevels()
            {
                var levels = named.TryGetValue("Levels", out var l) && l is int count ? count : 0;
                var list = attribute.NamedArguments.FirstOrDefault(a => a.Key == "LevelWeightList").Value is { Kind: TypedConstantKind.Array, IsNull: false } weights
                    ? weights.Values.Select(v => v.Value is double w ? w : double.NaN).ToImmutableArray()
                    : default;
                if (levels == 0)
                {
                    foreach (var orphan in new[] { "LevelWeights", "LevelWeightList", "Resize", "LevelStride" }.Where(attribute.NamedArguments.Select(a => a.Key).Contains))
                    {
                        diagnostics.Add(Info(LossDiagnostics.InvalidSignature, path, SpanOf(orphan), $"{orphan} applies to side outputs: set Levels too (the number of predictions, or LossLevels.FromCall)"));
                    }

                    return null;
                }

                var weighting = Enum("LevelWeights", "LossLevelWeights", new[] { "Same", "Exp", "Two" }) is { } mode ? (LevelWeighting)mode : LevelWeighting.Same;
                var resize = Enum("Resize", "LossResize", new[] { "Target", "Pred" }) is { } policy ? (ResizePolicy)policy : ResizePolicy.Target;
                int? stride = named.TryGetValue("LevelStride", out var st) && st is int strideValue ? strideValue : null;
                return list.IsDefault
                    ? new SignatureLevels(levels == LevelsFromCall ? null : levels, weighting, ImmutableArray<double>.Empty, resize) { Stride = stride }
                    : new SignatureLevels(levels == LevelsFromCall ? null : levels, LevelWeighting.List, list, resize) { Stride = stride };
            }
        }

        private static GeneratedType Describe(INamedTypeSymbol type)
        {
            var containing = new List<string>();
            for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                var keyword = outer.IsRecord
                    ? (outer.TypeKind == TypeKind.Struct ? "record struct" : "record")
                    : outer.TypeKind switch { TypeKind.Struct => "struct", TypeKind.Interface => "interface", _ => "class" };
                containing.Insert(0, $"partial {keyword} {outer.Name}");
            }

            var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
            return new GeneratedType(ns, containing.ToImmutableArray(), type.Name);
        }

        private static DiagnosticInfo Info(LossDiagnosticDescriptor descriptor, string path, TextSpan span, params string[] arguments) =>
            new(descriptor.Id, path, span, arguments.ToEquatableArray());
    }
}
