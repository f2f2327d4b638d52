using System;
using static TorchSharp.torch;

namespace BasNetSegmentation.Data;

/// <summary>A set of synthetic images and their masks, as float32 tensors of shape [N, 1, size, size].</summary>
public sealed class ShapesDataset : IDisposable
{
    private ShapesDataset(Tensor images, Tensor masks)
    {
        Images = images;
        Masks = masks;
    }

    /// <summary>The images, [N, 1, size, size].</summary>
    public Tensor Images { get; }

    /// <summary>The binary masks of the shapes (1 inside), [N, 1, size, size].</summary>
    public Tensor Masks { get; }

    /// <summary>The number of samples.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>Draws <paramref name="count"/> samples of <paramref name="size"/>² pixels; the same seed gives the same set.</summary>
    public static ShapesDataset Generate(int count, int size, int seed)
    {
        var random = new Random(seed);
        var pixels = size * size;
        var images = new float[count * pixels];
        var masks = new float[count * pixels];
        for (var i = 0; i < count; i++)
        {
            SyntheticScene.Draw(random, size, images.AsSpan(i * pixels, pixels), masks.AsSpan(i * pixels, pixels));
        }

        long[] shape = [count, 1, size, size];
        return new ShapesDataset(tensor(images, shape), tensor(masks, shape));
    }

    /// <summary>The samples at <paramref name="indices"/>, as new tensors.</summary>
    public (Tensor Images, Tensor Masks) Batch(Tensor indices) => (Images.index_select(0, indices), Masks.index_select(0, indices));

    /// <summary>Disposes the image and mask tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
    }
}
