namespace LossDsl.Tests.Numerics;

/// <summary>
/// LOSSES.md's formulas written out by hand in plain double arithmetic, with hand-derived gradients: an
/// implementation that shares nothing with TorchSharp or the kernels. Arrays are [N, C, S] flattened (S = spatial size).
/// </summary>
public static class ReferenceFormulas
{
    /// <summary>Mean over elements of <c>w·t·softplus(−x) + (1−t)·softplus(x)</c>; gradient <c>(−w·t·σ(−x) + (1−t)·σ(x)) / n</c>.</summary>
    public static (double Value, double[] Gradient) BceWithLogits(double[] x, double[] t, double posWeight = 1.0)
    {
        var n = x.Length;
        var value = 0.0;
        var gradient = new double[n];
        for (var i = 0; i < n; i++)
        {
            value += posWeight * t[i] * Softplus(-x[i]) + (1 - t[i]) * Softplus(x[i]);
            gradient[i] = (-posWeight * t[i] * Sigmoid(-x[i]) + (1 - t[i]) * Sigmoid(x[i])) / n;
        }

        return (value / n, gradient);
    }

    /// <summary>
    /// Soft IoU of sigmoid(x) vs t with per-channel sums over batch and space, mean over channels:
    /// <c>L_c = 1 − (TP + s)/(U + s)</c>, <c>U = P + T − TP</c>; <c>∂L_c/∂p_i = −[t_i(U + s) − (TP + s)(1 − t_i)]/(U + s)²</c>.
    /// </summary>
    public static (double Value, double[] Gradient) IouWithLogits(double[] x, double[] t, int batch, int channels, double smooth = 1.0) =>
        Region(x, t, batch, channels, (tp, p, tt) =>
        {
            var union = p + tt - tp;
            var value = 1 - (tp + smooth) / (union + smooth);
            var denominator = (union + smooth) * (union + smooth);
            return (value, ti => -(ti * (union + smooth) - (tp + smooth) * (1 - ti)) / denominator);
        });

    /// <summary>Soft Dice: <c>L_c = 1 − (2TP + s)/(P + T + s)</c>; <c>∂L_c/∂p_i = −[2t_i(P + T + s) − (2TP + s)]/(P + T + s)²</c>.</summary>
    public static (double Value, double[] Gradient) DiceWithLogits(double[] x, double[] t, int batch, int channels, double smooth = 1.0) =>
        Region(x, t, batch, channels, (tp, p, tt) =>
        {
            var sum = p + tt + smooth;
            var value = 1 - (2 * tp + smooth) / sum;
            return (value, ti => -(2 * ti * sum - (2 * tp + smooth)) / (sum * sum));
        });

    /// <summary>
    /// PyTorch cross_entropy on logits x [N, C, S] against labels y [N, S] (pixels labelled <paramref name="ignoreIndex"/>
    /// left out), class weights w (all 1 when null), label smoothing ε, D = Σ_kept w_y:
    /// <c>L = [(1−ε)·Σ w_y(−log p_y) + (ε/C)·Σ Σ_c w_c(−log p_c)] / D</c>. With <c>∂(−log p_y)/∂x_j = p_j − δ_jy</c>,
    /// <c>∂L/∂x_j = [(1−ε)·w_y(p_j − δ_jy) + (ε/C)·(W·p_j − w_j)] / D</c>, W = Σ_c w_c, at kept pixels; 0 at ignored ones.
    /// </summary>
    public static (double Value, double[] Gradient) CrossEntropyWithLogits(
        double[] x, long[] y, int batch, int channels, double[]? weight = null, double labelSmoothing = 0, long? ignoreIndex = null)
    {
        var w = weight ?? Enumerable.Repeat(1.0, channels).ToArray();
        var totalWeight = w.Sum();
        var spatial = y.Length / batch;
        double nll = 0, smooth = 0, denominator = 0;
        var gradient = new double[x.Length];
        for (var n = 0; n < batch; n++)
        {
            for (var s = 0; s < spatial; s++)
            {
                var label = y[(n * spatial) + s];
                if (label == ignoreIndex)
                {
                    continue;
                }

                var at = Enumerable.Range(0, channels).Select(c => ((n * channels) + c) * spatial + s).ToArray();
                var max = at.Max(i => x[i]);
                var logSum = max + Math.Log(at.Sum(i => Math.Exp(x[i] - max)));
                nll -= w[label] * (x[at[label]] - logSum);
                smooth -= at.Select((i, c) => w[c] * (x[i] - logSum)).Sum();
                denominator += w[label];
                for (var c = 0; c < channels; c++)
                {
                    var p = Math.Exp(x[at[c]] - logSum);
                    gradient[at[c]] = ((1 - labelSmoothing) * w[label] * (p - (c == label ? 1 : 0))) + (labelSmoothing / channels * ((totalWeight * p) - w[c]));
                }
            }
        }

        return (((1 - labelSmoothing) * nll + (labelSmoothing / channels * smooth)) / denominator, gradient.Select(g => g / denominator).ToArray());
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));

    private static (double Value, double[] Gradient) Region(
        double[] x, double[] t, int batch, int channels, Func<double, double, double, (double Value, Func<double, double> DlDp)> perChannel)
    {
        var spatial = x.Length / (batch * channels);
        var gradient = new double[x.Length];
        var total = 0.0;
        for (var c = 0; c < channels; c++)
        {
            double tp = 0, p = 0, tt = 0;
            foreach (var i in Indices(batch, channels, spatial, c))
            {
                var pi = Sigmoid(x[i]);
                tp += pi * t[i];
                p += pi;
                tt += t[i];
            }

            var (value, dLdp) = perChannel(tp, p, tt);
            total += value / channels;
            foreach (var i in Indices(batch, channels, spatial, c))
            {
                var pi = Sigmoid(x[i]);
                gradient[i] = dLdp(t[i]) * pi * (1 - pi) / channels;
            }
        }

        return (total, gradient);
    }

    private static IEnumerable<int> Indices(int batch, int channels, int spatial, int channel)
    {
        for (var n = 0; n < batch; n++)
        {
            for (var s = 0; s < spatial; s++)
            {
                yield return ((n * channels) + channel) * spatial + s;
            }
        }
    }
}
