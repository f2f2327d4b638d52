namespace LossDsl.Tests.Numerics;

/// <summary>
/// A forward-mode dual number <c>v + d·ε</c> (ε² = 0): evaluating a formula on duals gives its value and its exact
/// derivative along the seeded input, with no TorchSharp and no finite-difference error. The reference losses are
/// written on these, so each gives an independent gradient (<see cref="Gradient"/>).
/// </summary>
public readonly record struct Dual(double Value, double Derivative)
{
    public static implicit operator Dual(double value) => new(value, 0);

    public static Dual operator +(Dual a, Dual b) => new(a.Value + b.Value, a.Derivative + b.Derivative);

    public static Dual operator -(Dual a, Dual b) => new(a.Value - b.Value, a.Derivative - b.Derivative);

    public static Dual operator -(Dual a) => new(-a.Value, -a.Derivative);

    public static Dual operator *(Dual a, Dual b) => new(a.Value * b.Value, (a.Derivative * b.Value) + (a.Value * b.Derivative));

    public static Dual operator /(Dual a, Dual b) =>
        new(a.Value / b.Value, ((a.Derivative * b.Value) - (a.Value * b.Derivative)) / (b.Value * b.Value));

    public static Dual Exp(Dual a) => new(Math.Exp(a.Value), Math.Exp(a.Value) * a.Derivative);

    public static Dual Log(Dual a) => new(Math.Log(a.Value), a.Derivative / a.Value);

    /// <summary><c>a^k</c> for a constant k; the derivative term is dropped where it is 0 anyway (a' = 0), so 0^k with k &lt; 1 stays finite.</summary>
    public static Dual Pow(Dual a, double k) =>
        new(Math.Pow(a.Value, k), a.Derivative == 0 ? 0 : k * Math.Pow(a.Value, k - 1) * a.Derivative);

    public static Dual Square(Dual a) => a * a;

    /// <summary>σ(a), its derivative σ(1 − σ).</summary>
    public static Dual Sigmoid(Dual a)
    {
        var s = a.Value >= 0 ? 1 / (1 + Math.Exp(-a.Value)) : Math.Exp(a.Value) / (1 + Math.Exp(a.Value));
        return new(s, s * (1 - s) * a.Derivative);
    }

    /// <summary>log σ(a) = −softplus(−a), its derivative σ(−a); exact for |a| up to 1e4.</summary>
    public static Dual LogSigmoid(Dual a)
    {
        var value = Math.Min(a.Value, 0) - Math.Log(1 + Math.Exp(-Math.Abs(a.Value)));
        return new(value, Sigmoid(-a).Value * a.Derivative);
    }

    /// <summary>max(log a, −100) with a ≥ 0: PyTorch BCELoss's clamped log; flat (derivative 0) where clamped.</summary>
    public static Dual ClampedLog(Dual a) => a.Value > 0 && Math.Log(a.Value) > -100 ? Log(a) : new Dual(-100, 0);

    /// <summary>The value of <paramref name="f"/> at <paramref name="x"/> and its gradient, one forward pass per input.</summary>
    public static (double Value, double[] Gradient) Gradient(double[] x, Func<Dual[], Dual> f)
    {
        var value = f(x.Select(v => new Dual(v, 0)).ToArray()).Value;
        var gradient = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var seeded = x.Select((v, j) => new Dual(v, i == j ? 1 : 0)).ToArray();
            gradient[i] = f(seeded).Derivative;
        }

        return (value, gradient);
    }
}
