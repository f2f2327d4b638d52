using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>Runs a loss module on plain arrays: the value and d value / d pred, as doubles.</summary>
public static class LossRun
{
    public static (double Value, double[] Gradient) ValueAndGradient(
        nn.Module<Tensor, Tensor, Tensor> loss, double[] pred, double[] target, long[] shape, ScalarType dtype = ScalarType.Float64, long[]? targetShape = null, ScalarType? targetDtype = null)
    {
        using var scope = NewDisposeScope();
        var x = FixedInputs.ToTensor(pred, shape, dtype, requiresGrad: true);
        var t = FixedInputs.ToTensor(target, targetShape ?? shape, targetDtype ?? dtype);
        var value = loss.call(x, t);
        Assert.Equal(dtype, value.dtype);
        Assert.Empty(value.shape);
        value.backward();
        return (value.ToDouble(), FixedInputs.ToArray(x.grad!));
    }

    public static double[] Sigmoid(double[] logits) => logits.Select(ReferenceFormulas.Sigmoid).ToArray();
}
