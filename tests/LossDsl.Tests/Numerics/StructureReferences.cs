namespace LossDsl.Tests.Numerics;

/// <summary>
/// LOSSES.md's structure losses written out as plain loops in double arithmetic, straight from the definitions
/// (2-D windows, neighbourhood maxima, set functions), sharing nothing with the kernels or TorchSharp.
/// Images are [N, C, H, W] flattened in C order.
/// </summary>
public static class StructureReferences
{
    /// <summary>An [N, C, H, W] array with index arithmetic, so the loops below read like the formulas.</summary>
    public sealed record Images(double[] Data, int N, int C, int H, int W)
    {
        public double this[int n, int c, int r, int col] => Data[Index(n, c, r, col)];

        public int Index(int n, int c, int r, int col) => (((n * C) + c) * H + r) * W + col;

        /// <summary>The value at (r, col), or <paramref name="outside"/> beyond the border.</summary>
        public double At(int n, int c, int r, int col, double outside) =>
            r < 0 || r >= H || col < 0 || col >= W ? outside : this[n, c, r, col];

        public Images Map(Func<double, double> f) => this with { Data = Data.Select(f).ToArray() };
    }

    /// <summary>
    /// <c>1 − mean SSIM</c>: every pixel's statistics summed over the full 2-D window <c>g(i)·g(j)</c>, g the normalised
    /// Gaussian, pixels outside the image counting as 0.
    /// </summary>
    public static double Ssim(Images p, Images t, int window, double sigma)
    {
        var half = window / 2;
        var g = Enumerable.Range(-half, window).Select(i => Math.Exp(-(i * i) / (2 * sigma * sigma))).ToArray();
        var norm = g.Sum();
        g = g.Select(v => v / norm).ToArray();

        const double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
        var sum = 0.0;
        for (var n = 0; n < p.N; n++)
        for (var c = 0; c < p.C; c++)
        for (var r = 0; r < p.H; r++)
        for (var col = 0; col < p.W; col++)
        {
            double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
            for (var i = -half; i <= half; i++)
            for (var j = -half; j <= half; j++)
            {
                var weight = g[i + half] * g[j + half];
                var x = p.At(n, c, r + i, col + j, 0);
                var y = t.At(n, c, r + i, col + j, 0);
                mx += weight * x;
                my += weight * y;
                xx += weight * x * x;
                yy += weight * y * y;
                xy += weight * x * y;
            }

            var vx = xx - mx * mx;
            var vy = yy - my * my;
            var cov = xy - mx * my;
            sum += (2 * mx * my + C1) * (2 * cov + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        }

        return 1 - sum / p.Data.Length;
    }

    /// <summary>
    /// Boundary F1 loss: boundary maps from neighbourhood maxima (padding never wins), extended maps, P, R and BF1 per
    /// (image, class), mean of 1 − BF1. With <paramref name="complement"/> each channel also counts as (1 − p, 1 − t).
    /// </summary>
    public static double Boundary(Images p, Images t, int theta0, int theta, bool complement)
    {
        var classes = new List<(Images P, Images T, int C)>();
        for (var c = 0; c < p.C; c++)
        {
            classes.Add((p, t, c));
            if (complement)
            {
                classes.Add((p.Map(v => 1 - v), t.Map(v => 1 - v), c));
            }
        }

        var total = 0.0;
        for (var n = 0; n < p.N; n++)
        {
            foreach (var (pc, tc, c) in classes)
            {
                var bp = BoundaryMap(pc, n, c, theta0);
                var bt = BoundaryMap(tc, n, c, theta0);
                var ep = NeighbourhoodMax(bp, p.H, p.W, theta);
                var et = NeighbourhoodMax(bt, p.H, p.W, theta);
                double pe = 0, bpSum = 0, re = 0, btSum = 0;
                for (var k = 0; k < bp.Length; k++)
                {
                    pe += bp[k] * et[k];
                    bpSum += bp[k];
                    re += ep[k] * bt[k];
                    btSum += bt[k];
                }

                var precision = pe / (bpSum + 1e-7);
                var recall = re / (btSum + 1e-7);
                total += 1 - 2 * precision * recall / (precision + recall + 1e-7);
            }
        }

        return total / (p.N * classes.Count);
    }

    /// <summary>
    /// Active contour: the crops of LOSSES.md as index ranges. Δr at (r, col) for r in 1..H−2 is p[r+1, col] − p[r, col]
    /// (row r+1 of Δr = p[1:] − p[:−1] after dropping its first row), col in 0..W−3; Δc at (r, col) for r in 0..H−3 is
    /// p[r, col+2] − p[r, col+1], col in 0..W−3.
    /// </summary>
    public static double ActiveContour(Images p, Images t, double weight)
    {
        var length = 0.0;
        var count = 0;
        for (var n = 0; n < p.N; n++)
        for (var c = 0; c < p.C; c++)
        for (var i = 0; i < p.H - 2; i++)
        for (var j = 0; j < p.W - 2; j++)
        {
            var dr = p[n, c, i + 2, j] - p[n, c, i + 1, j];
            var dc = p[n, c, i, j + 2] - p[n, c, i, j + 1];
            length += Math.Sqrt(Math.Abs(dr * dr + dc * dc) + 1e-8);
            count++;
        }

        double inside = 0, outside = 0;
        for (var k = 0; k < p.Data.Length; k++)
        {
            inside += p.Data[k] * (t.Data[k] - 1) * (t.Data[k] - 1);
            outside += (1 - p.Data[k]) * t.Data[k] * t.Data[k];
        }

        return weight * length / count + inside / p.Data.Length + outside / p.Data.Length;
    }

    /// <summary>
    /// Lovász hinge as Berman et al. define it: sort pixels by hinge error e = 1 − x·(2t − 1), decreasing; the loss is
    /// <c>Σ_k max(e_(k), 0)·(Δ(M_k) − Δ(M_{k−1}))</c> with <c>Δ(M) = |M| / |G ∪ M|</c>, the Jaccard loss of mispredicting
    /// the first k pixels. Its gradient in x is <c>−(2t − 1)·[e &gt; 0]</c> times that pixel's weight. Per image (mean) or
    /// for the batch as one set.
    /// </summary>
    public static (double Value, double[] Gradient) LovaszHinge(double[] x, double[] t, int n, bool perImage)
    {
        var rows = perImage ? n : 1;
        var size = x.Length / rows;
        var gradient = new double[x.Length];
        var value = 0.0;
        for (var row = 0; row < rows; row++)
        {
            var pixels = Enumerable.Range(row * size, size).ToArray();
            var errors = pixels.ToDictionary(i => i, i => 1 - x[i] * (2 * t[i] - 1));
            var weights = LovaszWeights(pixels, errors, i => t[i] == 1);
            foreach (var i in pixels)
            {
                value += Math.Max(errors[i], 0) * weights[i] / rows;
                gradient[i] = errors[i] > 0 ? -(2 * t[i] - 1) * weights[i] / rows : 0;
            }
        }

        return (value, gradient);
    }

    /// <summary>
    /// Lovász-Softmax from the definition: per row (each image, or the batch) and class c, the kept pixels (label not
    /// <paramref name="ignore"/>) sorted by error <c>|[label = c] − p_c|</c>, the Lovász extension <c>Σ e·weight</c>;
    /// the mean over counted classes (present ones, or all; 0 when none), then over all rows. The gradient in p is
    /// <c>weight·sign(p_c − [label = c])</c> scaled by both means, taken through softmax when <paramref name="logits"/>.
    /// </summary>
    public static (double Value, double[] Gradient) LovaszSoftmax(
        double[] pred, int[] labels, int n, int c, bool logits, int? ignore, bool presentOnly, bool perImage)
    {
        var spatial = labels.Length / n;
        int At(int image, int cls, int s) => ((image * c) + cls) * spatial + s;
        var p = logits ? Softmax(pred, n, c, spatial) : pred;
        var dp = new double[pred.Length];
        var rows = perImage ? Enumerable.Range(0, n).Select(i => new[] { i }).ToArray() : new[] { Enumerable.Range(0, n).ToArray() };
        var value = 0.0;
        foreach (var images in rows)
        {
            // A pixel is (image, s), numbered image·spatial + s; the ignored ones are simply not in the list.
            var pixels = images.SelectMany(image => Enumerable.Range(0, spatial).Select(s => image * spatial + s)).Where(i => labels[i] != ignore).ToArray();
            var counted = Enumerable.Range(0, c).Where(cls => !presentOnly || pixels.Any(i => labels[i] == cls)).ToArray();
            foreach (var cls in counted)
            {
                double Truth(int i) => labels[i] == cls ? 1 : 0;
                var errors = pixels.ToDictionary(i => i, i => Math.Abs(Truth(i) - p[At(i / spatial, cls, i % spatial)]));
                var weights = LovaszWeights(pixels, errors, i => labels[i] == cls);
                var scale = 1.0 / (counted.Length * rows.Length);
                foreach (var i in pixels)
                {
                    var k = At(i / spatial, cls, i % spatial);
                    value += errors[i] * weights[i] * scale;
                    dp[k] += weights[i] * Math.Sign(p[k] - Truth(i)) * scale;
                }
            }
        }

        return (value, logits ? SoftmaxBackward(p, dp, n, c, spatial) : dp);
    }

    /// <summary>Softmax over the class dim of [N, C, S].</summary>
    public static double[] Softmax(double[] x, int n, int c, int spatial)
    {
        var p = new double[x.Length];
        for (var image = 0; image < n; image++)
        for (var s = 0; s < spatial; s++)
        {
            var indices = Enumerable.Range(0, c).Select(cls => ((image * c) + cls) * spatial + s).ToArray();
            var max = indices.Max(k => x[k]);
            var sum = indices.Sum(k => Math.Exp(x[k] - max));
            foreach (var k in indices)
            {
                p[k] = Math.Exp(x[k] - max) / sum;
            }
        }

        return p;
    }

    /// <summary>d/dx of a function of p = softmax(x), from d/dp: <c>p_j·(g_j − Σ_k p_k g_k)</c> per pixel.</summary>
    private static double[] SoftmaxBackward(double[] p, double[] dp, int n, int c, int spatial)
    {
        var dx = new double[p.Length];
        for (var image = 0; image < n; image++)
        for (var s = 0; s < spatial; s++)
        {
            var indices = Enumerable.Range(0, c).Select(cls => ((image * c) + cls) * spatial + s).ToArray();
            var dot = indices.Sum(k => p[k] * dp[k]);
            foreach (var k in indices)
            {
                dx[k] = p[k] * (dp[k] - dot);
            }
        }

        return dx;
    }

    /// <summary>One-hot [N, C, S] of labels [N, S]; an ignored label is 0 in every channel.</summary>
    public static double[] OneHot(int[] labels, int n, int c)
    {
        var spatial = labels.Length / n;
        var t = new double[n * c * spatial];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= 0 && labels[i] < c)
            {
                t[((i / spatial * c) + labels[i]) * spatial + i % spatial] = 1;
            }
        }

