using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels;

/// <summary>The two resizes of deep supervision (LOSSES.md, "Deep supervision"), on the trailing spatial dims.</summary>
internal static class Resize
{
    /// <summary>
    /// Nearest neighbour in PyTorch's <c>nearest-exact</c> form: output index i of a dim reads input index
    /// <c>floor((i + ½) · in / out)</c>. Works on any dtype (labels stay integers, so ignored labels stay ignored) and
    /// gathers rather than interpolates, so values are copied exactly.
    /// </summary>
    /// <param name="input">The tensor; its last <c>size.Length</c> dims are resized.</param>
    /// <param name="size">The output's spatial sizes.</param>
    public static Tensor NearestExact(Tensor input, long[] size)
    {
        var first = input.dim() - size.Length;
        var result = input.alias();
        for (var d = 0; d < size.Length; d++)
        {
            var inSize = input.shape[first + d];
            if (inSize == size[d])
            {
                continue;
            }

            var scale = (double)inSize / size[d];
            var indices = Enumerable.Range(0, (int)size[d]).Select(i => Math.Min((long)Math.Floor((i + 0.5) * scale), inSize - 1)).ToArray();
            using var index = tensor(indices, device: input.device);
            using var previous = result;
            result = previous.index_select(first + d, index);
        }

        return result;
    }

    /// <summary>
    /// <paramref name="pred"/> [N, C, *spatial] resized to <paramref name="size"/> by linear, bilinear or trilinear
    /// interpolation (by spatial rank) with <c>align_corners=False</c> and no antialiasing, as BASNet upsamples its side
    /// outputs; the gradient flows back to the level's prediction.
    /// </summary>
    public static Tensor Multilinear(Tensor pred, long[] size)
    {
        var mode = size.Length switch
        {
            1 => InterpolationMode.Linear,
            2 => InterpolationMode.Bilinear,
            3 => InterpolationMode.Trilinear,
            _ => throw new ArgumentException($"Resizing a prediction to the target takes 1 to 3 spatial dims, not {size.Length}; use 'resize target' for this rank.", nameof(pred)),
        };
        return nn.functional.interpolate(pred, size, mode: mode, align_corners: false);
    }
}
