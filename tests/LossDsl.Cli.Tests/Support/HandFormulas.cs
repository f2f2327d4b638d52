namespace LossDsl.Cli.Tests.Support;

/// <summary>
/// bce and iou (smooth 1) from LOSSES.md, written out by hand in float64 over flat arrays, with their gradients
/// d/dx derived on paper: the reference the command line's numbers are checked against.
/// </summary>
public static class HandFormulas
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>mean(softplus(x) − t·x), in the form that never overflows.</summary>
    public static double BceWithLogits(double[] x, double[] t) =>
        x.Select((xi, i) => Math.Max(xi, 0) - (xi * t[i]) + Math.Log(1 + Math.Exp(-Math.Abs(xi)))).Average();

    /// <summary>mean(−[t·max(log p, −100) + (1−t)·max(log(1−p), −100)]).</summary>
    public static double BceOnProbabilities(double[] p, double[] t) =>
        p.Select((pi, i) => -((t[i] * Math.Max(Math.Log(pi), -100)) + ((1 - t[i]) * Math.Max(Math.Log(1 - pi), -100)))).Average();

    /// <summary>1 − (TP + 1) / (P + T − TP + 1) over all elements (one channel).</summary>
    public static double Iou(double[] p, double[] t)
    {
        var (intersection, union) = IntersectionAndUnion(p, t);
        return 1 - (intersection / union);
    }

    /// <summary>d(bce + iou)/dx for logits: (p − t)/n + dIoU/dp · p(1 − p).</summary>
    public static double[] BcePlusIouGradient(double[] x, double[] t)
    {
        var p = x.Select(Sigmoid).ToArray();
        var (intersection, union) = IntersectionAndUnion(p, t);

        // IoU = 1 − I/U with dI/dp = t and dU/dp = 1 − t.
        return p.Select((pi, i) =>
        {
            var dIouDp = -((t[i] * union) - (intersection * (1 - t[i]))) / (union * union);
            return ((pi - t[i]) / p.Length) + (dIouDp * pi * (1 - pi));
        }).ToArray();
    }

    private static (double Intersection, double Union) IntersectionAndUnion(double[] p, double[] t)
    {
        var tp = p.Select((pi, i) => pi * t[i]).Sum();
        return (tp + 1, p.Sum() + t.Sum() - tp + 1);
    }
}
