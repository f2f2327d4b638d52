using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>The calls a plan makes to <c>LossDsl.Kernels.PixelLosses</c>, with their pass estimates (see <see cref="InputsCalls"/>).</summary>
internal static class PixelLossesCalls
{
    private const string Type = "PixelLosses";

    /// <summary>
    /// With a valid mask or a pixel weight map (the map already times the kept pixels, <see cref="InputsCalls.PixelWeight"/>)
    /// the terms below multiply each element by it and divide by the kept elements' count instead of taking the mean
    /// (<see cref="Scaled"/>).
    /// t·log p (3), 1 − t (2), times log(1 − p) (3), add (3), negate (2), mean (1); a pos_weight other than 1 multiplies
    /// t·log p (2 more), and auto first sums t (1 more).
    /// </summary>
    public static KernelCall BinaryCrossEntropy(LocalValue logP, LocalValue logNotP, LocalValue target, double? posWeight, double labelSmoothing, LocalValue? valid, LocalValue? pixelWeight) =>
        KernelCall.Create(Type, nameof(BinaryCrossEntropy), KernelCall.Fixed(posWeight switch { null => 17, 1.0 => 14, _ => 16 } + Smoothing(labelSmoothing) + Scaled(valid, pixelWeight)),
            Local(nameof(logP), logP), Local(nameof(logNotP), logNotP), Local(nameof(target), target), Constant(nameof(posWeight), posWeight),
            Constant(nameof(labelSmoothing), labelSmoothing), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight));

    /// <summary>As <see cref="BinaryCrossEntropy"/>, the mean over every element (the same passes).</summary>
    public static KernelCall BinaryCrossEntropyOverAllElements(LocalValue logP, LocalValue logNotP, LocalValue target, double? posWeight, double labelSmoothing,
        LocalValue? valid, LocalValue? pixelWeight) =>
        BinaryCrossEntropy(logP, logNotP, target, posWeight, labelSmoothing, valid, pixelWeight) with { Method = new KernelMethod(Type, nameof(BinaryCrossEntropyOverAllElements)) };

    /// <summary>One fused operation reading logits and target and writing the loss (3), the mean (1); auto also sums the target (1).</summary>
    public static KernelCall BinaryCrossEntropyWithLogits(LocalValue logits, LocalValue target, double? posWeight, double labelSmoothing, LocalValue? valid, LocalValue? pixelWeight) =>
        KernelCall.Create(Type, nameof(BinaryCrossEntropyWithLogits),
            KernelCall.Fixed((posWeight is null ? 5 : 4) + Smoothing(labelSmoothing) + (valid is null && pixelWeight is null ? 0 : 2)),
            Local(nameof(logits), logits), Local(nameof(target), target), Constant(nameof(posWeight), posWeight), Constant(nameof(labelSmoothing), labelSmoothing),
            Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight))
        with { FusedCpuPath = PixelTermPath(labelSmoothing == 0, pixelWeight ?? valid) };

    /// <summary>As <see cref="BinaryCrossEntropyWithLogits"/> writing every element (1), then their mean (1).</summary>
    public static KernelCall BinaryCrossEntropyWithLogitsOverAllElements(LocalValue logits, LocalValue target, double? posWeight, double labelSmoothing,
        LocalValue? valid, LocalValue? pixelWeight) =>
        Unreduced(BinaryCrossEntropyWithLogits(logits, target, posWeight, labelSmoothing, valid, pixelWeight), nameof(BinaryCrossEntropyWithLogitsOverAllElements), 2);

    /// <summary>The mean of a pixel term's sum the statistics step computed (bce's, focal's): a scalar.</summary>
    public static KernelCall MeanOverAllElements(LocalValue sum, LocalValue logits) =>
        KernelCall.Create(Type, nameof(MeanOverAllElements), KernelCall.Fixed(0), Local(nameof(sum), sum), Local(nameof(logits), logits));

    /// <summary>
    /// Whether <paramref name="call"/> is the mean of <paramref name="sum"/> over every element of pred
    /// (<see cref="MeanOverAllElements"/>), or of class indices <paramref name="labels"/> over every pixel
    /// (<see cref="MeanOverAllPixels"/>, or <see cref="MeanOverKeptPixels"/> with every pixel kept): the mean a statistics
    /// node can take of its own sum (<see cref="RegionStatisticsCalls.Total"/>).
    /// </summary>
    internal static bool IsMeanOverEveryPixel(KernelCall call, LocalValue sum, LocalValue? labels) =>
        call.Equals(MeanOverAllElements(sum, PlanInputs.Pred))
        || (labels is not null && (call.Equals(MeanOverAllPixels(sum, labels)) || call.Equals(MeanOverKeptPixels(sum, labels, null))));

    /// <summary>
    /// The mean over the kept elements of a pixel term's sum the statistics step computed with a valid mask (bce's,
    /// focal's): a scalar, after the valid elements' count (its map's size: 1 per pixel, or 1 per element).
    /// </summary>
    public static KernelCall MeanOverKeptElements(LocalValue sum, LocalValue logits, LocalValue valid) =>
        KernelCall.Create(Type, nameof(MeanOverKeptElements),
            signature => signature.Valid == Semantics.PixelMap.PerChannel ? new PassCount(1, 0) : new PassCount(0, 1),
            Local(nameof(sum), sum), Local(nameof(logits), logits), Local(nameof(valid), valid));

    /// <summary>ce's mean from the sum the statistics step of class indices computed: a scalar (with an ignore index the valid pixels' count, 1 per pixel).</summary>
    public static KernelCall MeanOverKeptPixels(LocalValue sum, LocalValue labels, LocalValue? valid) =>
        KernelCall.Create(Type, nameof(MeanOverKeptPixels), valid is null ? KernelCall.Fixed(0) : KernelCall.Fixed(0, 1),
            Local(nameof(sum), sum), Local(nameof(labels), labels), Optional(nameof(valid), valid));

    /// <summary>ce's mean over every pixel (<c>mean_over: all</c>) from the sum the statistics step of class indices computed: a scalar.</summary>
    public static KernelCall MeanOverAllPixels(LocalValue sum, LocalValue labels) =>
        KernelCall.Create(Type, nameof(MeanOverAllPixels), KernelCall.Fixed(0), Local(nameof(sum), sum), Local(nameof(labels), labels));

    /// <summary>
    /// Weighted ce's mean from the sum the statistics step of class indices computed, over <c>Σ valid·w_y</c>: w_y by
    /// take (2), times the valid pixels (3), the sum (1).
    /// </summary>
    public static KernelCall MeanOverClassWeights(LocalValue sum, LocalValue logits, LocalValue labels, LocalValue? valid, LocalValue weight) =>
        KernelCall.Create(Type, nameof(MeanOverClassWeights), KernelCall.Fixed(0, 3 + (valid is null ? 0 : 3)),
            Local(nameof(sum), sum), Local(nameof(logits), logits), Local(nameof(labels), labels), Optional(nameof(valid), valid), Local(nameof(weight), weight));

    /// <summary>
    /// The cross-entropy as in <see cref="BinaryCrossEntropy"/> (13), then the focal factors: 1 − 2t (4), 1 − p_t as one
    /// addcmul (4), the clamped power (4), times the cross-entropy (3), mean (1); with alpha ≥ 0 also α_t (4) and its
    /// multiply (3).
    /// </summary>
    public static KernelCall BinaryFocal(LocalValue probabilities, LocalValue logP, LocalValue logNotP, LocalValue target, double alpha, double gamma, LocalValue? weight, LocalValue? valid, LocalValue? pixelWeight) =>
        KernelCall.Create(Type, nameof(BinaryFocal), KernelCall.Fixed(13 + FocalFactors(alpha) + Scaled(valid ?? weight, pixelWeight)),
            Local(nameof(probabilities), probabilities), Local(nameof(logP), logP), Local(nameof(logNotP), logNotP), Local(nameof(target), target),
            Constant(nameof(alpha), alpha), Constant(nameof(gamma), gamma), Optional(nameof(weight), weight), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight));

    /// <summary>
    /// One autograd node: the sigmoid (2), the fused cross-entropy as in <see cref="BinaryCrossEntropyWithLogits"/> (3),
    /// then the focal factors as in <see cref="BinaryFocal"/>. Its backward is written out (not counted).
    /// </summary>
    public static KernelCall BinaryFocalWithLogits(LocalValue logits, LocalValue target, double alpha, double gamma, LocalValue? weight, LocalValue? valid, LocalValue? pixelWeight) =>
        KernelCall.Create(Type, nameof(BinaryFocalWithLogits), KernelCall.Fixed(FocalOnLogitsPasses(alpha) + Scaled(valid ?? weight, pixelWeight)),
            Local(nameof(logits), logits), Local(nameof(target), target), Constant(nameof(alpha), alpha), Constant(nameof(gamma), gamma),
            Optional(nameof(weight), weight), Optional(nameof(valid), valid), Optional(nameof(pixelWeight), pixelWeight))
        with { FusedCpuPath = PixelTermPath(true, pixelWeight ?? valid) };

    /// <summary>
    /// Per pixel: gather log p_y (read the labels and the values, write: 3) and sum (1). An ignore index: times the valid
    /// pixels (3) and their count (1), or with class weights w_y times the valid pixels (3). Class weights: w_y by take
    /// (2), its multiply (3) and sum (1). Label smoothing: log p·w with weights (2 full), the sum over classes (1 full, 1
    /// per-pixel write), its negation (2), with an ignore index times the valid pixels (3), and its sum (1).
    /// </summary>
    public static KernelCall CrossEntropy(LocalValue logProbabilities, LocalValue labels, LocalValue? valid, LocalValue? weight, double labelSmoothing, LocalValue? pixelWeight)
    {
        bool weighted = weight is not null, ignoring = valid is not null || pixelWeight is not null;
        var passes = new PassCount(0, 4 + (ignoring ? (weighted ? 3 : 4) : 0)) + CrossEntropyWeightingAndSmoothing(weighted, labelSmoothing, ignoring);
        return KernelCall.Create(Type, nameof(CrossEntropy), _ => passes,
            Local(nameof(logProbabilities), logProbabilities), Local(nameof(labels), labels), Optional(nameof(valid), valid),
            Optional(nameof(weight), weight), Constant(nameof(labelSmoothing), labelSmoothing), Optional(nameof(pixelWeight), pixelWeight));
    }

    /// <summary>What class weights and label smoothing add to ce's passes (see <see cref="CrossEntropy"/>).</summary>
    public static PassCount CrossEntropyWeightingAndSmoothing(bool weighted, double labelSmoothing, bool ignoring) =>
        labelSmoothing == 0
            ? new PassCount(0, weighted ? 6 : 0)
            : new PassCount(1 + (weighted ? 2 : 0), (weighted ? 6 : 0) + 4 + (ignoring ? 3 : 0));

    /// <summary>
    /// <see cref="CrossEntropy"/> with the mean over every pixel, left-out ones included: the same work, the count of
    /// all pixels known from the shape.
    /// </summary>
    public static KernelCall CrossEntropyOverAllPixels(LocalValue logProbabilities, LocalValue labels, LocalValue? valid, LocalValue? weight, double labelSmoothing,
        LocalValue? pixelWeight) =>
        CrossEntropy(logProbabilities, labels, valid, weight, labelSmoothing, pixelWeight) with { Method = new KernelMethod(Type, nameof(CrossEntropyOverAllPixels)) };

    /// <summary>
    /// Per pixel: gather p_y and log p_y (3 each), 1 − p_y (2), the clamped power (4), multiply and negate (5), and the
    /// mean (1; with an ignore index multiply, sum and count, 5). Class weights: w_y by take (2) and its multiply (3).
    /// </summary>
    public static KernelCall Focal(LocalValue probabilities, LocalValue logProbabilities, LocalValue labels, LocalValue? valid, double gamma, LocalValue? weight, LocalValue? pixelWeight) =>
        KernelCall.Create(Type, nameof(Focal), KernelCall.Fixed(0, 18 + (weight is null ? 0 : 5) + (valid is null && pixelWeight is null ? 0 : 4)),
            Local(nameof(probabilities), probabilities), Local(nameof(logProbabilities), logProbabilities), Local(nameof(labels), labels),
            Optional(nameof(valid), valid), Constant(nameof(gamma), gamma), Optional(nameof(weight), weight), Optional(nameof(pixelWeight), pixelWeight));

    private static int FocalFactors(double alpha) => 16 + (alpha < 0 ? 0 : 7);

    /// <summary>Mask focal's node on logits: the fused cross-entropy (5) and the focal factors.</summary>
    public static int FocalOnLogitsPasses(double alpha) => 5 + FocalFactors(alpha);

    /// <summary>A valid mask or a weight map: the values times it (3) and the count of kept elements (1).</summary>
    private static int Scaled(LocalValue? valid, LocalValue? pixelWeight) => valid is null && pixelWeight is null ? 0 : 4;

    /// <summary>bce's elements before the mean, as <see cref="BinaryCrossEntropy"/> computes them, without the mean (−1).</summary>
    public static KernelCall BinaryCrossEntropyUnreduced(LocalValue logP, LocalValue logNotP, LocalValue target, double? posWeight, double labelSmoothing, LocalValue? valid, LocalValue? pixelWeight) =>
        Unreduced(BinaryCrossEntropy(logP, logNotP, target, posWeight, labelSmoothing, valid, pixelWeight), nameof(BinaryCrossEntropyUnreduced));

    /// <summary>bce's elements on logits: libtorch's fused kernel writing every element (as <see cref="BinaryCrossEntropyWithLogits"/>).</summary>
    public static KernelCall BinaryCrossEntropyWithLogitsUnreduced(LocalValue logits, LocalValue target, double? posWeight, double labelSmoothing, LocalValue? valid, LocalValue? pixelWeight) =>
        Unreduced(BinaryCrossEntropyWithLogits(logits, target, posWeight, labelSmoothing, valid, pixelWeight), nameof(BinaryCrossEntropyWithLogitsUnreduced));

    /// <summary>Mask focal's elements before the mean, as <see cref="BinaryFocal"/> computes them.</summary>
    public static KernelCall BinaryFocalUnreduced(LocalValue probabilities, LocalValue logP, LocalValue logNotP, LocalValue target, double alpha, double gamma, LocalValue? weight, LocalValue? valid, LocalValue? pixelWeight) =>
        Unreduced(BinaryFocal(probabilities, logP, logNotP, target, alpha, gamma, weight, valid, pixelWeight), nameof(BinaryFocalUnreduced));

    /// <summary>Mask focal's elements on logits by ordinary operations: as <see cref="BinaryFocalWithLogits"/>, plus its own sigmoid (2).</summary>
    public static KernelCall BinaryFocalWithLogitsUnreduced(LocalValue logits, LocalValue target, double alpha, double gamma, LocalValue? weight, LocalValue? valid, LocalValue? pixelWeight) =>
        Unreduced(BinaryFocalWithLogits(logits, target, alpha, gamma, weight, valid, pixelWeight), nameof(BinaryFocalWithLogitsUnreduced), extra: 2);

    /// <summary>ce's per-pixel numerators, as <see cref="CrossEntropy"/> computes them.</summary>
    public static KernelCall CrossEntropyUnreduced(LocalValue logProbabilities, LocalValue labels, LocalValue? valid, LocalValue? weight, double labelSmoothing, LocalValue? pixelWeight) =>
        Unreduced(CrossEntropy(logProbabilities, labels, valid, weight, labelSmoothing, pixelWeight), nameof(CrossEntropyUnreduced));

    /// <summary>
    /// ce's per-pixel numerators from the logits: its own log-softmax (2), the gather (3; times the valid pixels, 3), and
    /// what class weights and label smoothing add.
    /// </summary>
    public static KernelCall CrossEntropyWithLogitsUnreduced(LocalValue logits, LocalValue labels, LocalValue? valid, LocalValue? weight, double labelSmoothing, LocalValue? pixelWeight)
    {
        var passes = new PassCount(2, valid is null ? 3 : 6) + CrossEntropyWeightingAndSmoothing(weight is not null, labelSmoothing, valid is not null)
            + new PassCount(0, pixelWeight is null ? 0 : 1);
        return KernelCall.Create(Type, nameof(CrossEntropyWithLogitsUnreduced), _ => passes,
            Local(nameof(logits), logits), Local(nameof(labels), labels), Optional(nameof(valid), valid), Optional(nameof(weight), weight),
            Constant(nameof(labelSmoothing), labelSmoothing), Optional(nameof(pixelWeight), pixelWeight));
    }

    /// <summary>
    /// Labels focal's per-pixel values from the logits, as the statistics node of class indices sums them: its own
    /// softmax and log-softmax (4), then as <see cref="Focal"/>.
    /// </summary>
    public static KernelCall FocalWithLogitsUnreduced(LocalValue logits, LocalValue labels, LocalValue? valid, double gamma, LocalValue? weight, LocalValue? pixelWeight) =>
        KernelCall.Create(Type, nameof(FocalWithLogitsUnreduced), KernelCall.Fixed(4, 18 + (valid is null ? 0 : 4) + (weight is null ? 0 : 5) + (pixelWeight is null ? 0 : 1)),
            Local(nameof(logits), logits), Local(nameof(labels), labels), Optional(nameof(valid), valid), Constant(nameof(gamma), gamma), Optional(nameof(weight), weight),
            Optional(nameof(pixelWeight), pixelWeight));

    /// <summary>Labels focal's per-pixel values, as <see cref="Focal"/> computes them.</summary>
    public static KernelCall FocalUnreduced(LocalValue probabilities, LocalValue logProbabilities, LocalValue labels, LocalValue? valid, double gamma, LocalValue? weight, LocalValue? pixelWeight) =>
        Unreduced(Focal(probabilities, logProbabilities, labels, valid, gamma, weight, pixelWeight), nameof(FocalUnreduced));

    /// <summary>
    /// The twin of a term's call that returns its values before the reduction: the same arguments, so the same shared
    /// inputs, and about the same data moved (the term's reduction traded for writing its values, plus any
    /// <paramref name="extra"/> full passes).
    /// </summary>
    /// <summary>The smoothed target, <c>t(1 − ε) + ε/2</c>: a multiply and an add (4) when ε is not 0.</summary>
    private static int Smoothing(double labelSmoothing) => labelSmoothing == 0 ? 0 : 4;

    /// <summary>
    /// The per-pixel cross-entropy as <see cref="CrossEntropyUnreduced"/> computes it, then the kept values selected
    /// (3 per pixel with a valid mask) and the partial selection of the largest (2).
    /// </summary>
    public static KernelCall TopKCrossEntropy(LocalValue logProbabilities, LocalValue labels, LocalValue? valid, double percent) =>
        KernelCall.Create(Type, nameof(TopKCrossEntropy), KernelCall.Fixed(0, 6 + (valid is null ? 0 : 6) + 2),
            Local(nameof(logProbabilities), logProbabilities), Local(nameof(labels), labels), Optional(nameof(valid), valid), Constant(nameof(percent), percent));

    /// <summary>
    /// The per-pixel cross-entropy (6), the kept pixels and their indices (3), the selection: with a threshold the
    /// true-class probabilities gathered and sorted (4) and compared (2), else the losses' partial selection (2); the
    /// selected sum (3).
    /// </summary>
    public static KernelCall OhemCrossEntropy(LocalValue probabilities, LocalValue logProbabilities, LocalValue labels, LocalValue? valid, double? threshold, int minKept, bool overAllPixels) =>
        KernelCall.Create(Type, nameof(OhemCrossEntropy), KernelCall.Fixed(0, 6 + 3 + (threshold is null ? 2 : 6) + 3),
            Local(nameof(probabilities), probabilities), Local(nameof(logProbabilities), logProbabilities), Local(nameof(labels), labels),
            Optional(nameof(valid), valid), Constant(nameof(threshold), threshold), Constant(nameof(minKept), minKept), Constant(nameof(overAllPixels), overAllPixels));

    /// <summary>libtorch's fused binary cross-entropy writing every element (4), the kept ones selected (5), the largest (2).</summary>
    public static KernelCall TopKBinaryCrossEntropyWithLogits(LocalValue logits, LocalValue target, LocalValue? valid, double percent) =>
        KernelCall.Create(Type, nameof(TopKBinaryCrossEntropyWithLogits), KernelCall.Fixed(4 + (valid is null ? 0 : 5) + 2),
            Local(nameof(logits), logits), Local(nameof(target), target), Optional(nameof(valid), valid), Constant(nameof(percent), percent));

    /// <summary>Every element from the clamped logs (13), the kept ones selected (5), the largest (2).</summary>
    public static KernelCall TopKBinaryCrossEntropy(LocalValue logP, LocalValue logNotP, LocalValue target, LocalValue? valid, double percent) =>
        KernelCall.Create(Type, nameof(TopKBinaryCrossEntropy), KernelCall.Fixed(13 + (valid is null ? 0 : 5) + 2),
            Local(nameof(logP), logP), Local(nameof(logNotP), logNotP), Local(nameof(target), target), Optional(nameof(valid), valid),
            Constant(nameof(percent), percent));

    // The per-element kernel of a term: no CPU pass of the term's own (that sums).
    private static KernelCall Unreduced(KernelCall term, string method, int extra = 0) =>
        term with { Method = new KernelMethod(Type, method), Passes = signature => term.Passes(signature) + new PassCount(extra, 0), FusedCpuPath = null };

    // LossDsl.Kernels.PixelLosses.OnePassOverAllElements: bce or focal alone, bce without smoothing, on the
    // statistics node's pass, which reads the logits and the mask once, and the element scale (a valid mask or weight map).
    private static FusedCpuPath? PixelTermPath(bool takes, LocalValue? scale) => takes
        ? new FusedCpuPath("One fused pass each way for contiguous float32/float64 CPU tensors (Kernels/Cpu, the statistics node's); libtorch's kernels otherwise.",
            "one fused pass", signature => new PassCount(2, 0) + (scale is null ? default : RegionStatisticsCalls.ScalePasses(signature)))
        : null;
}