        return t;
    }

    /// <summary>
    /// Each pixel's weight in the Lovász extension of the Jaccard loss: with the pixels sorted by decreasing error and
    /// M_k the first k of them, the weight of the k-th is <c>Δ(M_k) − Δ(M_{k−1})</c>, <c>Δ(M) = |M| / |G ∪ M|</c>.
    /// </summary>
    public static Dictionary<int, double> LovaszWeights(IReadOnlyList<int> pixels, IReadOnlyDictionary<int, double> errors, Func<int, bool> inTruth)
    {
        var sorted = pixels.OrderByDescending(i => errors[i]).ToArray();
        var truth = pixels.Count(inTruth);
        var weights = new Dictionary<int, double>();
        double previous = 0;
        var negatives = 0;
        for (var k = 0; k < sorted.Length; k++)
        {
            negatives += inTruth(sorted[k]) ? 0 : 1;
            var jaccard = (k + 1) / (double)(truth + negatives);
            weights[sorted[k]] = jaccard - previous;
            previous = jaccard;
        }

        return weights;
    }

    /// <summary>
    /// Central differences of <paramref name="f"/> at <paramref name="x"/>, step 1e-6: the gradient check for losses
    /// whose derivative is not written out by hand.
    /// </summary>
    public static double[] NumericGradient(Func<double[], double> f, double[] x)
    {
        const double Step = 1e-6;
        var gradient = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var shifted = (double[])x.Clone();
            shifted[i] = x[i] + Step;
            var up = f(shifted);
            shifted[i] = x[i] - Step;
            gradient[i] = (up - f(shifted)) / (2 * Step);
        }

        return gradient;
    }

    private static double[] BoundaryMap(Images x, int n, int c, int size)
    {
        var inverse = new double[x.H * x.W];
        for (var r = 0; r < x.H; r++)
        for (var col = 0; col < x.W; col++)
        {
            inverse[r * x.W + col] = 1 - x[n, c, r, col];
        }

        var max = NeighbourhoodMax(inverse, x.H, x.W, size);
        return max.Select((m, k) => m - inverse[k]).ToArray();
    }

    private static double[] NeighbourhoodMax(double[] map, int h, int w, int size)
    {
        var half = (size - 1) / 2;
        var result = new double[map.Length];
        for (var r = 0; r < h; r++)
        for (var col = 0; col < w; col++)
        {
            var max = double.NegativeInfinity;
            for (var i = Math.Max(r - half, 0); i <= Math.Min(r + half, h - 1); i++)
            for (var j = Math.Max(col - half, 0); j <= Math.Min(col + half, w - 1); j++)
            {
                max = Math.Max(max, map[i * w + j]);
            }

            result[r * w + col] = max;
        }

        return result;
    }
}
