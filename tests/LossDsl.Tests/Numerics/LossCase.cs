using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// One set of inputs for a loss, held as plain arrays so the reference formulas can read them: pred [N, C, S]
/// flattened (S = the product of <see cref="Spatial"/>), and either a mask [N, C, S] or labels [N, S] with an
/// optional ignore index. Deterministic, no random generator.
/// </summary>
public sealed record LossCase(int N, int C, long[] Spatial, double[] Pred, bool Probabilities, double[]? Mask, long[]? Labels, int? IgnoreIndex)
{
    public int S => (int)Spatial.Aggregate(1L, (a, b) => a * b);

    public bool IsLabels => Labels is not null;

    /// <summary>Logits spread over about [−3, 3] and a mask with about a third foreground.</summary>
    public static LossCase BinaryMask(int n, int c, long[] spatial, bool probabilities = false)
    {
        var (logits, mask) = FixedInputs.Binary(n, c, (int)spatial.Aggregate(1L, (a, b) => a * b), 1);
        var pred = probabilities ? logits.Select(ReferenceFormulas.Sigmoid).ToArray() : logits;
        return new LossCase(n, c, spatial, pred, probabilities, mask, null, null);
    }

    /// <summary>
    /// Logits spread over about [−3, 3], labels cycling through every class irregularly, and every fifth pixel set to
    /// <paramref name="ignoreIndex"/> when there is one. Probabilities are the softmax of those logits.
    /// </summary>
    public static LossCase ClassLabels(int n, int c, long[] spatial, int? ignoreIndex = null, bool probabilities = false)
    {
        var s = (int)spatial.Aggregate(1L, (a, b) => a * b);
        var logits = Enumerable.Range(0, n * c * s).Select(i => 3 * Math.Sin((0.9 * i) + 0.4) + (0.5 * Math.Cos(0.31 * i))).ToArray();
        var labels = new long[n * s];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = ignoreIndex is { } ignore && i % 5 == 2 ? ignore : ((3 * i) + ((i * i) % 7)) % c;
        }

        var pred = logits;
        if (probabilities)
        {
            pred = new double[logits.Length];
            for (var image = 0; image < n; image++)
            {
                for (var pixel = 0; pixel < s; pixel++)
                {
                    var at = Enumerable.Range(0, c).Select(k => ((image * c) + k) * s + pixel).ToArray();
                    var total = at.Sum(i => Math.Exp(logits[i]));
                    foreach (var i in at)
                    {
                        pred[i] = Math.Exp(logits[i]) / total;
                    }
                }
            }
        }

        return new LossCase(n, c, spatial, pred, probabilities, null, labels, ignoreIndex);
    }

    public int Index(int n, int c, int s) => ((n * C) + c) * S + s;

    /// <summary>Whether pixel (n, s) counts: always for masks, unless labelled with the ignore index.</summary>
    public bool Kept(int n, int s) => Labels is null || Labels[(n * S) + s] != IgnoreIndex;

    /// <summary>The target in kernel form: the mask value, or the one-hot label (0 at ignored pixels).</summary>
    public double T(int n, int c, int s) => Mask is not null ? Mask[Index(n, c, s)] : Kept(n, s) && Labels![(n * S) + s] == c ? 1 : 0;

    /// <summary>p: the input itself, sigmoid for masks, softmax over the classes for labels.</summary>
    public Dual[] P(Dual[] x) => Probabilities ? x : IsLabels ? Map(x, LogSoftmax).Select(Dual.Exp).ToArray() : x.Select(Dual.Sigmoid).ToArray();

    /// <summary>log p: clamped log of probabilities, log-sigmoid for masks, log-softmax for labels.</summary>
    public Dual[] LogP(Dual[] x) => Probabilities ? x.Select(Dual.ClampedLog).ToArray() : IsLabels ? Map(x, LogSoftmax) : x.Select(Dual.LogSigmoid).ToArray();

    /// <summary>log(1 − p), masks only.</summary>
    public Dual[] LogNotP(Dual[] x) => Probabilities ? x.Select(v => Dual.ClampedLog(1 - v)).ToArray() : x.Select(v => Dual.LogSigmoid(-v)).ToArray();

    public LossOptions Options(string name = "loss") => new()
    {
        Name = name,
        Input = Probabilities ? LossInput.Probabilities : LossInput.Logits,
        Target = IsLabels ? LossTarget.Labels : LossTarget.Mask,
        Classes = C,
        IgnoreIndex = IgnoreIndex,
        Spatial = Spatial.Select(_ => (int?)null).ToArray(),
    };

    public long[] PredShape => new long[] { N, C }.Concat(Spatial).ToArray();

    public Tensor PredTensor(ScalarType dtype) => FixedInputs.ToTensor(Pred, PredShape, dtype, requiresGrad: true);

    public Tensor TargetTensor(ScalarType dtype) => IsLabels
        ? tensor(Labels!, dtype: ScalarType.Int64).reshape(new long[] { N }.Concat(Spatial).ToArray())
        : FixedInputs.ToTensor(Mask!, PredShape, dtype);

    /// <summary>log_softmax over c at every (n, s), by the max-shifted log-sum-exp.</summary>
    private Dual[] LogSoftmax(Dual[] x, int n, int s)
    {
        var at = Enumerable.Range(0, C).Select(c => Index(n, c, s)).ToArray();
        var max = at.Max(i => x[i].Value);
        var sum = at.Aggregate((Dual)0, (acc, i) => acc + Dual.Exp(x[i] - max));
        var logSum = Dual.Log(sum) + max;
        return at.Select(i => x[i] - logSum).ToArray();
    }

    private Dual[] Map(Dual[] x, Func<Dual[], int, int, Dual[]> perPixel)
    {
        var result = new Dual[x.Length];
        for (var n = 0; n < N; n++)
        {
            for (var s = 0; s < S; s++)
            {
                var values = perPixel(x, n, s);
                for (var c = 0; c < C; c++)
                {
                    result[Index(n, c, s)] = values[c];
                }
            }
        }

        return result;
    }
}
