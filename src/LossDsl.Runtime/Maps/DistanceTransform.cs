using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Maps;

/// <summary>
/// The exact Euclidean distance transform (Felzenszwalb and Huttenlocher 2012, "Distance transforms of sampled
/// functions"): for every element, the distance from its centre to the nearest element of a set, with spacing 1 in
/// every dim, in any number of dims. The squared distance is separable: a 1-D lower envelope of parabolas along each
/// dim in turn gives it exactly (integers in double precision), in time linear in the number of elements per dim.
/// </summary>
public static class DistanceTransform
{
    /// <summary>
    /// The distance from every element of each image to the nearest element where <paramref name="set"/> is true:
    /// 0 on the set, +∞ in an image with no element in the set. No gradient (a function of a boolean set).
    /// </summary>
    /// <param name="set">[N, *spatial], bool or integer (nonzero is in the set), on any device.</param>
    /// <param name="dtype">The result's floating-point dtype.</param>
    /// <returns>[N, *spatial] distances, on <paramref name="set"/>'s device.</returns>
    public static Tensor Euclidean(Tensor set, ScalarType dtype = ScalarType.Float32)
    {
        if (set.dim() < 2)
        {
            throw new ArgumentException($"the set must be [N, *spatial] with at least one spatial dim, got [{string.Join(", ", set.shape)}].", nameof(set));
        }

        using var cpu = set.cpu().to_type(ScalarType.Bool);
        var inSet = cpu.data<bool>().ToArray();
        var spatial = set.shape.Skip(1).Select(d => checked((int)d)).ToArray();
        var pixels = spatial.Aggregate(1, (a, b) => a * b);
        var distances = new double[inSet.Length];
        // Images are independent and each transform is exact (integers in double precision), so running them on torch's
        // threads changes no number.
        Kernels.Cpu.TorchThreads.For((int)set.size(0), image =>
        {
            var squared = SquaredToNearest(inSet.AsSpan(image * pixels, pixels), spatial);
            for (var i = 0; i < pixels; i++)
            {
                distances[(image * pixels) + i] = Math.Sqrt(squared[i]);
            }
        });

        using var result = tensor(distances, dtype: ScalarType.Float64).reshape(set.shape);
        return result.to(dtype, set.device);
    }

    /// <summary>
    /// Squared distances from every element of one image (<paramref name="shape"/>, row-major) to the nearest element
    /// of the set; +∞ everywhere when the set is empty.
    /// </summary>
    internal static double[] SquaredToNearest(ReadOnlySpan<bool> inSet, int[] shape)
    {
        var values = new double[inSet.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = inSet[i] ? 0 : double.PositiveInfinity;
        }

        // Along each dim in turn: every line of elements that differ only in that dim.
        var longest = shape.Length == 0 ? 0 : shape.Max();
        var line = new double[longest];
        var envelope = new Envelope(longest);
        var stride = values.Length;
        foreach (var size in shape)
        {
            stride /= size;
            var block = stride * size;
            for (var start = 0; start < values.Length; start += block)
            {
                for (var offset = 0; offset < stride; offset++)
                {
                    var first = start + offset;
                    for (var k = 0; k < size; k++)
                    {
                        line[k] = values[first + (k * stride)];
                    }

                    envelope.Transform(line.AsSpan(0, size));
                    for (var k = 0; k < size; k++)
                    {
                        values[first + (k * stride)] = line[k];
                    }
                }
            }
        }

        return values;
    }

    /// <summary>
    /// The 1-D transform <c>d(q) = min_p (q − p)² + f(p)</c> in place: the lower envelope of the parabolas rooted at the
    /// finite samples, then each q read off the parabola below it. Infinite samples (no element of the set on that
    /// line yet) root no parabola; a line without a finite sample stays infinite.
    /// </summary>
    private sealed class Envelope(int capacity)
    {
        private readonly int[] roots = new int[capacity];
        private readonly double[] heights = new double[capacity];
        private readonly double[] boundaries = new double[capacity + 1];

        public void Transform(Span<double> f)
        {
            var k = -1;
            for (var q = 0; q < f.Length; q++)
            {
                if (double.IsPositiveInfinity(f[q]))
                {
                    continue;
                }

                if (k < 0)
                {
                    k = 0;
                    roots[0] = q;
                    heights[0] = f[q];
                    boundaries[0] = double.NegativeInfinity;
                    boundaries[1] = double.PositiveInfinity;
                    continue;
                }

                // Where the parabola at q overtakes the last one kept; earlier ones it hides entirely are dropped.
                var s = Intersection(q, f[q], k);
                while (s <= boundaries[k])
                {
                    k--;
                    s = Intersection(q, f[q], k);
                }

                k++;
                roots[k] = q;
                heights[k] = f[q];
                boundaries[k] = s;
                boundaries[k + 1] = double.PositiveInfinity;
            }

            if (k < 0)
            {
                return;
            }

            var j = 0;
            for (var q = 0; q < f.Length; q++)
            {
                while (boundaries[j + 1] < q)
                {
                    j++;
                }

                var offset = q - roots[j];
                f[q] = ((double)offset * offset) + heights[j];
            }
        }

        private double Intersection(int q, double height, int k)
        {
            var p = roots[k];
            return ((height + ((double)q * q)) - (heights[k] + ((double)p * p))) / (2.0 * (q - p));
        }
    }
}
