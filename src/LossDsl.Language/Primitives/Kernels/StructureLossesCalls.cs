using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>The calls a plan makes to <c>LossDsl.Kernels.StructureLosses</c>, with their pass estimates (see <see cref="InputsCalls"/>).</summary>
internal static class StructureLossesCalls
{
    private const string Type = "StructureLosses";

    /// <summary>
    /// x², y², x·y (9), their concatenation (5 read, 5 written), the Gaussian filter over the 5 maps (20: two banded-matrix
    /// products up to 256 px a side, two grouped convolutions beyond, 10 each), the three products and three differences
    /// of the filtered maps (18), the SSIM formula (27), mean (1).
    /// </summary>
    /// <remarks>Reflection padding copies both images padded (2 each), and the crop's mean reads the map's centre (0).</remarks>
    public static KernelCall Ssim(string loss, LocalValue probabilities, LocalValue target, LocalValue window, double c1, double c2, double eps, bool reflect, bool validOnly) =>
        KernelCall.Create(Type, nameof(Ssim), KernelCall.Fixed(85 + (reflect ? 4 : 0)),
            Constant(nameof(loss), loss), Local(nameof(probabilities), probabilities), Local(nameof(target), target), Local(nameof(window), window),
            Constant(nameof(c1), c1), Constant(nameof(c2), c2), Constant(nameof(eps), eps), Constant(nameof(reflect), reflect), Constant(nameof(validOnly), validOnly));

    /// <summary>
    /// The SSIM passes (85, as <see cref="Ssim"/>) at every scale, each a quarter of the one before in 2-D, so about 4/3 of
    /// them (113), and the two poolings between scales (4).
    /// </summary>
    public static KernelCall MsSsim(string loss, LocalValue probabilities, LocalValue target, LocalValue window, double c1, double c2, double[] scaleWeights) =>
        KernelCall.Create(Type, nameof(MsSsim), KernelCall.Fixed(117),
            Constant(nameof(loss), loss), Local(nameof(probabilities), probabilities), Local(nameof(target), target), Local(nameof(window), window),
            Constant(nameof(c1), c1), Constant(nameof(c2), c2), Constant(nameof(scaleWeights), scaleWeights));

    // LossDsl.Kernels.Cpu.LovaszWeightsPass.Takes: the errors and the targets as rows that the radix sort takes.
    private const string LovaszTensors =
        "Each row ranked by a radix sort and its weights in one walk for contiguous float32/float64 CPU tensors (Kernels/Cpu); torch's sort otherwise.";

    /// <summary>
    /// The Lovász extension (31): sort (3 with the indices), gather (3), the positive count (1), two cumulative sums with
    /// their operands (10), the Jaccard ratio and 1 − it (5), its differences and concatenation (5), the weighted sum (4).
    /// </summary>
    private const int LovaszExtensionPasses = 31;

    /// <summary>
    /// The extension on the CPU path (27): keys and positions (3), at most four byte passes of the radix sort, each
    /// reading and writing keys and positions (16), the positive count (1), the walk (3: positions, the targets in that
    /// order, the weights), the weighted sum (4). Fewer passes than the torch path's only by 4, but linear where a
    /// comparison sort's passes grow with log n.
    /// </summary>
    private const int LovaszExtensionCpuPasses = 27;

    // The CPU path of a Lovász term whose errors and rows take `around` passes (and `perPixel` per-pixel ones).
    private static FusedCpuPath LovaszPath(int around, int perPixel = 0) =>
        new(LovaszTensors, "a radix sort and one walk", _ => new PassCount(around + LovaszExtensionCpuPasses, perPixel));

    /// <summary>
    /// Hinge errors 1 − x·(2t − 1) and relu (11), then the Lovász extension (<see cref="LovaszExtensionPasses"/>). A valid
    /// mask multiplies the errors and the target by it (6).
    /// </summary>
    public static KernelCall LovaszHinge(string loss, LocalValue logits, LocalValue target, LocalValue? valid, bool perImage) =>
        KernelCall.Create(Type, nameof(LovaszHinge), KernelCall.Fixed(11 + LovaszExtensionPasses + (valid is null ? 0 : 6)),
            Constant(nameof(loss), loss), Local(nameof(logits), logits), Local(nameof(target), target), Optional(nameof(valid), valid),
            Constant(nameof(perImage), perImage))
        with { FusedCpuPath = LovaszPath(11 + (valid is null ? 0 : 6)) };

    /// <summary>
    /// Errors |t − p| (5; with an ignore index times the valid pixels, 2 full and 1 per pixel), the batch-wide rows of
    /// errors and targets (a transposed copy, 2 each, not per image), the Lovász extension
    /// (<see cref="LovaszExtensionPasses"/>), and the class-presence sum (1) with classes: present. Class weights touch one
    /// number per class.
    /// </summary>
    public static KernelCall LovaszSoftmax(LocalValue probabilities, LocalValue target, LocalValue? valid, LocalValue? weight, bool presentOnly, bool perImage)
    {
        var around = 5 + (valid is null ? 0 : 2) + (perImage ? 0 : 4) + (presentOnly ? 1 : 0);
        return KernelCall.Create(Type, nameof(LovaszSoftmax), KernelCall.Fixed(around + LovaszExtensionPasses, valid is null ? 0 : 1),
                Local(nameof(probabilities), probabilities), Local(nameof(target), target), Optional(nameof(valid), valid), Optional(nameof(weight), weight),
                Constant(nameof(presentOnly), presentOnly), Constant(nameof(perImage), perImage))
            with { FusedCpuPath = LovaszPath(around, valid is null ? 0 : 1) };
    }

