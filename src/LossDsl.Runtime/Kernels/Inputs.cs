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
        var predShape = pred.shape;
        CheckPrediction(loss, pred, predShape, classes, spatialRank, checkValues);
        if (!predShape.SequenceEqual(target.shape))
        {
            throw new ArgumentException($"{loss}: target mask must have pred's shape {Shape(pred)}, got {Shape(target)}.", nameof(target));
        }

        CheckDevice(loss, pred, target);
        var mask = target.dtype == pred.dtype ? target : target.to_type(pred.dtype);
        if (checkValues)
        {
            CheckMaskValues(loss, mask);
        }

        return mask;
    }

    /// <summary>
    /// Throws unless every value of the mask (in pred's dtype) is in [0, 1]: <see cref="Mask"/>'s value check, which the
    /// statistics node on logits makes instead when the plan hands it the check (its pass reads the mask anyway).
    /// </summary>
    internal static void CheckMaskValues(string loss, Tensor mask)
    {
        // One reduction pass: NaN propagates into min and max, so both in [0, 1] means every value is.
        var (min, max) = Range(mask);
        if (!(min >= 0 && max <= 1))
        {
            throw new ArgumentException(
                $"{loss}: target mask must hold values in [0, 1], found values from {Number(min)} to {Number(max)}. Set CheckValues = false to skip value checks.", "target");
        }
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
    /// <param name="checkRange">
    /// Check that every label is a class index or the ignore index (always, unless the statistics node of class indices
    /// that reads the labels first checks them in its pass instead).
    /// </param>
    public static Tensor Labels(string loss, Tensor pred, Tensor target, int? classes, int? ignoreIndex, int? spatialRank, bool checkValues, bool checkRange)
    {
        // Each .shape is a call into native code that allocates the array: read once.
        var (predShape, targetShape) = (pred.shape, target.shape);
        CheckPrediction(loss, pred, predShape, classes, spatialRank, checkValues);
        var c = predShape[1];
        if (c < 2)
        {
            throw new ArgumentException($"{loss}: class labels need pred with at least 2 classes in dim 1, got {Shape(pred)}.", nameof(pred));
        }

        var expected = predShape.Take(1).Concat(predShape.Skip(2)).ToArray();
        if (!targetShape.SequenceEqual(expected))
        {
            var hint = targetShape.SequenceEqual(predShape) ? " (that is a mask's shape: labels hold one class index per pixel)" : string.Empty;
            throw new ArgumentException(
                $"{loss}: target labels must have pred's shape without the class dim, [{string.Join(", ", expected)}], got {Shape(target)}{hint}.", nameof(target));
        }

        CheckDevice(loss, pred, target);
        if (!IsInteger(target.dtype))
        {
            throw new ArgumentException($"{loss}: target labels must be an integer tensor of class indices (int64), got {target.dtype}.", nameof(target));
        }

        // The usual labels, int64 with nothing ignored, as they are: no copy, no masking (each tensor a step is a native
        // handle to make and free).
        if (target.dtype == ScalarType.Int64 && ignoreIndex is null)
        {
            return CheckedIndices(target);
        }

        using var labels = target.to_type(ScalarType.Int64);
        using var kept = ignoreIndex is { } ignore ? labels.ne(ignore) : null;
        using var ignored = kept?.logical_not();
        using var indices = ignored is null ? labels.alias() : labels.masked_fill(ignored, 0);
        return CheckedIndices(indices);

        Tensor CheckedIndices(Tensor indices)
        {
            if (checkRange)
            {
                CheckLabelRange(loss, indices, c, ignoreIndex);
            }

            return indices.unsqueeze(1);
        }
    }

    /// <summary>
    /// Throws unless every one of <paramref name="indices"/> (labels with the ignored ones at 0) is a class index in
    /// [0, <paramref name="classes"/>): <see cref="Labels"/>' range check, which the statistics node of class indices makes
    /// instead where the plan hands it the check (its pass reads the labels anyway).
    /// </summary>
    internal static void CheckLabelRange(string loss, Tensor indices, long classes, int? ignoreIndex)
    {
        // One min-max pass: with ignored pixels already at 0, any label outside [0, C) is the smallest or the largest.
        var (min, max) = Range(indices);
        if (min < 0 || max >= classes)
        {
            var allowed = ignoreIndex is { } i ? $" or the ignore index {i}" : string.Empty;
            throw new ArgumentException(
                $"{loss}: target labels must be class indices in [0, {classes - 1}]{allowed}, found {Number(min < 0 ? min : max)}.", "target");
        }
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

    /// <summary>
    /// A declared valid mask, checked and in kernel form: pred's dtype, [N, 1, *spatial] (or [N, C, *spatial] per
    /// channel), times the pixels an ignore index keeps. Its values must be 0 or 1 (bool, integer or float).
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="pred">The prediction, [N, C, *spatial].</param>
    /// <param name="validMask">The mask as given: [N, *spatial] beside labels, [N, 1, *spatial] or per channel [N, C, *spatial] beside a mask.</param>
    /// <param name="labels">Whether the target is labels (the map then has no class dim).</param>
    /// <param name="perChannel">Whether the map was declared with pred's C rather than 1.</param>
    /// <param name="ignoreValid">The pixels an ignore index keeps (<see cref="Valid"/>), or null.</param>
    /// <param name="checkValues">Also check that every value is 0 or 1 (<see cref="LossModule.CheckValues"/>).</param>
    public static Tensor ValidMask(string loss, Tensor pred, Tensor validMask, bool labels, bool perChannel, Tensor? ignoreValid, bool checkValues)
    {
        var mask = PixelMap(loss, "valid mask", "ValidMask", pred, validMask, labels, perChannel);
        if (checkValues)
        {
            // 0 or 1 only: v·(1 − v) is 0 exactly there, negative below 0 and above 1, positive between, and NaN
            // propagates; the mask's own range is read only for the message.
            using var noGrad = no_grad();
            using var offBinary = mask * (1 - mask);
            var (lowest, highest) = Range(offBinary);
            if (!(lowest == 0 && highest == 0))
            {
                var (min, max) = Range(mask);
                mask.Dispose();
                throw new ArgumentException(
                    $"{loss}: the valid mask must hold 0 (left out) or 1 (kept) only, found values from {Number(min)} to {Number(max)}. Set CheckValues = false to skip value checks.",
                    nameof(validMask));
            }
        }

        if (ignoreValid is null)
        {
            return mask;
        }

        using (mask)
        {
            return mask * ignoreValid;
        }
    }

    /// <summary>
    /// A declared pixel weight map, checked and in kernel form: pred's dtype, [N, 1, *spatial] (or [N, C, *spatial] per
    /// channel), times the kept pixels, so that kernels multiply by one tensor. Its values must be finite and ≥ 0.
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="pred">The prediction, [N, C, *spatial].</param>
    /// <param name="pixelWeight">The weights as given: [N, *spatial] beside labels, [N, 1, *spatial] or per channel [N, C, *spatial] beside a mask.</param>
    /// <param name="labels">Whether the target is labels (the map then has no class dim).</param>
    /// <param name="perChannel">Whether the map was declared with pred's C rather than 1.</param>
    /// <param name="valid">The kept pixels (<see cref="ValidMask"/> or <see cref="Valid"/>), or null when every pixel is kept.</param>
    /// <param name="checkValues">Also check that every weight is finite and non-negative (<see cref="LossModule.CheckValues"/>).</param>
    public static Tensor PixelWeight(string loss, Tensor pred, Tensor pixelWeight, bool labels, bool perChannel, Tensor? valid, bool checkValues)
    {
        var weight = PixelMap(loss, "pixel weight map", "PixelWeight", pred, pixelWeight, labels, perChannel);
        if (checkValues)
        {
            var (min, max) = Range(weight);
            if (!(min >= 0 && double.IsFinite(max)))
            {
                weight.Dispose();
                throw new ArgumentException(
                    $"{loss}: the pixel weight map must hold finite weights ≥ 0, found values from {Number(min)} to {Number(max)}. Set CheckValues = false to skip value checks.",
                    nameof(pixelWeight));
            }
        }

        if (valid is null)
        {
            return weight;
        }

        using (weight)
        {
            return weight * valid;
        }
    }

    /// <summary>A per-pixel input's shape, device and dtype checked; returned in pred's dtype with its class dim (a new tensor or handle).</summary>
    private static Tensor PixelMap(string loss, string what, string property, Tensor pred, Tensor map, bool labels, bool perChannel)
    {
        var spatial = pred.shape.Skip(2);
        var expected = labels
            ? pred.shape.Take(1).Concat(spatial).ToArray()
            : pred.shape.Take(1).Append(perChannel ? pred.size(1) : 1).Concat(spatial).ToArray();
        if (!map.shape.SequenceEqual(expected))
        {
            var layout = labels ? "the labels' shape" : perChannel ? "pred's shape, as declared" : "pred's shape with one channel, as declared";
            throw new ArgumentException($"{loss}: the {what} must have shape [{string.Join(", ", expected)}] ({layout}), got {Shape(map)}.", property);
        }

        CheckDevice(loss, pred, map, "the " + what, property);
        if (!map.is_floating_point() && !IsInteger(map.dtype) && map.dtype != ScalarType.Bool)
        {
            throw new ArgumentException($"{loss}: the {what} must be a real or boolean tensor, got {map.dtype}.", property);
        }

        // Inputs, not parameters: no gradient flows into them even when the caller's map requires one.
        using var detached = map.detach();
        using var converted = detached.dtype == pred.dtype ? detached.alias() : detached.to_type(pred.dtype);
        return labels ? converted.unsqueeze(1) : converted.alias();
    }

    /// <summary>
    /// The smallest and largest value in one pass (managed for finite float CPU tensors, <see cref="Cpu.RangePass"/>); NaN
    /// when any value is NaN; (0, 0) for an empty tensor.
    /// </summary>
    private static (double Min, double Max) Range(Tensor values)
    {
        if (values.numel() == 0)
        {
            return (0, 0);
        }

        if (Cpu.RangePass.TryRead(values, out var lowest, out var highest))
        {
            return (lowest, highest);
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

    private static void CheckPrediction(string loss, Tensor pred, long[] shape, int? classes, int? spatialRank, bool checkValues)
    {
        if (shape.Length < 2)
        {
            throw new ArgumentException($"{loss}: pred must have shape [N, C, *spatial], got {Shape(pred)}.", nameof(pred));
        }

        if (spatialRank is { } rank && shape.Length != 2 + rank)
        {
            throw new ArgumentException(
                $"{loss}: pred must have {2 + rank} dims, [N, C{string.Concat(Enumerable.Repeat(", *", rank))}] ({rank} spatial, as declared), got {Shape(pred)}.", nameof(pred));
        }

        if (!pred.is_floating_point())
        {
            throw new ArgumentException($"{loss}: pred must be a floating-point tensor, got {pred.dtype}.", nameof(pred));
        }

        if (classes is { } c && shape[1] != c)
        {
            throw new ArgumentException($"{loss}: pred must have {c} channel(s) in dim 1 (declared [N, {c}, ...]), got {Shape(pred)}.", nameof(pred));
        }

        if (checkValues)
        {
            CheckFinite(loss, pred);
        }
    }

    /// <summary>
    /// Throws unless every value of pred is finite: the value check of every target kind, which the statistics node on
    /// logits makes instead when the plan hands it the check.
    /// </summary>
    internal static void CheckFinite(string loss, Tensor pred)
    {
        // One reduction pass: NaN propagates into min and max, infinities show up in them.
        var (min, max) = Range(pred);
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            throw new ArgumentException(
                $"{loss}: pred contains NaN or infinite values (min {Number(min)}, max {Number(max)}): a diverged model or bad input. Set CheckValues = false to skip value checks.",
                "pred");
        }
    }

    private static void CheckDevice(string loss, Tensor pred, Tensor other, string what = "target", string parameter = "target")
    {
        if (pred.device_type != other.device_type || pred.device_index != other.device_index)
        {
            throw new ArgumentException($"{loss}: pred is on {pred.device} but {what} is on {other.device}; move both to one device.", parameter);
        }
    }

    private static bool IsInteger(ScalarType dtype) =>
        dtype is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64;
}
