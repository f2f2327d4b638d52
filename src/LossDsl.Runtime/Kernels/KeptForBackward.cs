using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Whether a statistics node's forward pass kept values for its backward pass (saved with the node's tensors): p in a
/// buffer of the logits' size and, beside it, what the pixel term's gradient reads that p does not give (mask focal's
/// slope, class-index focal's −log p_y), or mask focal's slope alone where no statistic takes a gradient; and whether a
/// backward pass has written its gradient over them yet. The first backward pass takes both and returns p's buffer (or
/// the slope's, kept alone) as the gradient; a second one (after <c>retain_graph</c>) reads
/// neither and computes everything again from the logits.
/// </summary>
internal sealed class KeptForBackward(bool kept)
{
    private bool available = kept;

    /// <summary>
    /// The saved p and what was kept beside it (null when nothing was), the first time they are asked for; nulls after
    /// that, or when nothing was kept.
    /// </summary>
    public (Tensor? Probabilities, Tensor? Beside) Take(Tensor? probabilities, Tensor? beside)
    {
        if (!available)
        {
            return (null, null);
        }

        available = false;
        return (probabilities, beside);
    }
}
