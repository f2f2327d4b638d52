using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>Checks the inputs of a loss and brings the target into the form the kernels read.</summary>
public static class Inputs
{
    /// <summary>
    /// A mask target: same shape as <paramref name="pred"/> ([N, C, *spatial]), on the same device; returned in pred's
    /// floating dtype (an integer or boolean {0, 1} mask is accepted and converted).
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="pred">The prediction.</param>
    /// <param name="target">The mask.</param>
    /// <param name="classes">The declared static C, or null when any C is accepted.</param>
    public static Tensor Mask(string loss, Tensor pred, Tensor target, int? classes)
    {
        CheckPrediction(loss, pred, classes);
        if (!pred.shape.SequenceEqual(target.shape))
        {
            throw new ArgumentException($"{loss}: target mask must have pred's shape {Shape(pred)}, got {Shape(target)}.", nameof(target));
        }

        CheckDevice(loss, pred, target);
        return target.dtype == pred.dtype ? target : target.to_type(pred.dtype);
    }

    /// <summary>
    /// A labels target ([N, *spatial], integer class indices) as one-hot <c>t</c>, [N, C, *spatial] in pred's dtype,
    /// C = pred's dim 1. Pixels labelled <paramref name="ignoreIndex"/> are 0 in every channel (<see cref="Valid"/>
    /// marks them); every other label must be in [0, C).
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="pred">The prediction, [N, C, *spatial].</param>
    /// <param name="target">The labels, [N, *spatial], an integer tensor.</param>
    /// <param name="classes">The declared static C, or null when any C is accepted.</param>
    /// <param name="ignoreIndex">The label left out of every term, or null.</param>
    public static Tensor Labels(string loss, Tensor pred, Tensor target, int? classes, int? ignoreIndex)
    {
        CheckPrediction(loss, pred, classes);
        var expected = pred.shape.Take(1).Concat(pred.shape.Skip(2)).ToArray();
        if (!target.shape.SequenceEqual(expected))
        {
            throw new ArgumentException($"{loss}: target labels must have pred's shape without dim 1, [{string.Join(", ", expected)}], got {Shape(target)}.", nameof(target));
        }

        if (target.is_floating_point() || target.dtype == ScalarType.Bool)
        {
            throw new ArgumentException($"{loss}: target labels must be an integer tensor of class indices, got {target.dtype}.", nameof(target));
        }

        CheckDevice(loss, pred, target);
        var count = pred.shape[1];
        var labels = target.to_type(ScalarType.Int64);
        var kept = ignoreIndex is { } ignore ? labels.ne(ignore) : ones_like(labels, dtype: ScalarType.Bool);
        if (((labels.lt(0) | labels.ge(count)) & kept).any().ToBoolean())
        {
            var also = ignoreIndex is { } i ? $" or the ignore index {i}" : string.Empty;
            throw new ArgumentException($"{loss}: target labels must be class indices in [0, {count - 1}]{also}.", nameof(target));
        }

        // An ignore index such as 255 is no class: one_hot gets class 0 there, then the pixel is zeroed.
        var oneHot = nn.functional.one_hot(labels.masked_fill(kept.logical_not(), 0), count).movedim(new long[] { -1 }, new long[] { 1 });
        return (oneHot * kept.unsqueeze(1)).to_type(pred.dtype);
    }

    /// <summary>
    /// <c>valid</c>: 1 for pixels whose label is not <paramref name="ignoreIndex"/>, 0 for ignored ones, [N, 1, *spatial]
    /// in pred's dtype. Planned only with an ignore index; otherwise kernels get null (every pixel kept).
    /// </summary>
    /// <param name="pred">The prediction; gives the dtype.</param>
    /// <param name="target">The labels, checked by <see cref="Labels"/>.</param>
    /// <param name="ignoreIndex">The label left out.</param>
    public static Tensor Valid(Tensor pred, Tensor target, int ignoreIndex) => target.ne(ignoreIndex).unsqueeze(1).to_type(pred.dtype);

    private static void CheckPrediction(string loss, Tensor pred, int? classes)
    {
        if (pred.dim() < 2)
        {
            throw new ArgumentException($"{loss}: pred must have shape [N, C, *spatial], got {Shape(pred)}.", nameof(pred));
        }

        if (!pred.is_floating_point())
        {
            throw new ArgumentException($"{loss}: pred must be a floating-point tensor, got {pred.dtype}.", nameof(pred));
        }

        if (classes is { } c && pred.shape[1] != c)
        {
            throw new ArgumentException($"{loss}: pred must have {c} channel(s) in dim 1 (declared [N, {c}, ...]), got {Shape(pred)}.", nameof(pred));
        }
    }

    private static void CheckDevice(string loss, Tensor pred, Tensor target)
    {
        if (pred.device_type != target.device_type || pred.device_index != target.device_index)
        {
            throw new ArgumentException($"{loss}: pred is on {pred.device} but target is on {target.device}; move both to one device.", nameof(target));
        }
    }

    internal static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
