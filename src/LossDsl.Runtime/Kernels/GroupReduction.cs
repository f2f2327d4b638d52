using System;
using System.ComponentModel;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// A term's value across a data-parallel group (<see cref="LossModule.Group"/>; docs/data-parallel.md): each process holds
/// a shard of the batch and computes its term on it; these make the value the whole batch's, and its gradient, back to
/// this process's pixels, the whole batch's loss's. Without a group each returns the term's value as it is.
/// A mean over the shard (<c>S_r / n_r</c>) becomes <c>Σ_r S_r / Σ_r n_r</c>: two numbers sent per term. Region
/// statistics are summed before the loss is computed from them (<see cref="RegionStatistics.AcrossGroup"/>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GroupReduction
{
    /// <summary>A mean over the kept elements of <paramref name="like"/> (<paramref name="valid"/> broadcast to it; all of them when null).</summary>
    /// <param name="value">The term's value on this process's shard.</param>
    /// <param name="like">The tensor whose elements the mean runs over: pred for a mask's elements, the labels for pixels.</param>
    /// <param name="valid">The kept pixels, or null.</param>
    /// <param name="group">The group, or null.</param>
    public static Tensor MeanOverElements(Tensor value, Tensor like, Tensor? valid, ILossGroup? group) =>
        group is null ? value : Mean(value, Reductions.KeptCount(like, valid), group);

    /// <summary>ce's mean: over <c>Σ valid·w_y</c> with class weights, else over the kept pixels, as <see cref="PixelLosses.CrossEntropy"/> divides.</summary>
    /// <param name="value">The term's value on this process's shard.</param>
    /// <param name="like">A tensor of the count's dtype and device (log p, or pred when ce is summed in the statistics node).</param>
    /// <param name="labels">The class indices, [N, 1, *spatial].</param>
    /// <param name="valid">The kept pixels, or null.</param>
    /// <param name="weight">Class weights, or null.</param>
    /// <param name="group">The group, or null.</param>
    public static Tensor MeanOfCrossEntropy(Tensor value, Tensor like, Tensor labels, Tensor? valid, Tensor? weight, ILossGroup? group) =>
        group is null ? value : Mean(value, PixelLosses.CrossEntropyDenominator(like, labels, valid, weight), group);

    /// <summary>A mean over images (per-image region losses, structure losses): every image counts the same.</summary>
    /// <param name="value">The term's value on this process's shard.</param>
    /// <param name="pred">pred, whose first dim counts the shard's images.</param>
    /// <param name="group">The group, or null.</param>
    public static Tensor MeanOverImages(Tensor value, Tensor pred, ILossGroup? group) =>
        group is null ? value : Mean(value, tensor((double)pred.size(0), dtype: value.dtype, device: value.device), group);

    /// <summary>A term whose whole-batch value no sum of per-shard numbers gives: without a group its value, with one an error that says why.</summary>
    /// <param name="value">The term's value on this process's shard.</param>
    /// <param name="term">The term's name.</param>
    /// <param name="reason">Why the shards' values do not combine.</param>
    /// <param name="group">The group, or null.</param>
    public static Tensor Unavailable(Tensor value, string term, string reason, ILossGroup? group) => group is null
        ? value
        : throw new InvalidOperationException($"{term} cannot be computed across a data-parallel group: {reason}. Leave LossModule.Group null to compute it on each process's shard.");

    /// <summary>
    /// <paramref name="local"/> summed across the group, with the gradient of the sum: <c>local + (Σ_r local_r − local)</c>,
    /// the bracket a constant. Its value is the group's sum; its gradient flows to this process's own terms only, which
    /// is the whole sum's gradient with respect to them.
    /// </summary>
    internal static Tensor Sum(Tensor local, ILossGroup group)
    {
        using var detached = local.detach();
        using var summed = Checked(group.Sum(detached), detached);
        using var others = summed - detached;
        return local + others;
    }

    // S / n over the group: the shard's sum S_r = value·n_r (its gradient the value's, times n_r) and n_r in one message.
    // Takes the count over (disposes it).
    private static Tensor Mean(Tensor value, Tensor count, ILossGroup group)
    {
        using var _ = count;
        using var shardCount = count.to_type(value.dtype);
        using var shardSum = value * shardCount;
        using var detachedSum = shardSum.detach();
        using var message = stack(new[] { detachedSum.reshape(1), shardCount.reshape(1) });
        using var summed = Checked(group.Sum(message), message);
        using var groupSum = summed[0, 0];
        using var groupCount = summed[1, 0];
        using var others = groupSum - detachedSum;
        using var sum = shardSum + others;
        return Reductions.Ratio(sum, groupCount);
    }

    // A transport that returns another shape would make every later number silently wrong.
    private static Tensor Checked(Tensor summed, Tensor local)
    {
        if (!summed.shape.AsSpan().SequenceEqual(local.shape) || summed.dtype != local.dtype)
        {
            var message = $"ILossGroup.Sum returned a tensor of shape [{string.Join(", ", summed.shape)}] and dtype {summed.dtype} for one of shape [{string.Join(", ", local.shape)}] and dtype {local.dtype}.";
            summed.Dispose();
            throw new InvalidOperationException(message);
        }

        return summed.device == local.device ? summed : summed.to(local.device);
    }
}
