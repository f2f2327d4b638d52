using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Whether a statistics node's forward pass kept a value per element for its backward pass (p, or a pixel term's slope)
/// in a buffer of the logits' size (saved with the node's tensors), and whether a backward pass has written its gradient
/// over it yet. The first backward pass takes the buffer and returns it as the gradient; a second one (after
/// <c>retain_graph</c>) computes everything again from the logits.
/// </summary>
internal sealed class KeptForBackward(bool kept)
{
    private bool available = kept;

    /// <summary>The saved buffer, the first time it is asked for; null after that, or when none was kept.</summary>
    public Tensor? Take(Tensor saved)
    {
        if (!available)
        {
            return null;
        }

        available = false;
        return saved;
    }
}
