namespace LossDsl.Kernels;

/// <summary>
/// A channel's overlap loss from its statistics: the score <c>r = (a·TP + s_nr) / (b·TP + c_P·P + c_T·T + s_dr)</c>, the
/// loss <c>1 − r</c> (or with <see cref="Log"/> smp's <c>−log(max(r, 1e-7))</c>), 0 where the denominator is 0 (only
/// with s_dr = 0) and with <see cref="ZeroWhenEmpty"/> where T = 0, then <c>max(L, 0)^γ</c> (the focal Tversky loss;
/// γ = 1 leaves it). Dice is a = 2, b = 0, c_P = c_T = 1; IoU a = 1, b = −1, c_P = c_T = 1; Tversky a = 1,
/// b = 1 − α − β, c_P = α, c_T = β.
/// </summary>
internal readonly record struct OverlapForm(
    double TruePositiveInNumerator, double TruePositiveInDenominator, double PredictedInDenominator, double TargetInDenominator,
    double SmoothNumerator, double SmoothDenominator, bool Log, bool ZeroWhenEmpty, double Gamma = 1)
{
    /// <summary>smp's <c>eps</c>: the smallest score whose logarithm log_loss takes.</summary>
    public const double LogFloor = 1e-7;

    /// <summary>Dice: <c>(2·TP + s_nr) / (P + T + s_dr)</c>.</summary>
    public static OverlapForm Dice(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty) =>
        new(2, 0, 1, 1, smoothNumerator, smoothDenominator, log, zeroWhenEmpty);

    /// <summary>IoU: <c>(TP + s_nr) / (P + T − TP + s_dr)</c>.</summary>
    public static OverlapForm Iou(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty) =>
        new(1, -1, 1, 1, smoothNumerator, smoothDenominator, log, zeroWhenEmpty);

    /// <summary>Tversky: <c>(TP + s_nr) / (TP + α·(P − TP) + β·(T − TP) + s_dr)</c>, then the power γ.</summary>
    public static OverlapForm Tversky(double alpha, double beta, double gamma, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty) =>
        new(1, 1 - alpha - beta, alpha, beta, smoothNumerator, smoothDenominator, log, zeroWhenEmpty, gamma);

    /// <summary>A channel's loss and its derivatives with respect to TP and P.</summary>
    public (double Loss, double TruePositiveSlope, double PredictedSlope) Of(double truePositive, double predicted, double target)
    {
        var numerator = (TruePositiveInNumerator * truePositive) + SmoothNumerator;
        var denominator = (TruePositiveInDenominator * truePositive) + (PredictedInDenominator * predicted) + (TargetInDenominator * target) + SmoothDenominator;
        if ((ZeroWhenEmpty && target == 0) || (SmoothDenominator == 0 && denominator == 0))
        {
            return (0, 0, 0);
        }

        var score = numerator / denominator;
        // ∂L/∂r: −1 for 1 − r; −1/r for −log r above the floor (the clamp passes no gradient below it, as torch's does not).
        var (loss, slope) = Log ? (-System.Math.Log(System.Math.Max(score, LogFloor)), score >= LogFloor ? -1 / score : 0) : (1 - score, -1.0);
        if (Gamma != 1)
        {
            (loss, slope) = loss > 0 ? (System.Math.Pow(loss, Gamma), slope * Gamma * System.Math.Pow(loss, Gamma - 1)) : (0, 0);
        }

        // r = n / d: ∂r/∂n = 1/d, ∂r/∂d = −r/d.
        var (perNumerator, perDenominator) = (slope / denominator, -slope * score / denominator);
        return (loss, (perNumerator * TruePositiveInNumerator) + (perDenominator * TruePositiveInDenominator), perDenominator * PredictedInDenominator);
    }
}
