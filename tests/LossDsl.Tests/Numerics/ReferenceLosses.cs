namespace LossDsl.Tests.Numerics;

/// <summary>
/// LOSSES.md's pixel and region formulas written out element by element on <see cref="Dual"/> numbers, sharing nothing
/// with the kernels (no tensors, no shared helpers): loops over n, c and s, the sums as the table states them.
/// Each takes the case and pred as duals; <see cref="Dual.Gradient"/> gives value and gradient.
/// </summary>
public static class ReferenceLosses
{
    /// <summary><c>−[w·t·log p + (1−t)·log(1−p)]</c>, mean over all elements; <c>auto</c> (null) = (Nv − ΣT) / max(ΣT, 1).</summary>
    public static Dual Bce(LossCase k, Dual[] x, double? posWeight = 1.0)
    {
        var (logP, logNotP) = (k.LogP(x), k.LogNotP(x));
        var t = k.Mask!;
        var positives = t.Sum();
        var w = posWeight ?? (t.Length - positives) / Math.Max(positives, 1);
        Dual sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sum -= (w * t[i] * logP[i]) + ((1 - t[i]) * logNotP[i]);
        }

        return sum / x.Length;
    }

    /// <summary>torchvision sigmoid_focal_loss, mean: <c>α_t (1 − p_t)^γ ce</c>; α &lt; 0: no α_t.</summary>
    public static Dual BinaryFocal(LossCase k, Dual[] x, double alpha = 0.25, double gamma = 2.0)
    {
        var (p, logP, logNotP) = (k.P(x), k.LogP(x), k.LogNotP(x));
        Dual sum = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var t = k.Mask![i];
            var ce = -((t * logP[i]) + ((1 - t) * logNotP[i]));
            var pt = (p[i] * t) + ((1 - p[i]) * (1 - t));
            var loss = Dual.Pow(1 - pt, gamma) * ce;
            sum += alpha < 0 ? loss : ((alpha * t) + ((1 - alpha) * (1 - t))) * loss;
        }

        return sum / x.Length;
    }

    /// <summary>
    /// PyTorch cross_entropy: <c>(1−ε)·Σ w_y(−log p_y)/D + (ε/C)·Σ_pixels Σ_c w_c(−log p_c)/D</c> over kept pixels,
    /// D = Σ w_y (the kept-pixel count without weights).
    /// </summary>
    public static Dual Ce(LossCase k, Dual[] x, double[]? weight = null, double labelSmoothing = 0)
    {
        var logP = k.LogP(x);
        Dual nll = 0, smooth = 0;
        double denominator = 0;
        for (var n = 0; n < k.N; n++)
        {
            for (var s = 0; s < k.S; s++)
            {
                if (!k.Kept(n, s))
                {
                    continue;
                }

                var y = (int)k.Labels![(n * k.S) + s];
                var wy = weight?[y] ?? 1;
                nll -= wy * logP[k.Index(n, y, s)];
                denominator += wy;
                for (var c = 0; c < k.C; c++)
                {
                    smooth -= (weight?[c] ?? 1) * logP[k.Index(n, c, s)];
                }
            }
        }

        return ((1 - labelSmoothing) * nll / denominator) + (labelSmoothing / k.C * smooth / denominator);
    }

    /// <summary>Focal for labels: <c>w_y (1 − p_y)^γ (−log p_y)</c>, plain mean over kept pixels.</summary>
    public static Dual Focal(LossCase k, Dual[] x, double gamma = 2.0, double[]? weight = null)
    {
        var (p, logP) = (k.P(x), k.LogP(x));
        Dual sum = 0;
        var kept = 0;
        for (var n = 0; n < k.N; n++)
        {
            for (var s = 0; s < k.S; s++)
            {
                if (!k.Kept(n, s))
                {
                    continue;
                }

                var y = (int)k.Labels![(n * k.S) + s];
                var i = k.Index(n, y, s);
                sum -= (weight?[y] ?? 1) * Dual.Pow(1 - p[i], gamma) * logP[i];
                kept++;
            }
        }

        return sum / kept;
    }

    /// <summary>Soft Dice per channel <c>1 − (2TP + s)/(P + T + s)</c>, averaged as <see cref="ChannelAverage"/>.</summary>
    public static Dual Dice(LossCase k, Dual[] x, double smooth = 1, bool perImage = false, double[]? weight = null, bool includeBackground = true) =>
        ChannelAverage(k, x, perImage, weight, includeBackground, c => 1 - ((2 * c.TruePositive) + smooth) / (c.Predicted + c.Target + smooth));

    /// <summary>Soft IoU per channel <c>1 − (TP + s)/(P + T − TP + s)</c>.</summary>
    public static Dual Iou(LossCase k, Dual[] x, double smooth = 1, bool perImage = false, double[]? weight = null, bool includeBackground = true) =>
        ChannelAverage(k, x, perImage, weight, includeBackground, c => 1 - (c.TruePositive + smooth) / (c.Predicted + c.Target - c.TruePositive + smooth));

    /// <summary>Tversky per channel <c>1 − (TP + s)/(TP + α(P − TP) + β(T − TP) + s)</c>.</summary>
    public static Dual Tversky(LossCase k, Dual[] x, double alpha = 0.5, double beta = 0.5, double smooth = 1, bool perImage = false, double[]? weight = null, bool includeBackground = true) =>
        ChannelAverage(k, x, perImage, weight, includeBackground,
            c => 1 - (c.TruePositive + smooth) / (c.TruePositive + (alpha * (c.Predicted - c.TruePositive)) + (beta * (c.Target - c.TruePositive)) + smooth));

    /// <summary>
    /// Generalized Dice, one value: <c>w_c = 1/(T_c² + eps)</c>, <c>1 − 2Σ w TP / Σ w (P + T)</c>, over batch and
    /// space; a one-channel mask is two classes, (1 − p, 1 − t) and (p, t), summed directly here.
    /// </summary>
    public static Dual GeneralizedDice(LossCase k, Dual[] x, double eps = 1e-6)
    {
        var p = k.P(x);
        var twoClass = !k.IsLabels && k.C == 1;
        Dual numerator = 0, denominator = 0;
        for (var c = 0; c < (twoClass ? 2 : k.C); c++)
        {
            Dual tp = 0, ps = 0;
            double ts = 0;
            for (var n = 0; n < k.N; n++)
            {
                for (var s = 0; s < k.S; s++)
                {
                    if (!k.Kept(n, s))
                    {
                        continue;
                    }

                    var (pi, ti) = twoClass
                        ? (c == 1 ? p[k.Index(n, 0, s)] : 1 - p[k.Index(n, 0, s)], c == 1 ? k.T(n, 0, s) : 1 - k.T(n, 0, s))
                        : (p[k.Index(n, c, s)], k.T(n, c, s));
                    tp += pi * ti;
                    ps += pi;
                    ts += ti;
                }
            }

            var w = 1 / ((ts * ts) + eps);
            numerator += w * tp;
            denominator += w * (ps + ts);
        }

        return 1 - (2 * numerator / denominator);
    }

    /// <summary>
    /// Sensitivity-specificity per channel <c>λ·Σ(t−p)²t/(T + s) + (1−λ)·Σ(t−p)²(1−t)/(Nv − T + s)</c>, channel mean.
    /// </summary>
    public static Dual SensitivitySpecificity(LossCase k, Dual[] x, double lambda = 0.05, double smooth = 1e-5) =>
        ChannelAverage(k, x, perImage: false, weight: null, includeBackground: true,
            c => (lambda * c.Missed / (c.Target + smooth)) + ((1 - lambda) * c.FalseAlarm / (c.Count - c.Target + smooth)));

    /// <summary>
    /// Per-channel sums over kept elements (over n too unless per image), a per-channel loss, then the mean over
    /// channels (and images), or <c>Σ w_c L_c / Σ w_c</c>; without the background, channel 0 is left out.
    /// </summary>
    private static Dual ChannelAverage(LossCase k, Dual[] x, bool perImage, double[]? weight, bool includeBackground, Func<ChannelSums, Dual> perChannel)
    {
        var p = k.P(x);
        var groups = perImage ? Enumerable.Range(0, k.N).Select(n => new[] { n }).ToArray() : new[] { Enumerable.Range(0, k.N).ToArray() };
        Dual total = 0;
        foreach (var images in groups)
        {
            Dual weighted = 0;
            double weightSum = 0;
            for (var c = includeBackground ? 0 : 1; c < k.C; c++)
            {
                var sums = new ChannelSums();
                foreach (var n in images)
                {
                    for (var s = 0; s < k.S; s++)
                    {
                        if (k.Kept(n, s))
                        {
                            sums.Add(p[k.Index(n, c, s)], k.T(n, c, s));
                        }
                    }
                }

                var w = weight?[c] ?? 1;
                weighted += w * perChannel(sums);
                weightSum += w;
            }

            total += weighted / weightSum;
        }

        return total / groups.Length;
    }

    /// <summary>One channel's sums over the kept elements.</summary>
    private sealed class ChannelSums
    {
        public Dual TruePositive { get; private set; }

        public Dual Predicted { get; private set; }

        public double Target { get; private set; }

        public double Count { get; private set; }

        /// <summary>Σ(t − p)²·t.</summary>
        public Dual Missed { get; private set; }

        /// <summary>Σ(t − p)²·(1 − t).</summary>
        public Dual FalseAlarm { get; private set; }

        public void Add(Dual p, double t)
        {
            TruePositive += p * t;
            Predicted += p;
            Target += t;
            Count++;
            var squared = Dual.Square(t - p);
            Missed += squared * t;
            FalseAlarm += squared * (1 - t);
        }
    }
}
