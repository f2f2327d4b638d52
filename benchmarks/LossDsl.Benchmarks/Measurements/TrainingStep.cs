using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Measurements;

/// <summary>What every measurement times: one forward and backward pass of a loss, as a training step runs it.</summary>
public static class TrainingStep
{
    /// <summary>
    /// The loss of <paramref name="pred"/> and its gradient. <c>autograd.grad</c> rather than <c>backward()</c>: the
    /// gradient is returned, not accumulated into <c>pred.grad</c> (no extra add, as after <c>zero_grad(set_to_none)</c>),
    /// and PyTorch's script times the same call. Every tensor the step creates is disposed before it returns.
    /// </summary>
    public static void Run(nn.Module<Tensor, Tensor, Tensor> loss, Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var value = loss.call(pred, target);
        autograd.grad(new[] { value }, new[] { pred });
    }

    /// <summary>The loss value and the gradient with respect to pred, as float64 copies the caller owns.</summary>
    public static (double Value, Tensor Gradient) ValueAndGradient(nn.Module<Tensor, Tensor, Tensor> loss, Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var value = loss.call(pred, target);
        var gradient = autograd.grad(new[] { value }, new[] { pred })[0];
        return (value.to_type(ScalarType.Float64).item<double>(), gradient.to_type(ScalarType.Float64).DetachFromDisposeScope());
    }
}
