using System;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace LossDsl.Kernels;

public static partial class StructureLosses
{
    /// <summary>
    /// Soft clDice (Shit et al. 2021; MONAI's SoftclDiceLoss): with S(x) the soft skeleton of x (<see cref="SoftSkeleton"/>),
    /// topology precision <c>Tprec = (Σ S(p)·t + s) / (Σ S(p) + s)</c> and sensitivity <c>Tsens = (Σ S(t)·p + s) / (Σ S(t) + s)</c>,
    /// the sums over the batch, the kept channels and space together; the loss is <c>1 − 2·Tprec·Tsens / (Tprec + Tsens)</c>.
    /// The gradient runs through both the skeleton of p and the plain p.
    /// </summary>
    /// <param name="loss">The loss's name, for messages.</param>
    /// <param name="probabilities">p, [N, C, H, W] or [N, C, D, H, W].</param>
    /// <param name="target">t in the same shape: the mask, or one-hot labels.</param>
    /// <param name="iterations">Erosions of the soft skeleton after the first opening (MONAI's iter_).</param>
    /// <param name="smooth">s &gt; 0.</param>
    /// <param name="includeBackground">False leaves channel 0 out, as MONAI always does.</param>
    public static Tensor ClDice(string loss, Tensor probabilities, Tensor target, int iterations, double smooth, bool includeBackground)
    {
        RequireImagesOrVolumes(loss, "cldice", probabilities);
        using var p = KeptChannels(probabilities, includeBackground);
        using var t = KeptChannels(target, includeBackground);
        using var skeletonP = SoftSkeleton(p, iterations);
        using var skeletonT = SoftSkeleton(t, iterations);
        using var precision = ((skeletonP * t).sum() + smooth) / (skeletonP.sum() + smooth);
        using var sensitivity = ((skeletonT * p).sum() + smooth) / (skeletonT.sum() + smooth);
        return 1 - (2 * precision * sensitivity / (precision + sensitivity));
    }

    /// <summary>
    /// The soft skeleton of Shit et al.: <c>skel = relu(x − open(x))</c>, then <paramref name="iterations"/> times
    /// <c>x ← erode(x)</c>, <c>δ = relu(x − open(x))</c>, <c>skel += relu(δ − skel·δ)</c>; erosion is the minimum over the
    /// 3-element line along each spatial axis, dilation the maximum over the 3×3(×3) cube, open = dilate(erode), all
    /// with stride 1 and the border left out of each neighbourhood.
    /// </summary>
    private static Tensor SoftSkeleton(Tensor x, int iterations)
    {
        var image = x.alias();
        using (var opened = SoftOpen(image))
        {
            var skeleton = relu(image - opened);
            for (var i = 0; i < iterations; i++)
            {
                var eroded = SoftErode(image);
                image.Dispose();
                image = eroded;
                using var reopened = SoftOpen(image);
                using var delta = relu(image - reopened);
                using var overlap = skeleton * delta;
                using var added = relu(delta - overlap);
                var next = skeleton + added;
                skeleton.Dispose();
                skeleton = next;
            }

            image.Dispose();
            return skeleton;
        }
    }

    private static Tensor SoftOpen(Tensor x)
    {
        using var eroded = SoftErode(x);
        return SoftDilate(eroded);
    }

    // Minimum pooling as the negated maximum of the negation: max pooling's padding never wins, so the border is left out.
    private static Tensor SoftErode(Tensor x)
    {
        var rank = (int)x.dim() - 2;
        Tensor? result = null;
        for (var axis = 0; axis < rank; axis++)
        {
            var kernel = new long[rank];
            Array.Fill(kernel, 1L);
            kernel[axis] = 3;
            using var negated = x.neg();
            using var pooled = MaxPool(negated, kernel);
            var line = pooled.neg();
            if (result is null)
            {
                result = line;
                continue;
            }

            var previous = result;
            result = minimum(previous, line);
            previous.Dispose();
            line.Dispose();
        }

        return result!;
    }

    // The 3×3(×3) cube: the same as boundary's SamePool with a window of 3.
    private static Tensor SoftDilate(Tensor x) => SamePool(x, 3);
}
