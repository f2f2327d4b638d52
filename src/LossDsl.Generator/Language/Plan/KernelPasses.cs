using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// How much data one kernel call moves per forward pass, in passes (docs/cli.md, "Counting passes"): every tensor
/// operation the kernel runs counts one pass per tensor it reads and one per tensor it writes. <see cref="Full"/> counts
/// tensors of pred's size, <c>[N, C, *spatial]</c>; <see cref="PerPixel"/> counts tensors with one value per pixel,
/// <c>[N, *spatial]</c> or <c>[N, 1, *spatial]</c> (labels, valid pixels), each 1/C of a full pass. Reductions to
/// per-channel values write nothing counted; views (reshape, narrow, unsqueeze) cost nothing; the backward pass is not counted.
/// </summary>
internal readonly record struct PassCount(int Full, int PerPixel)
{
    public static PassCount operator +(PassCount left, PassCount right) => new(left.Full + right.Full, left.PerPixel + right.PerPixel);

    public static PassCount operator -(PassCount left, PassCount right) => new(left.Full - right.Full, left.PerPixel - right.PerPixel);
}

/// <summary>
/// The pass estimate of every kernel the planner can call, read off the kernels in <c>src/LossDsl.Runtime/Kernels</c>.
/// A test fails when the planner produces a kernel missing here, or when an entry names no kernel.
/// </summary>
internal static class KernelPasses
{
    /// <summary>Kernel name ("Type.Method") to its estimate for one call; the signature tells whether pixels are ignored.</summary>
    public static IReadOnlyDictionary<string, Func<KernelCall, LossSignature, PassCount>> Table { get; } =
        new Dictionary<string, Func<KernelCall, LossSignature, PassCount>>
        {
            // Shape, dtype and device checks, then with CheckValues (the default) one min-max reduction over pred (1) and
            // one over the mask (1). Without value checks 0 (a mask already in pred's dtype is returned as it is;
            // converting an integer or bool mask would add 2).
            ["Inputs.Mask"] = Fixed(2),

            // Per pixel: one min-max reduction over the labels (1); with an ignore index first the kept pixels (ne, 2),
            // their negation (2) and the masked fill of the ignored ones (3). int64 labels are not copied by the
            // conversion to int64. With CheckValues (the default) also one min-max reduction over pred (1 full).
            ["Inputs.Labels"] = (call, _) => new(1, Constant(call, "ignoreIndex") is null ? 1 : 8),

            // The zeros (1 full write), then one scatter reading the indices and the values to write (2 per pixel) and
            // writing one value per pixel (1).
            ["Inputs.OneHot"] = Fixed(1, 3),

            // Per pixel: the comparison with the ignore index (2) and the conversion to pred's dtype (2).
            ["Inputs.Valid"] = Fixed(0, 4),

            // Read pred, write p.
            ["Probabilities.Sigmoid"] = Fixed(2),

            // Read pred, write p (the max and sum over the classes inside the one operation are not counted apart).
            ["Probabilities.Softmax"] = Fixed(2),

            // Read pred, write log p.
            ["Probabilities.LogSoftmax"] = Fixed(2),

            // p > 0 (2), ones (1) and where (4) for a safe input, log (2), the −100 floor (1) and where (4), clamp (2).
            ["Probabilities.ClampedLog"] = Fixed(16),

            // 1 − p (2), then ClampedLog (16).
            ["Probabilities.ClampedLogOneMinus"] = Fixed(18),

            // Three sums over the data: p·t (multiply 3, sum 1; a dot product reading both, 2, for one channel over the
            // whole batch), p (1), t (1). With an ignore index p is multiplied by the valid pixels first (2 full + 1 per
            // pixel); t is already 0 at ignored pixels. The valid count is computed only for the terms that read it, from
            // the per-pixel mask (not counted).
            ["RegionStatistics.Compute"] = (call, signature) =>
            {
                var truePositive = signature.Classes == 1 && !(bool)Constant(call, "perImage")! ? 2 : 4;
                return Given(call, "valid") ? new(truePositive + 4, 1) : new(truePositive + 2, 0);
            },

            // One autograd node: the sigmoid of the logits (2), then p·t and the sums as in Compute (TP 4, or 2 as a dot
            // product for one channel over the whole batch; P and T 1 each); with bce, its fused kernel and sum as in
            // BinaryCrossEntropyWithLogits (4, auto 5). Its backward is written out (not counted).
            ["RegionStatistics.ComputeFromLogits"] = (call, signature) =>
                new(2 + (signature.Classes == 1 && !(bool)Constant(call, "perImage")! ? 2 : 4) + 2
                    + ((bool)Constant(call, "crossEntropy")! ? (Constant(call, "posWeight") is null ? 5 : 4) : 0), 0),

            // The sum of p (1; with an ignore index after multiplying by the valid pixels, 2 more and 1 per pixel). Per
            // pixel: gather p_y (3) and add it into the classes (a scatter-add reading the indices and the values, 2); the
            // ones added for T are a broadcast, copied once by the reshape (2), then added the same way (2). An ignore
            // index multiplies both by the valid pixels instead (3 each).
            ["RegionStatistics.ComputeFromLabels"] = (call, _) => Given(call, "valid") ? new(3, 14) : new(1, 9),

            // Functions of the [C] or [N, C] statistics: no per-element data.
            ["RegionLosses.Dice"] = Fixed(0),
            ["RegionLosses.Iou"] = Fixed(0),
            ["RegionLosses.Tversky"] = Fixed(0),
            ["RegionLosses.GeneralizedDice"] = Fixed(0),

            // Mask: two more sums over the data, (t − p)² once (subtract 3, square 2) times t (3) and times 1 − t (2 + 3), each
            // summed (1). Labels, from the class indices: (1 − p_y)² per pixel (gather 3, subtract 2, square 2) added into
            // the classes (2), and p² (2) with the label's entry set to 0 (a copy, 2, and a scatter reading the indices
            // and zeros, 2 per pixel) summed (1); an ignore index multiplies both by the valid pixels (3 per pixel; 2 full
            // and 1 per pixel).
            ["RegionLosses.SensitivitySpecificity"] = (_, signature) => signature.Target == TargetKind.Mask
                ? new(15, 0)
                : signature.IgnoreIndex is null ? new(5, 11) : new(7, 15),

            // t·log p (3), 1 − t (2), times log(1 − p) (3), add (3), negate (2), mean (1); a pos_weight other than 1
            // multiplies t·log p (2 more), and auto first sums t (1 more).
            // One fused operation reading logits and target and writing the loss (3), the mean (1); auto also sums the target (1).
            ["PixelLosses.BinaryCrossEntropyWithLogits"] = (call, _) => Constant(call, "posWeight") is null ? new(5, 0) : new(4, 0),

            ["PixelLosses.BinaryCrossEntropy"] = (call, _) => Constant(call, "posWeight") switch
            {
                null => new(17, 0),
                double weight when weight != 1.0 => new(16, 0),
                _ => new(14, 0),
            },

            // The cross-entropy as in BinaryCrossEntropy (13), then the focal factors: 1 − 2t (4), 1 − p_t as one addcmul
            // (4), the clamped power (4), times the cross-entropy (3), mean (1); with alpha ≥ 0 also α_t (4) and its
            // multiply (3).
            // The mean of the sum the statistics step computed: a scalar.
            ["PixelLosses.BinaryCrossEntropyFromStatistics"] = Fixed(0),

            ["PixelLosses.BinaryFocal"] = (call, _) => new(13 + FocalFactors(call), 0),

            // One autograd node: the sigmoid (2), the fused cross-entropy as in BinaryCrossEntropyWithLogits (3), then the
            // focal factors as in BinaryFocal. Its backward is written out (not counted).
            ["PixelLosses.BinaryFocalWithLogits"] = (call, _) => new(5 + FocalFactors(call), 0),

            // Per pixel: gather log p_y (read the labels and the values, write: 3) and sum (1). An ignore index: times
            // the valid pixels (3) and their count (1), or with class weights w_y times the valid pixels (3). Class
            // weights: w_y by take (2), its multiply (3) and sum (1). Label smoothing: log p·w with weights (2 full), the
            // sum over classes (1 full, 1 per-pixel write), its negation (2), with an ignore index times the valid pixels
            // (3), and its sum (1).
            ["PixelLosses.CrossEntropy"] = (call, _) =>
            {
                var weighted = Given(call, "weight");
                var smoothed = (double)Constant(call, "labelSmoothing")! != 0;
                var ignoring = Given(call, "valid");
                var full = (smoothed ? 1 : 0) + (smoothed && weighted ? 2 : 0);
                var perPixel = 4 + (ignoring ? (weighted ? 3 : 4) : 0) + (weighted ? 6 : 0) + (smoothed ? 4 + (ignoring ? 3 : 0) : 0);
                return new(full, perPixel);
            },

            // Per pixel: gather p_y and log p_y (3 each), 1 − p_y (2), the clamped power (4), multiply and negate (5), and
            // the mean (1; with an ignore index multiply, sum and count, 5). Class weights: w_y by take (2) and its
            // multiply (3).
            ["PixelLosses.Focal"] = (call, _) =>
            {
                var weighted = Given(call, "weight");
                var ignoring = Given(call, "valid");
                return new(0, 18 + (weighted ? 5 : 0) + (ignoring ? 4 : 0));
            },

            // x², y², x·y (9), their concatenation (5 read, 5 written), two grouped convolutions over the 5 maps (10
            // each), the three products and three differences of the filtered maps (18), the SSIM formula (27), mean (1).
            ["StructureLosses.Ssim"] = Fixed(85),

            // Hinge errors 1 − x·(2t − 1) and relu (11), then the Lovász extension (31): sort (3 with the indices),
            // gather (3), the positive count (1), two cumulative sums with their operands (10), the Jaccard ratio and
            // 1 − it (5), its differences and concatenation (5), the weighted sum (4).
            ["StructureLosses.LovaszHinge"] = Fixed(42),

            // Errors |t − p| (5; with an ignore index times the valid pixels, 2 full and 1 per pixel), the batch-wide
            // rows of errors and targets (a transposed copy, 2 each, not per image), the Lovász extension (31, as in
            // LovaszHinge), and the class-presence sum (1) with classes: present.
            ["StructureLosses.LovaszSoftmax"] = (call, _) =>
            {
                var ignoring = Given(call, "valid");
                var full = 5 + (ignoring ? 2 : 0) + ((bool)Constant(call, "perImage")! ? 0 : 4) + 31 + ((bool)Constant(call, "presentOnly")! ? 1 : 0);
                return new(full, ignoring ? 1 : 0);
            },

            // Per class map of p and of t: boundary map 1 − x, max-pool, subtract (7 each), the extended maps (2 each),
            // precision and recall sums (5 each): 28. A mask counts each channel twice, (1 − x, x): 1 − x and the
            // concatenation for p and t (6 each) and 28 over twice the data.
            ["StructureLosses.Boundary"] = (call, _) => (bool)Constant(call, "includeComplement")! ? new(12 + (2 * 28), 0) : new(28, 0),

            // Length: row and column differences (3 each), their squares (3 each), sum (3), + eps (2), sqrt (2), mean (1).
            // Region: p·(t − 1)² and (1 − p)·t², 8 each with their means.
            ["StructureLosses.ActiveContour"] = Fixed(36),

            // Built once when the module is constructed, a window-sized vector: nothing per forward pass.
            ["ConstantBuffers.GaussianWindow"] = Fixed(0),

            // Built once, at construction.
            ["ConstantBuffers.ClassWeights"] = Fixed(0),
        };

