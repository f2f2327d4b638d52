using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Emit;

/// <summary>
/// Where the generated class goes: namespace, enclosing types (outermost first, as "partial class Outer"), its name,
/// and the modifiers of the generated declaration: just <c>partial</c> when the user declared the class (attribute form),
/// <c>public sealed partial</c> when the generator declares it whole (<c>.loss</c> files).
/// </summary>
internal sealed record GeneratedType(string? Namespace, ImmutableArray<string> ContainingTypes, string Name, string Modifiers = "partial")
{
    public bool Equals(GeneratedType? other) =>
        other is not null && Namespace == other.Namespace && Name == other.Name && Modifiers == other.Modifiers && ContainingTypes.SequenceEqual(other.ContainingTypes);

    public override int GetHashCode() => ((Namespace?.GetHashCode() ?? 0) * 31) + Name.GetHashCode();

    /// <summary>The name with its enclosing types, for messages and hint names: <c>Outer.Inner</c>.</summary>
    public string DisplayName => string.Join(".", ContainingTypes.Select(c => c.Substring(c.LastIndexOf(' ') + 1)).Append(Name));

    /// <summary>A file name unique per type: <c>My.Namespace.Outer.Inner.g.cs</c>.</summary>
    public string HintName => (Namespace is null ? string.Empty : Namespace + ".") + DisplayName + ".g.cs";
}
