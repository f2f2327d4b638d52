using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Semantics;

/// <summary>The checked value of a primitive's parameter.</summary>
internal abstract record ArgumentValue
{
    /// <summary>How the value reads in loss text; also how the emitter and docs print it.</summary>
    public abstract string Display { get; }
}

internal sealed record NumberValue(double Value) : ArgumentValue
{
    public override string Display => NumberText.Format(Value);
}

internal sealed record BooleanValue(bool Value) : ArgumentValue
{
    public override string Display => Value ? "true" : "false";
}

/// <summary>A word from the parameter's fixed set, such as <c>auto</c> or <c>present</c>.</summary>
internal sealed record WordValue(string Word) : ArgumentValue
{
    public override string Display => Word;
}

internal sealed record NumberListValue(ImmutableArray<double> Items) : ArgumentValue
{
    public override string Display => "[" + string.Join(", ", Items.Select(i => NumberText.Format(i))) + "]";

    public bool Equals(NumberListValue? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Aggregate(17, (hash, item) => (hash * 31) + item.GetHashCode());
}

/// <summary>An optional parameter left out, where "absent" means something (no class weights).</summary>
internal sealed record NoValue : ArgumentValue
{
    public static NoValue Instance { get; } = new();

    public override string Display => "none";
}
