namespace LossDsl.Kernels;

/// <summary>
/// The pixel term a <see cref="SoftmaxStatistics"/> node sums over the kept pixels beside TP, P and T: ce (focal's γ
/// null) or focal, each pixel times its class's weight w_y when there are class weights, and for ce PyTorch's label
/// smoothing ε: <c>(1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c)</c>; focal <c>w_y·(1 − p_y)^γ·(−log p_y)</c>.
/// </summary>
/// <param name="FocalGamma">Focal's γ ≥ 0, or null for ce.</param>
/// <param name="ClassWeights">w_c, one per class, or null for 1.</param>
/// <param name="LabelSmoothing">ce's ε in [0, 1]; 0 for focal.</param>
internal sealed record LabelPixelSum(double? FocalGamma, double[]? ClassWeights, double LabelSmoothing)
{
    /// <summary>
    /// Whether the pixels' scale is a weight map (any weight ≥ 0) rather than the kept pixels (0 or 1): then no pass may
    /// pool several pixels' logarithms into the log of a product, which holds only for exponents 0 and 1.
    /// </summary>
    public bool WeighsPixels { get; init; }

    /// <summary>ce, plain: <c>−log p_y</c>.</summary>
    public static LabelPixelSum CrossEntropy { get; } = new(null, null, 0);

    /// <summary>ce with class weights (or null) and label smoothing ε.</summary>
    public static LabelPixelSum WeightedCrossEntropy(double[]? classWeights, double labelSmoothing) => new(null, classWeights, labelSmoothing);

    /// <summary>Focal with γ and class weights (or null).</summary>
    public static LabelPixelSum Focal(double gamma, double[]? classWeights = null) => new(gamma, classWeights, 0);

    /// <inheritdoc/>
    public override string ToString() =>
        (FocalGamma is { } gamma ? $"focal γ {gamma}" : "ce")
        + (ClassWeights is { } weights ? $", class weights [{string.Join(", ", weights)}]" : string.Empty)
        + (LabelSmoothing != 0 ? $", label smoothing {LabelSmoothing}" : string.Empty)
        + (WeighsPixels ? ", weighed pixels" : string.Empty);
}
