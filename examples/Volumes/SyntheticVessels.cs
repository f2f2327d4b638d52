using static TorchSharp.torch;

namespace Volumes;

/// <summary>
/// Volumes with thin tubes (straight segments of radius about 1.2 voxels between random points) and the noisy image a
/// scanner would give of them: the tubular structures clDice is made for.
/// </summary>
public static class SyntheticVessels
{
    public static (Tensor Images, Tensor Masks) Create(int count, int size, int seed)
    {
        var random = new Random(seed);
        var masks = new float[count * size * size * size];
        for (var volume = 0; volume < count; volume++)
        {
            for (var tube = 0; tube < 3; tube++)
            {
                var from = Point(random, size);
                var to = Point(random, size);
                Draw(masks, volume * size * size * size, size, from, to, radius: 1.2);
            }
        }

        var shape = new long[] { count, 1, size, size, size };
        var mask = tensor(masks).reshape(shape);
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        using var noise = randn(shape, generator: generator);
        var image = mask * 2 - 1 + (noise * 0.8);
        return (image, mask);
    }

    private static (double X, double Y, double Z) Point(Random random, int size) =>
        (random.NextDouble() * (size - 1), random.NextDouble() * (size - 1), random.NextDouble() * (size - 1));

    /// <summary>Every voxel whose centre lies within <paramref name="radius"/> of the segment from → to.</summary>
    private static void Draw(float[] masks, int offset, int size, (double X, double Y, double Z) from, (double X, double Y, double Z) to, double radius)
    {
        var (dx, dy, dz) = (to.X - from.X, to.Y - from.Y, to.Z - from.Z);
        var length2 = (dx * dx) + (dy * dy) + (dz * dz);
        for (var z = 0; z < size; z++)
        {
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var along = length2 == 0 ? 0 : Math.Clamp((((x - from.X) * dx) + ((y - from.Y) * dy) + ((z - from.Z) * dz)) / length2, 0, 1);
                    var (ex, ey, ez) = (from.X + (along * dx) - x, from.Y + (along * dy) - y, from.Z + (along * dz) - z);
                    if ((ex * ex) + (ey * ey) + (ez * ez) <= radius * radius)
                    {
                        masks[offset + (((z * size) + y) * size) + x] = 1;
                    }
                }
            }
        }
    }
}
