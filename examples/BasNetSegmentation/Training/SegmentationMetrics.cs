using TorchSharp;
using static TorchSharp.torch;

namespace BasNetSegmentation.Training;

/// <summary>How well predicted masks match true ones.</summary>
public static class SegmentationMetrics
{
    /// <summary>
    /// |predicted ∩ true| / |predicted ∪ true| over all pixels of all images of two boolean masks of one shape; 1 when
    /// both are empty (nothing to find, nothing found).
    /// </summary>
    public static double IntersectionOverUnion(Tensor predicted, Tensor truth)
    {
        using var scope = NewDisposeScope();
        var intersection = (predicted & truth).sum().ToDouble();
        var union = (predicted | truth).sum().ToDouble();
        return union == 0 ? 1 : intersection / union;
    }
}
