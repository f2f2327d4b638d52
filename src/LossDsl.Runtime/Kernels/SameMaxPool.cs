using System.Collections.Generic;
using System.Linq;
using LossDsl.Kernels.Cpu;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>
/// Max pooling with stride 1 and padding (k − 1)/2 over every spatial dim (the output has the input's size), as one
/// autograd node: on contiguous float32/float64 CPU tensors by <see cref="SameMaxPoolPass"/> (separable passes, the
/// gradient routed to the saved maxima), elsewhere by libtorch's max_pool2d/3d. Both keep the first maximum of a
/// window in row-major order, so they give the same values and the same gradient.
/// </summary>
internal sealed class SameMaxPool : autograd.SingleTensorFunction<SameMaxPool>
{
    /// <inheritdoc/>
    public override string Name => nameof(SameMaxPool);

    /// <summary>Pools <paramref name="x"/> ([N, C, *spatial], 2 or 3 spatial dims) with the odd window <paramref name="kernel"/>, one size per spatial dim.</summary>
    public static Tensor Compute(Tensor x, long[] kernel)
    {
        if (!SameMaxPoolPass.Takes(x, kernel))
        {
            var strides = Enumerable.Repeat(1L, kernel.Length).ToArray();
            var padding = kernel.Select(k => (k - 1) / 2).ToArray();
            return kernel.Length == 2 ? nn.functional.max_pool2d(x, kernel, strides, padding) : nn.functional.max_pool3d(x, kernel, strides, padding);
        }

        if (!x.requires_grad || !is_grad_enabled())
        {
            var (values, indices) = SameMaxPoolPass.Forward(x, kernel);
            indices.Dispose();
            return values;
        }

        return apply(x, kernel);
    }

    /// <summary>Arguments: x and the window (long[]). Saves the maxima's indices for the backward pass.</summary>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, kernel) = ((Tensor)vars[0], (long[])vars[1]);
        var (values, indices) = SameMaxPoolPass.Forward(x, kernel);
        ctx.save_for_backward(new List<Tensor> { indices });
        return values;
    }

    /// <inheritdoc/>
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var indices = ctx.get_saved_variables()[0];
        return new List<Tensor> { SameMaxPoolPass.Backward(grad_output, indices), null! };
    }
}
