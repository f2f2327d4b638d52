using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Emit;

/// <summary>Where the generated class goes: namespace, enclosing types (outermost first, as "partial class Outer") and its name.</summary>
internal sealed record GeneratedType(string? Namespace, ImmutableArray<string> ContainingTypes, string Name)
{
    public bool Equals(GeneratedType? other) =>
        other is not null && Namespace == other.Namespace && Name == other.Name && ContainingTypes.SequenceEqual(other.ContainingTypes);

    public override int GetHashCode() => ((Namespace?.GetHashCode() ?? 0) * 31) + Name.GetHashCode();

    /// <summary>The name with its enclosing types, for messages and hint names: <c>Outer.Inner</c>.</summary>
    public string DisplayName => string.Join(".", ContainingTypes.Select(c => c.Substring(c.LastIndexOf(' ') + 1)).Append(Name));

    /// <summary>A file name unique per type: <c>My.Namespace.Outer.Inner.g.cs</c>.</summary>
    public string HintName => (Namespace is null ? string.Empty : Namespace + ".") + DisplayName + ".g.cs";
}
