using System;
using TorchSharp.Modules;

namespace LossDsl;

/// <summary>
/// Logs a loss's terms to TensorBoard through TorchSharp's own <see cref="SummaryWriter"/>, from the values
/// <c>Terms(pred, target)</c> already computed: nothing is evaluated again.
/// </summary>
public static class TensorBoardLogging
{
    /// <summary>
    /// Adds one scalar per term at <paramref name="step"/>, tagged <c>{loss name}/total</c> and <c>{loss name}/{term}</c>
    /// (the names of <see cref="LossTerms.Keys"/>), so that TensorBoard groups a loss's series in one section. When the
    /// terms carry their unreduced values (<c>Terms(inputs, unreduced: true)</c>), a term with one value per channel
    /// over the batch (dice, iou, tversky, mcc, sensitivity_specificity) also gets one series per channel,
    /// <c>{loss name}/{term}/channel{c}</c>: per-class Dice without computing it again.
    /// </summary>
    /// <param name="writer">The run to write to.</param>
    /// <param name="loss">The loss the terms come from; its module name (the class name of a generated loss) is the tags' prefix.</param>
    /// <param name="terms">The values to log, as <c>loss.Terms(pred, target)</c> returned them.</param>
    /// <param name="step">The training step the values belong to.</param>
    public static void AddLossTerms(this SummaryWriter writer, LossModule loss, LossTerms terms, int step)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(terms);

        var prefix = loss.GetName();
        foreach (var (name, value) in terms.ToNumbers())
        {
            writer.AddScalar($"{prefix}/{name}", value, step);
        }

        foreach (var (name, values) in terms.Unreduced)
        {
            if (values.dim() != 1)
            {
                continue; // a scalar is the term itself; per element or per image and channel, too many series
            }

            using var perChannel = values.detach().to_type(TorchSharp.torch.ScalarType.Float64).cpu();
            var channels = perChannel.data<double>().ToArray();
            for (var c = 0; c < channels.Length; c++)
            {
                writer.AddScalar(FormattableString.Invariant($"{prefix}/{name}/channel{c}"), channels[c], step);
            }
        }
    }

    /// <summary>
    /// <c>add_scalar</c> with the wall time TensorBoard reads, seconds since 1970 (<see cref="SummaryWriter"/>'s own
    /// default is .NET ticks), for values logged beside the terms (a validation metric).
    /// </summary>
    public static void AddScalar(this SummaryWriter writer, string tag, double value, int step)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.add_scalar(tag, (float)value, step, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
    }
}
