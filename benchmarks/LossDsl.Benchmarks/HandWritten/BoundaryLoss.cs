using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// Boundary loss (Bokhovkin et al. 2019) as its public PyTorch implementation writes it: softmax, one-hot labels,
/// boundary maps by max pooling of <c>1 − x</c>, extended maps by a second pooling, precision and recall per image and
/// class, <c>mean(1 − BF1)</c>.
/// </summary>
public sealed class BoundaryLoss(int theta0, int theta) : nn.Module<Tensor, Tensor, Tensor>("boundary")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (n, classes) = (pred.shape[0], pred.shape[1]);
        var p = pred.softmax(1);
        var oneHot = one_hot(target, classes).permute(0, 3, 1, 2).to_type(pred.dtype);

        var groundTruthBoundary = max_pool2d(1 - oneHot, theta0, stride: 1, padding: (theta0 - 1) / 2) - (1 - oneHot);
        var predictedBoundary = max_pool2d(1 - p, theta0, stride: 1, padding: (theta0 - 1) / 2) - (1 - p);
        var groundTruthExtended = max_pool2d(groundTruthBoundary, theta, stride: 1, padding: (theta - 1) / 2);
        var predictedExtended = max_pool2d(predictedBoundary, theta, stride: 1, padding: (theta - 1) / 2);

        var gtB = groundTruthBoundary.view(n, classes, -1);
        var predB = predictedBoundary.view(n, classes, -1);
        var gtExt = groundTruthExtended.view(n, classes, -1);
        var predExt = predictedExtended.view(n, classes, -1);

        var precision = (predB * gtExt).sum(2) / (predB.sum(2) + 1e-7);
        var recall = (predExt * gtB).sum(2) / (gtB.sum(2) + 1e-7);
        var f1 = 2 * precision * recall / (precision + recall + 1e-7);
        return (1 - f1).mean().MoveToOuterDisposeScope();
    }
}
