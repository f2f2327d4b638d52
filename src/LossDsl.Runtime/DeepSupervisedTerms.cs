using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// The terms of a deep-supervised loss: the weighted total, and every term of every level by the name
/// <c>level{k}/{term}</c> (<c>level0/bce</c> is the main output's bce), also typed per level in <see cref="Levels"/>.
/// Unreduced values, when asked for, are named the same way.
/// </summary>
/// <typeparam name="TLevel">The terms of one level.</typeparam>
public sealed class DeepSupervisedTerms<TLevel> : LossTerms
    where TLevel : LossTerms
{
    internal DeepSupervisedTerms(Tensor total, IReadOnlyList<TLevel> levels, IReadOnlyList<double> weights)
        : base(total, Flatten(levels, l => l), Flatten(levels, l => l.Unreduced))
    {
        Levels = levels;
        LevelWeights = weights;
    }

    /// <summary>Each level's total and terms, the main output's first.</summary>
    public IReadOnlyList<TLevel> Levels { get; }

    /// <summary>The weight of each level in the total.</summary>
    public IReadOnlyList<double> LevelWeights { get; }

    /// <summary>The name a level's term has here: <c>level2/iou</c>.</summary>
    public static string TermName(int level, string term) => "level" + level.ToString(CultureInfo.InvariantCulture) + "/" + term;

    /// <inheritdoc/>
    protected override IEnumerable<Tensor> Tensors() => base.Tensors().Concat(Levels.SelectMany(l => l.AllTensors()));

    private static IEnumerable<KeyValuePair<string, Tensor>> Flatten(IReadOnlyList<TLevel> levels, System.Func<TLevel, IEnumerable<KeyValuePair<string, Tensor>>> terms) =>
        levels.SelectMany((level, k) => terms(level).Select(t => new KeyValuePair<string, Tensor>(TermName(k, t.Key), t.Value)));
}
