using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>Runs loss text on a <see cref="LossCase"/> and compares value and gradient with a reference formula.</summary>
public static class LossCheck
{
    /// <summary>Every named case once in float64 and once in float32, as theory rows.</summary>
    public static TheoryData<string, ScalarType> InBothPrecisions(IEnumerable<string> names)
    {
        var rows = new TheoryData<string, ScalarType>();
        foreach (var name in names)
        {
            rows.Add(name, ScalarType.Float64);
            rows.Add(name, ScalarType.Float32);
        }

        return rows;
    }

    /// <summary>Compiles <paramref name="text"/> for the case's task, runs it in <paramref name="dtype"/>, asserts value and d/dpred.</summary>
    public static void Matches(LossCase k, string text, Func<Dual[], Dual> reference, ScalarType dtype)
    {
        var (value, gradient) = Dual.Gradient(k.Pred, reference);
        using var loss = LossCompiler.Compile(text, k.Options());
        var (actual, actualGradient) = Run(loss, k, dtype);

        Tolerance.Close(value, actual, Tolerance.For(dtype), $"{text} ({dtype})");
        Tolerance.Gradient(gradient, actualGradient, dtype, $"d({text})/dpred ({dtype})");
    }

    /// <summary>The loss value and d/dpred, checking the value is a scalar of pred's dtype.</summary>
    public static (double Value, double[] Gradient) Run(nn.Module<Tensor, Tensor, Tensor> loss, LossCase k, ScalarType dtype)
    {
        using var pred = k.PredTensor(dtype);
        using var target = k.TargetTensor(dtype);
        using var total = loss.call(pred, target);
        total.backward();

        Assert.Equal(dtype, total.dtype);
        Assert.Empty(total.shape);
        return (total.ToDouble(), FixedInputs.ToArray(pred.grad!));
    }
}
