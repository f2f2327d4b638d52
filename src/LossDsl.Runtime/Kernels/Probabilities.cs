using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>Logits to probabilities, computed once per forward pass and shared by every term that reads them.</summary>
public static class Probabilities
{
    /// <summary><c>p = sigmoid(x)</c>, for mask targets.</summary>
    public static Tensor Sigmoid(Tensor logits) => logits.sigmoid();

    /// <summary><c>p = softmax(x)</c> over the classes (dim 1), for labels targets.</summary>
    public static Tensor Softmax(Tensor logits) => logits.softmax(1);
}
