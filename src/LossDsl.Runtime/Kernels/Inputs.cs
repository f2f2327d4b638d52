using System;
using System.ComponentModel;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>Checks the inputs of a loss and brings the target into the form the kernels read.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
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
    /// <param name="spatialRank">The declared number of spatial dims, or null when any number is accepted.</param>
    /// <param name="checkValues">Also check that pred is finite and the mask lies in [0, 1] (<see cref="LossModule.CheckValues"/>).</param>
    public static Tensor Mask(string loss, Tensor pred, Tensor target, int? classes, int? spatialRank, bool checkValues)
    {
        CheckPrediction(loss, pred, classes, spatialRank, checkValues);
        if (!pred.shape.SequenceEqual(target.shape))
        {
            throw new ArgumentException($"{loss}: target mask must have pred's shape {Shape(pred)}, got {Shape(target)}.", nameof(target));
        }

        CheckDevice(loss, pred, target);
        var mask = target.dtype == pred.dtype ? target : target.to_type(pred.dtype);
        if (checkValues)
        {
            // One reduction pass: NaN propagates into min and max, so both in [0, 1] means every value is.
            var (min, max) = Range(mask);
            if (!(min >= 0 && max <= 1))
            {
                throw new ArgumentException(
                    $"{loss}: target mask must hold values in [0, 1], found values from {Number(min)} to {Number(max)}. Set CheckValues = false to skip value checks.", nameof(target));
            }
        }

        return mask;
    }

    /// <summary>
    /// A class-label target ([N, *spatial], integer class indices), checked: every label other than
    /// <paramref name="ignoreIndex"/> must lie in [0, C), C = pred's dim 1. Returned as int64 indices [N, 1, *spatial]
    /// (they index dim 1 of pred) with ignored pixels set to class 0, so that gathers and <see cref="OneHot"/> can read
    /// them; kernels leave those pixels out through <see cref="Valid"/>.
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="pred">The prediction, [N, C, *spatial].</param>
    /// <param name="target">The labels, [N, *spatial], any integer dtype (int64 usually; uint8 label images work too).</param>
    /// <param name="classes">The declared static C, or null when any C (at least 2) is accepted.</param>
    /// <param name="ignoreIndex">The label value left out of every term, or null.</param>
    /// <param name="spatialRank">The declared number of spatial dims, or null when any number is accepted.</param>
    /// <param name="checkValues">Also check that pred is finite (<see cref="LossModule.CheckValues"/>).</param>
    public static Tensor Labels(string loss, Tensor pred, Tensor target, int? classes, int? ignoreIndex, int? spatialRank, bool checkValues)
    {
        CheckPrediction(loss, pred, classes, spatialRank, checkValues);
        var c = pred.shape[1];
        if (c < 2)
        {
            throw new ArgumentException($"{loss}: class labels need pred with at least 2 classes in dim 1, got {Shape(pred)}.", nameof(pred));
        }

        var expected = pred.shape.Take(1).Concat(pred.shape.Skip(2)).ToArray();
        if (!target.shape.SequenceEqual(expected))
        {
            var hint = target.shape.SequenceEqual(pred.shape) ? " (that is a mask's shape: labels hold one class index per pixel)" : string.Empty;
            throw new ArgumentException(
                $"{loss}: target labels must have pred's shape without the class dim, [{string.Join(", ", expected)}], got {Shape(target)}{hint}.", nameof(target));
        }

        CheckDevice(loss, pred, target);
        if (!IsInteger(target.dtype))
        {
            throw new ArgumentException($"{loss}: target labels must be an integer tensor of class indices (int64), got {target.dtype}.", nameof(target));
        }

        using var labels = target.to_type(ScalarType.Int64);
        using var kept = ignoreIndex is { } ignore ? labels.ne(ignore) : null;
        using var ignored = kept?.logical_not();
        using var indices = ignored is null ? labels.alias() : labels.masked_fill(ignored, 0);

        // One min-max pass: with ignored pixels already at 0, any label outside [0, C) is the smallest or the largest.
        var (min, max) = Range(indices);
        if (min < 0 || max >= c)
        {
            var allowed = ignoreIndex is { } i ? $" or the ignore index {i}" : string.Empty;
            throw new ArgumentException(
                $"{loss}: target labels must be class indices in [0, {c - 1}]{allowed}, found {Number(min < 0 ? min : max)}.", nameof(target));
        }

        return indices.unsqueeze(1);
    }

    /// <summary>
    /// The one-hot map [N, C, *spatial] in pred's dtype of checked <paramref name="labels"/> (<see cref="Labels"/>): one
    /// scatter into zeros, 0 at every class of an ignored pixel.
    /// </summary>
    /// <param name="pred">The prediction; gives the shape, dtype and device.</param>
    /// <param name="labels">Class indices [N, 1, *spatial] from <see cref="Labels"/>.</param>
    /// <param name="valid">The kept pixels from <see cref="Valid"/>, or null when none is ignored.</param>
    public static Tensor OneHot(Tensor pred, Tensor labels, Tensor? valid)
    {
        var oneHot = zeros_like(pred);
        if (valid is not null)
        {
            return oneHot.scatter_(1, labels, valid);
        }

        using var one = ones(1, dtype: pred.dtype, device: pred.device);
        using var everyPixel = one.expand(labels.shape);
        return oneHot.scatter_(1, labels, everyPixel);
    }

    /// <summary>
    /// The pixels a labels target keeps: 1 where the label is not <paramref name="ignoreIndex"/>, 0 where it is, in
    /// pred's dtype, shape [N, 1, *spatial] (broadcasts over the classes). Only planned with an ignore index; without
    /// one every pixel is kept and kernels receive null.
    /// </summary>
    /// <param name="pred">The prediction; gives the dtype.</param>
    /// <param name="target">The labels, already checked by <see cref="Labels"/>.</param>
    /// <param name="ignoreIndex">The label value to leave out.</param>
    public static Tensor Valid(Tensor pred, Tensor target, int ignoreIndex)
    {
        using var labels = target.to_type(ScalarType.Int64);
        using var kept = labels.ne(ignoreIndex);
        return kept.unsqueeze(1).to_type(pred.dtype);
    }

    /// <summary>The smallest and largest value in one pass; NaN when any value is NaN; (0, 0) for an empty tensor.</summary>
    private static (double Min, double Max) Range(Tensor values)
    {
        if (values.numel() == 0)
        {
            return (0, 0);
        }

        using var noGrad = no_grad();
        var (min, max) = aminmax(values);
        using (min)
        using (max)
        {
            return (min.ToDouble(), max.ToDouble());
        }
    }

    private static string Number(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";

    private static void CheckPrediction(string loss, Tensor pred, int? classes, int? spatialRank, bool checkValues)
    {
        if (pred.dim() < 2)
        {
            throw new ArgumentException($"{loss}: pred must have shape [N, C, *spatial], got {Shape(pred)}.", nameof(pred));
        }

        if (spatialRank is { } rank && pred.dim() != 2 + rank)
        {
            throw new ArgumentException(
                $"{loss}: pred must have {2 + rank} dims, [N, C{string.Concat(Enumerable.Repeat(", *", rank))}] ({rank} spatial, as declared), got {Shape(pred)}.", nameof(pred));
        }

        if (!pred.is_floating_point())
        {
            throw new ArgumentException($"{loss}: pred must be a floating-point tensor, got {pred.dtype}.", nameof(pred));
        }

        if (classes is { } c && pred.shape[1] != c)
        {
            throw new ArgumentException($"{loss}: pred must have {c} channel(s) in dim 1 (declared [N, {c}, ...]), got {Shape(pred)}.", nameof(pred));
        }

        if (checkValues)
        {
            // One reduction pass: NaN propagates into min and max, infinities show up in them.
            var (min, max) = Range(pred);
            if (!double.IsFinite(min) || !double.IsFinite(max))
            {
                throw new ArgumentException(
                    $"{loss}: pred contains NaN or infinite values (min {Number(min)}, max {Number(max)}): a diverged model or bad input. Set CheckValues = false to skip value checks.",
                    nameof(pred));
            }
        }
    }

    private static void CheckDevice(string loss, Tensor pred, Tensor target)
    {
        if (pred.device_type != target.device_type || pred.device_index != target.device_index)
        {
            throw new ArgumentException($"{loss}: pred is on {pred.device} but target is on {target.device}; move both to one device.", nameof(target));
        }
    }

    private static bool IsInteger(ScalarType dtype) =>
        dtype is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64;
}
