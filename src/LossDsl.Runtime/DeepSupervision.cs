using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// Deep supervision (docs/language.md, "Deep supervision"): the loss's expression once per level, each against the
/// target at that level's size, summed with the level weights. Generated and run-time compiled losses both call this,
/// with their own evaluation of one level.
/// </summary>
public static class DeepSupervision
{
    /// <summary>
    /// Σ_k w_k · loss(pred_k, target_k), and every level's terms. With <see cref="LossResize.Target"/> the target, weight
    /// map and valid mask are resized to each prediction whose size differs (nearest-exact); with
    /// <see cref="LossResize.Pred"/> such a prediction is resized to the target (multilinear).
    /// </summary>
    /// <typeparam name="TLevel">The terms of one level.</typeparam>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="inputs">The call's inputs; <see cref="LossInputs.Preds"/> holds the levels, the main output first.</param>
    /// <param name="levels">The declared levels.</param>
    /// <param name="evaluateLevel">One level's terms from that level's inputs (one prediction, the target at its size).</param>
    /// <param name="unreduced">Also each level's unreduced values.</param>
    public static DeepSupervisedTerms<TLevel> Evaluate<TLevel>(string loss, LossInputs inputs, LossLevels levels, Func<LossInputs, bool, TLevel> evaluateLevel, bool unreduced)
        where TLevel : LossTerms
    {
        var preds = inputs.Preds;
        CheckCount(loss, levels, preds.Count);
        var signature = levels.ToSignature();
        var main = preds[0];
        var rank = main.dim() - 2;
        var targetSize = SpatialSize(loss, "target", inputs.Target, main, rank);
        // The maps are resized with the target, so they must fit it here: a map that fits no level would be resized
        // into one that seems to fit a lower level.
        foreach (var (name, map) in new[] { ("pixel weight map", inputs.PixelWeight), ("valid mask", inputs.ValidMask) })
        {
            if (map is not null && !SpatialSize(loss, name, map, main, rank).SequenceEqual(targetSize))
            {
                throw new ArgumentException(
                    $"{loss}: the {name} is [{string.Join(", ", map.shape)}]; its spatial size must be the target's, [{string.Join(", ", targetSize)}], and every level's is resized from it.",
                    nameof(inputs));
            }
        }

        var results = new List<TLevel>(preds.Count);
        var weights = new double[preds.Count];
        for (var k = 0; k < preds.Count; k++)
        {
            var pred = preds[k];
            if (pred.dim() != main.dim() || pred.size(0) != main.size(0) || pred.size(1) != main.size(1))
            {
                throw new ArgumentException(
                    $"{loss}: level {k}'s prediction is [{string.Join(", ", pred.shape)}], but side outputs share the main output's batch, classes and rank: [{main.size(0)}, {main.size(1)}, {string.Join(", ", Enumerable.Repeat("*", (int)rank))}].",
                    nameof(inputs));
            }

            var size = pred.shape.Skip(2).ToArray();
            if (levels.Stride is { } stride)
            {
                var expected = main.shape.Skip(2).Select(d => signature.SizeAt(k, d)).ToArray();
                if (!size.SequenceEqual(expected))
                {
                    throw new ArgumentException(
                        $"{loss}: level {k}'s prediction is [{string.Join(", ", pred.shape)}], but with stride {stride} its spatial size is [{string.Join(", ", expected)}]: the main output first, then each side output {stride} times smaller than the one before.",
                        nameof(inputs));
                }
            }

            var level = size.SequenceEqual(targetSize) ? inputs with { Pred = pred }
                : levels.Resize == LossResize.Pred ? inputs with { Pred = Kernels.Resize.Multilinear(pred, targetSize) }
                : new LossInputs(pred, Kernels.Resize.NearestExact(inputs.Target, size))
                {
                    PixelWeight = inputs.PixelWeight is { } w ? Kernels.Resize.NearestExact(w, size) : null,
                    ValidMask = inputs.ValidMask is { } v ? Kernels.Resize.NearestExact(v, size) : null,
                };
            results.Add(evaluateLevel(level, unreduced));
            weights[k] = signature.Weight(k);
        }

        var total = results.Select((r, k) => weights[k] == 1 ? r.Total : r.Total * weights[k]).Aggregate((a, b) => a + b);
        return new DeepSupervisedTerms<TLevel>(total, results, weights);
    }

    /// <summary>A static count, or a list of weights, fixes how many predictions a call gives.</summary>
    private static void CheckCount(string loss, LossLevels levels, int given)
    {
        var expected = levels.Count ?? levels.WeightList?.Count;
        if (expected is { } count && given != count)
        {
            var why = levels.Count is null ? $"its {count} level weights give" : "it declares";
            throw new ArgumentException(
                $"{loss}: the loss takes {count} predictions (the main output, then its side outputs), as {why}, not {given}: new LossInputs(preds, target) with one tensor per level.",
                nameof(LossInputs.Preds));
        }
    }

    /// <summary>
    /// The spatial sizes of a target or map beside <paramref name="pred"/> [N, C, *spatial]: its last
    /// <paramref name="rank"/> dims, after the batch dim and at most a channel dim.
    /// </summary>
    private static long[] SpatialSize(string loss, string name, Tensor tensor, Tensor pred, long rank)
    {
        if ((tensor.dim() != rank + 1 && tensor.dim() != rank + 2) || tensor.size(0) != pred.size(0))
        {
            throw new ArgumentException(
                $"{loss}: the {name} is [{string.Join(", ", tensor.shape)}]; beside the main output [{string.Join(", ", pred.shape)}] it must be [N, *spatial] or [N, C, *spatial] with N = {pred.size(0)}.",
                nameof(LossInputs));
        }

        return tensor.shape.Skip((int)(tensor.dim() - rank)).ToArray();
    }
}
