using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>
/// Lovász hinge, per image, as the authors' reference code writes it: a loop over the images; per image flatten,
/// hinge errors <c>1 − x·(2t − 1)</c>, sort descending, the Lovász gradient of the sorted ground truth, and
/// <c>dot(relu(errors_sorted), grad)</c>; then the mean over images.
/// </summary>
public sealed class LovaszHingeLoss() : nn.Module<Tensor, Tensor, Tensor>("lovasz_hinge")
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var losses = new List<Tensor>();
        for (var i = 0; i < pred.shape[0]; i++)
        {
            var logits = pred[i].view(-1);
            var labels = target[i].view(-1);
            var signs = 2 * labels - 1;
            var errors = 1 - logits * signs;
            var (sorted, permutation) = errors.sort(0, descending: true);
            var gradient = LovaszGradient(labels.index_select(0, permutation));
            losses.Add(relu(sorted).dot(gradient));
        }

        return stack(losses).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The gradient of the Lovász extension with respect to the sorted errors (no autograd: labels only).</summary>
    private static Tensor LovaszGradient(Tensor sortedLabels)
    {
        var positives = sortedLabels.sum();
        var intersection = positives - sortedLabels.cumsum(0);
        var union = positives + (1 - sortedLabels).cumsum(0);
        var jaccard = 1 - intersection / union;
        var count = jaccard.shape[0];
        if (count > 1)
        {
            var tail = jaccard.narrow(0, 1, count - 1);
            tail.copy_(tail - jaccard.narrow(0, 0, count - 1));
        }

        return jaccard;
    }
}