    // LossDsl.Kernels.Cpu.SameMaxPoolPass.Takes: the maps the pooling's separable passes take.
    private const string PoolingTensors =
        "Max pooling by separable vector passes for contiguous float32/float64 CPU tensors (Kernels/Cpu); libtorch's max_pool otherwise.";

    /// <summary>
    /// A max pooling as libtorch's kernel counts (a read and a write; the window's k² elements are visited one at a time
    /// inside it, not counted), and on the CPU path for 2 spatial dims: a pass per pooled dim, the first reading the
    /// input and writing values and indices (3), the second reading and writing both (4).
    /// </summary>
    private const int PoolPasses = 2;

    private const int SeparablePoolPasses = 7;

    private const int OneDimPoolPasses = 3;

    private static FusedCpuPath PoolingPath(int passes) => new(PoolingTensors, "separable max pooling", _ => new PassCount(passes, 0));

    /// <summary>
    /// Per class map of p and of t: boundary map 1 − x, max-pool, subtract (5 + a pool each), the extended maps (a pool
    /// each), precision and recall sums (5 each): 28. A mask counts each channel twice, (1 − x, x): 1 − x and the
    /// concatenation for p and t (6 each) and 28 over twice the data.
    /// </summary>
    public static KernelCall Boundary(string loss, LocalValue probabilities, LocalValue target, int theta0, int theta, bool includeComplement) =>
        KernelCall.Create(Type, nameof(Boundary), KernelCall.Fixed(BoundaryPasses(PoolPasses, includeComplement)),
            Constant(nameof(loss), loss), Local(nameof(probabilities), probabilities), Local(nameof(target), target),
            Constant(nameof(theta0), theta0), Constant(nameof(theta), theta), Constant(nameof(includeComplement), includeComplement))
        with { FusedCpuPath = PoolingPath(BoundaryPasses(SeparablePoolPasses, includeComplement)) };

    private static int BoundaryPasses(int pool, bool includeComplement)
    {
        var perClassMap = (2 * (5 + pool + pool)) + 10;
        return includeComplement ? 12 + (2 * perClassMap) : perClassMap;
    }

    /// <summary>
    /// Per field (prediction, target): threshold (2), the copy to the CPU and back (2), the two transforms (each a read
    /// and a write per spatial dim, about 4 for two dims), their sum (3), the boundary check (3), the power (2); then
    /// the squared error (5), the weighted error (3) and the mean (1). The transforms run on the CPU, one element at a
    /// time: their passes cost more than a vectorised one (docs/performance.md).
    /// </summary>
    public static KernelCall HausdorffDistanceTransform(LocalValue probabilities, LocalValue target, double alpha, bool includeBackground) =>
        KernelCall.Create(Type, nameof(HausdorffDistanceTransform), KernelCall.Fixed((2 * 16) + 9),
            Local(nameof(probabilities), probabilities), Local(nameof(target), target), Constant(nameof(alpha), alpha),
            Constant(nameof(includeBackground), includeBackground));

    /// <summary>
    /// The target's signed distance map: threshold (2), the copy to the CPU and back (2), the two transforms (about 4
    /// for two dims), the sign and the boundary check (5); then the product with p (3) and the mean (1).
    /// </summary>
    public static KernelCall BoundaryDistance(LocalValue probabilities, LocalValue target, bool includeBackground) =>
        KernelCall.Create(Type, nameof(BoundaryDistance), KernelCall.Fixed(17),
            Local(nameof(probabilities), probabilities), Local(nameof(target), target), Constant(nameof(includeBackground), includeBackground));

    /// <summary>
    /// Per skeleton (prediction, target): an opening (erosion: per axis a negate, a pool along the axis, negate and
    /// minimum, 6 + a pool per axis; dilation, a pool) and its relu difference (3), then per iteration an erosion, an
    /// opening and the update (7); the two overlap sums (3 each) and the skeleton sums (1 each). Counted for 2 spatial dims.
    /// </summary>
    public static KernelCall ClDice(string loss, LocalValue probabilities, LocalValue target, int iterations, double smooth, bool includeBackground) =>
        KernelCall.Create(Type, nameof(ClDice), KernelCall.Fixed(ClDicePasses(PoolPasses, PoolPasses, iterations)),
            Constant(nameof(loss), loss), Local(nameof(probabilities), probabilities), Local(nameof(target), target), Constant(nameof(iterations), iterations),
            Constant(nameof(smooth), smooth), Constant(nameof(includeBackground), includeBackground))
        with { FusedCpuPath = PoolingPath(ClDicePasses(OneDimPoolPasses, SeparablePoolPasses, iterations)) };

    private static int ClDicePasses(int linePool, int squarePool, int iterations)
    {
        var erosion = 2 * (6 + linePool);
        var opening = erosion + squarePool;
        return (2 * (opening + 3 + (iterations * (erosion + opening + 7)))) + 8;
    }

    /// <summary>
    /// Length: row and column differences (3 each), their squares (3 each), sum (3), + eps (2), sqrt (2), mean (1). Region:
    /// p·(t − 1)² and (1 − p)·t², 8 each with their means.
    /// </summary>
    public static KernelCall ActiveContour(string loss, LocalValue probabilities, LocalValue target, double weight) =>
        KernelCall.Create(Type, nameof(ActiveContour), KernelCall.Fixed(36),
            Constant(nameof(loss), loss), Local(nameof(probabilities), probabilities), Local(nameof(target), target), Constant(nameof(weight), weight));
}
