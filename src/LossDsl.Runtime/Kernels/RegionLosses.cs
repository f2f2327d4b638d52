using System;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>Losses that are functions of <see cref="RegionStatistics"/> (LOSSES.md, "Region statistics").</summary>
public static class RegionLosses
{
    /// <summary>Soft Dice: <c>L_c = 1 − (2·TP + s) / (P + T + s)</c>, then the channel mean.</summary>
    public static Tensor Dice(RegionStatistics statistics, double smooth, double[]? weight, bool includeBackground)
    {
        var s = statistics;
        var perChannel = 1 - (2 * s.TruePositive + smooth) / (s.Predicted + s.Target + smooth);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>Soft IoU (Jaccard): <c>L_c = 1 − (TP + s) / (P + T − TP + s)</c>, then the channel mean.</summary>
    public static Tensor Iou(RegionStatistics statistics, double smooth, double[]? weight, bool includeBackground)
    {
        var s = statistics;
        var perChannel = 1 - (s.TruePositive + smooth) / (s.Predicted + s.Target - s.TruePositive + smooth);
        return ChannelMean(perChannel, weight, includeBackground);
    }

    /// <summary>
    /// Averages per-channel losses (last dim; a leading image dim when per image is averaged too).
    /// <paramref name="weight"/> replaces the plain mean by <c>Σ w_c L_c / Σ w_c</c>; without the background,
    /// channel 0 (and its weight) is left out.
    /// </summary>
    internal static Tensor ChannelMean(Tensor perChannel, double[]? weight, bool includeBackground)
    {
        var losses = includeBackground ? perChannel : perChannel.narrow(-1, 1, perChannel.shape[^1] - 1);
        if (weight is null)
        {
            return losses.mean();
        }

        var w = includeBackground ? weight : weight[1..];
        if (w.Length != losses.shape[^1])
        {
            throw new ArgumentException($"weight has {weight.Length} entries but pred has {perChannel.shape[^1]} channel(s).", nameof(weight));
        }

        var weights = tensor(w, dtype: losses.dtype, device: losses.device);
        return ((losses * weights).sum(-1) / weights.sum()).mean();
    }
}
