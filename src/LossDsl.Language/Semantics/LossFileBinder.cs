using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>A checked definition of a <c>.loss</c> file; <see cref="Body"/> is null when it has errors.</summary>
internal sealed record BoundDefinition(LossDefinitionSyntax Syntax, LossSignature Signature, BoundExpression? Body)
{
    public string Name => Syntax.Name.Name;
}

/// <summary>
/// Binds every definition of a <c>.loss</c> file. Definitions may use each other by name, in any order; a use
/// splices in the other's checked expression (its terms keep their names), provided the signatures match and the
/// references do not go round in a circle.
/// </summary>
internal sealed class LossFileBinder : ILossReferences
{
    /// <summary>How many references deep one definition may go before it is refused; bounds every later recursion.</summary>
    public const int MaxReferenceDepth = 16;

    private static readonly ImmutableHashSet<string> GeneratedMembers = ImmutableHashSet.Create(
        StringComparer.Ordinal, "Source", "TermNames", "Terms", "Evaluate", "EvaluateLevel", "forward");

    private readonly Dictionary<string, LossDefinitionSyntax> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BoundDefinition> bound = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DiagnosticBag> bags = new(StringComparer.Ordinal);
    private readonly Stack<(string Name, LossSignature Signature, DiagnosticBag Diagnostics)> binding = new();

    private readonly string text;

    private LossFileBinder(string text) => this.text = text;

    public IEnumerable<string> Names => byName.Keys;

    /// <summary>Binds the file's definitions; returns them in file order, with each one's own diagnostics.</summary>
    /// <param name="file">The parsed file.</param>
    /// <param name="text">The file's text, which the analyses quote in their messages.</param>
    /// <param name="fileDiagnostics">Where problems of the file as a whole go (duplicate and invalid names).</param>
    public static ImmutableArray<(BoundDefinition Definition, ImmutableArray<LossDiagnostic> Diagnostics)> Bind(LossFileSyntax file, string text, DiagnosticBag fileDiagnostics)
    {
        var binder = new LossFileBinder(text);
        var unique = new List<LossDefinitionSyntax>();
        foreach (var definition in file.Definitions)
        {
            var name = definition.Name;
            if (name.Name.Length == 0)
            {
                continue; // the parser reported the missing name
            }

            if (binder.byName.ContainsKey(name.Name))
            {
                fileDiagnostics.Add(LossDiagnostics.DuplicateDefinition, name.Span, name.Name);
                continue;
            }

            if (InvalidNameReason(name.Name) is { } reason)
            {
                fileDiagnostics.Add(LossDiagnostics.InvalidDefinitionName, name.Span, name.Name, reason);
                continue;
            }

            binder.byName.Add(name.Name, definition);
            unique.Add(definition);
        }

        foreach (var definition in unique)
        {
            binder.BindDefinition(definition);
        }

        return unique.Select(d => (binder.bound[d.Name.Name], binder.bags[d.Name.Name].ToImmutable())).ToImmutableArray();
    }

    public BoundExpression? Resolve(NameSyntax reference)
    {
        if (!byName.TryGetValue(reference.Name, out var definition))
        {
            return null;
        }

        var (current, signature, diagnostics) = binding.Peek();
        if (binding.Any(b => b.Name == reference.Name))
        {
            var path = binding.Reverse().Select(b => b.Name).SkipWhile(n => n != reference.Name).Append(reference.Name);
            diagnostics.Add(LossDiagnostics.CyclicReference, reference.Span, current, string.Join(" → ", path));
            return new BoundError(reference.Span);
        }

        if (binding.Count >= MaxReferenceDepth)
        {
            diagnostics.Add(LossDiagnostics.TooDeep, reference.Span, MaxReferenceDepth.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new BoundError(reference.Span);
        }

        var target = BindDefinition(definition);
        if (target.Body is null)
        {
            diagnostics.Add(LossDiagnostics.ReferenceToBrokenLoss, reference.Span, current, reference.Name);
            return new BoundError(reference.Span);
        }

        // A deep-supervised loss evaluates its expression once per level, so it may use a loss of one level.
        var levelSignature = target.Signature.Levels is null ? signature with { Levels = null } : signature;
        if (!target.Signature.Equals(levelSignature))
        {
            diagnostics.Add(LossDiagnostics.ReferenceSignatureMismatch, reference.Span, reference.Name, target.Signature.Display(), current, signature.Display());
            return new BoundError(reference.Span);
        }

        return target.Body;
    }

    private BoundDefinition BindDefinition(LossDefinitionSyntax definition)
    {
        var name = definition.Name.Name;
        if (bound.TryGetValue(name, out var done))
        {
            return done;
        }

        var diagnostics = new DiagnosticBag();
        var signature = SignatureBinder.Bind(definition.Signature, diagnostics);
        binding.Push((name, signature, diagnostics));
        var body = Binder.Bind(definition.Body, text, signature, diagnostics, this);
        binding.Pop();

        var result = new BoundDefinition(definition, signature, diagnostics.HasErrors || body is BoundError ? null : body);
        bound[name] = result;
        bags[name] = diagnostics;
        return result;
    }

    /// <summary>Why <paramref name="name"/> cannot name a loss (and so its generated class), or null when it can.</summary>
    internal static string? InvalidNameReason(string name)
    {
        if (Catalog.Find(name) is not null)
        {
            return "it is a primitive of the catalog";
        }

        if (ScalarFunctions.Parse(name) is not null)
        {
            return "it is a scalar function";
        }

        if (IsCSharpKeyword(name))
        {
            return "it is a C# keyword, and each loss becomes a class of that name";
        }

        return GeneratedMembers.Contains(name) ? "the generated class has a member of that name" : null;
    }

    /// <summary>Whether <paramref name="name"/> is a reserved C# keyword, which no class or namespace can be called.</summary>
    internal static bool IsCSharpKeyword(string name) => CSharpKeywords.Contains(name);

    private static readonly ImmutableHashSet<string> CSharpKeywords = ImmutableHashSet.Create(
        StringComparer.Ordinal,
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while");
}