    /// <summary>The estimate of <paramref name="call"/>.</summary>
    /// <exception cref="InvalidOperationException">The kernel has no entry: <see cref="Table"/> must list every kernel the planner calls.</exception>
    public static PassCount Estimate(KernelCall call, LossSignature signature) => Table.TryGetValue(call.Kernel, out var rule)
        ? rule(call, signature)
        : throw new InvalidOperationException($"No pass estimate for kernel '{call.Kernel}': add it to KernelPasses.Table.");

    private static int FocalFactors(KernelCall call) => 16 + ((double)Constant(call, "alpha")! < 0 ? 0 : 7);

    private static Func<KernelCall, LossSignature, PassCount> Fixed(int full, int perPixel = 0) => (_, _) => new(full, perPixel);

    private static object? Constant(KernelCall call, string argument) =>
        call.Arguments.First(a => a.Name == argument).Value is ConstantValue constant
            ? constant.Value
            : throw new InvalidOperationException($"Argument '{argument}' of {call.Kernel} is not a constant.");

    /// <summary>Whether an optional tensor argument (valid pixels, class weights) is given: a computed value or a constant, not null.</summary>
    private static bool Given(KernelCall call, string argument) =>
        call.Arguments.First(a => a.Name == argument).Value is LocalValue or ConstantValue { Value: not null };
}
