using System;

namespace BasNetSegmentation.Data;

/// <summary>
/// Draws one synthetic segmentation sample: a few shapes of varied size (some only a few pixels across) on a background
/// of smooth gradients, smooth blobs and gaussian noise, and the binary mask of the shapes.
/// </summary>
/// <remarks>
/// The blobs change brightness as much as the shapes do, so brightness alone does not tell a shape from the
/// background: the model has to learn the shapes' sharp edges. Everything comes from the given <see cref="Random"/>,
/// so a seed gives the same images on every run.
/// </remarks>
public static class SyntheticScene
{
    private const double TinyShapeProbability = 0.3;

    /// <summary>
    /// Fills <paramref name="image"/> and <paramref name="mask"/> (each <paramref name="size"/>², row-major) with a new
    /// sample.
    /// </summary>
    public static void Draw(Random random, int size, Span<float> image, Span<float> mask)
    {
        var background = new double[size * size];
        DrawBackground(random, size, background);

        var shapes = new Shape[random.Next(1, 5)];
        var contrasts = new double[shapes.Length];
        for (var i = 0; i < shapes.Length; i++)
        {
            shapes[i] = RandomShape(random, size);
            // Brighter or darker than what lies beneath: the sign is the model's problem, not a shortcut.
            contrasts[i] = (random.NextDouble() < 0.5 ? -1 : 1) * Uniform(random, 0.3, 0.6);
        }

        var noise = Uniform(random, 0.04, 0.12);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var index = y * size + x;
                var value = background[index];
                var inside = false;
                for (var i = 0; i < shapes.Length; i++)
                {
                    // Sample at the pixel centre; a later shape covers an earlier one.
                    if (shapes[i].Contains(x + 0.5, y + 0.5))
                    {
                        value = background[index] + contrasts[i];
                        inside = true;
                    }
                }

                image[index] = (float)(value + noise * Gaussian(random));
                mask[index] = inside ? 1f : 0f;
            }
        }
    }

    private static void DrawBackground(Random random, int size, double[] background)
    {
        var level = Uniform(random, 0.3, 0.7);
        var slope = Uniform(random, 0, 0.5);
        var (gradientY, gradientX) = Math.SinCos(Uniform(random, 0, 2 * Math.PI));

        var blobs = random.Next(2, 5);
        var blobX = new double[blobs];
        var blobY = new double[blobs];
        var blobAmplitude = new double[blobs];
        var blobSpread = new double[blobs];
        for (var b = 0; b < blobs; b++)
        {
            blobX[b] = Uniform(random, 0, size);
            blobY[b] = Uniform(random, 0, size);
            blobAmplitude[b] = (random.NextDouble() < 0.5 ? -1 : 1) * Uniform(random, 0.2, 0.5);
            var sigma = Uniform(random, 0.08, 0.2) * size;
            blobSpread[b] = 2 * sigma * sigma;
        }

        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var along = ((x - size / 2.0) * gradientX + (y - size / 2.0) * gradientY) / size;
                var value = level + slope * along;
                for (var b = 0; b < blobs; b++)
                {
                    var dx = x - blobX[b];
                    var dy = y - blobY[b];
                    value += blobAmplitude[b] * Math.Exp(-(dx * dx + dy * dy) / blobSpread[b]);
                }

                background[y * size + x] = value;
            }
        }
    }

    private static Shape RandomShape(Random random, int size)
    {
        var kind = (ShapeKind)random.Next(3);
        // Tiny shapes are a few pixels across whatever the image size; the others scale with it.
        var tiny = random.NextDouble() < TinyShapeProbability;
        var radiusX = tiny ? Uniform(random, 1.5, 3.0) : Uniform(random, 0.06, 0.22) * size;
        var radiusY = kind == ShapeKind.Circle ? radiusX : radiusX * Uniform(random, 0.45, 1.0);
        var margin = Math.Max(radiusX, radiusY);
        return new Shape(
            kind,
            Uniform(random, margin, size - margin),
            Uniform(random, margin, size - margin),
            radiusX,
            radiusY,
            kind == ShapeKind.Circle ? 0 : Uniform(random, 0, Math.PI));
    }

    private static double Uniform(Random random, double low, double high) => low + (high - low) * random.NextDouble();

    // Box-Muller: a standard normal sample from two uniform ones.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
