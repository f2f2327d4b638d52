using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Maps;

/// <summary>
/// U-Net's pixel weight map (Ronneberger et al. 2015, eq. 2), as LOSSES.md "Beyond pred and target" defines it, from
/// instance labels: class-balancing weights plus a border term that makes the thin background between two touching
/// objects count, for a loss that declares <c>pixel_weight</c>.
/// </summary>
public static class UNetWeights
{
    /// <summary>
    /// <c>w(x) = w_c(x) + w0·exp(−(d1(x) + d2(x))² / (2σ²))</c> on background pixels, <c>w_c(x)</c> on objects.
    /// <c>d1</c>, <c>d2</c>: exact Euclidean distances (<see cref="DistanceTransform"/>) to the nearest pixel of the
    /// nearest and the second-nearest object (no border term with fewer than two objects).
    /// <c>w_c(x) = N_px / (m·N_class(x))</c> per image, classes foreground and background, m of them present (an image
    /// of background only gets 1).
    /// </summary>
    /// <param name="instances">[N, *spatial] integer labels: 0 background, k &gt; 0 object k (ids need not be contiguous).</param>
    /// <param name="w0">The border weight (10 in the paper).</param>
    /// <param name="sigma">The border width σ in pixels (5 in the paper).</param>
    /// <param name="dtype">The result's floating-point dtype.</param>
    /// <returns>[N, *spatial] weights on <paramref name="instances"/>' device; beside a mask, <c>unsqueeze(1)</c> makes it [N, 1, *spatial].</returns>
    public static Tensor Compute(Tensor instances, double w0 = 10, double sigma = 5, ScalarType dtype = ScalarType.Float32)
    {
        if (instances.dim() < 2 || instances.is_floating_point() || instances.dtype == ScalarType.Bool)
        {
            throw new ArgumentException(
                $"instances must be integer labels [N, *spatial] (0 background, k > 0 object k), got {instances.dtype} [{string.Join(", ", instances.shape)}].", nameof(instances));
        }

        if (!(w0 >= 0 && double.IsFinite(w0)) || !(sigma > 0 && double.IsFinite(sigma)))
        {
            throw new ArgumentOutOfRangeException(w0 >= 0 && double.IsFinite(w0) ? nameof(sigma) : nameof(w0), $"w0 must be finite and ≥ 0 and sigma finite and > 0, got w0 = {w0}, sigma = {sigma}.");
        }

        using var cpu = instances.cpu().to_type(ScalarType.Int64);
        var labels = cpu.data<long>().ToArray();
        if (labels.Any(label => label < 0))
        {
            throw new ArgumentException("instances must be 0 (background) or positive object ids; found a negative label.", nameof(instances));
        }

        var spatial = instances.shape.Skip(1).Select(d => checked((int)d)).ToArray();
        var pixels = spatial.Aggregate(1, (a, b) => a * b);
        var weights = new double[labels.Length];
        for (var image = 0; image < instances.size(0); image++)
        {
            Image(labels.AsSpan(image * pixels, pixels), spatial, w0, sigma, weights.AsSpan(image * pixels, pixels));
        }

        using var result = tensor(weights, dtype: ScalarType.Float64).reshape(instances.shape);
        return result.to(dtype, instances.device);
    }

    private static void Image(ReadOnlySpan<long> labels, int[] shape, double w0, double sigma, Span<double> weights)
    {
        var foreground = 0;
        foreach (var label in labels)
        {
            foreground += label > 0 ? 1 : 0;
        }

        var background = labels.Length - foreground;
        var present = (foreground > 0 ? 1 : 0) + (background > 0 ? 1 : 0);
        for (var i = 0; i < labels.Length; i++)
        {
            weights[i] = (double)labels.Length / (present * (labels[i] > 0 ? foreground : background));
        }

        var objects = new SortedSet<long>();
        foreach (var label in labels)
        {
            if (label > 0)
            {
                objects.Add(label);
            }
        }

        if (objects.Count < 2 || w0 == 0)
        {
            return;
        }

        // The two smallest squared distances over the objects, per pixel.
        var nearest = Enumerable.Repeat(double.PositiveInfinity, labels.Length).ToArray();
        var second = Enumerable.Repeat(double.PositiveInfinity, labels.Length).ToArray();
        var inObject = new bool[labels.Length];
        foreach (var id in objects)
        {
            for (var i = 0; i < labels.Length; i++)
            {
                inObject[i] = labels[i] == id;
            }

            var squared = DistanceTransform.SquaredToNearest(inObject, shape);
            for (var i = 0; i < labels.Length; i++)
            {
                if (squared[i] < nearest[i])
                {
                    (second[i], nearest[i]) = (nearest[i], squared[i]);
                }
                else if (squared[i] < second[i])
                {
                    second[i] = squared[i];
                }
            }
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == 0)
            {
                var border = Math.Sqrt(nearest[i]) + Math.Sqrt(second[i]);
                weights[i] += w0 * Math.Exp(-(border * border) / (2 * sigma * sigma));
            }
        }
    }
}
