using LossDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace ConfigDriven;

/// <summary>
/// A small batch shaped for the config, standing in for a data loader: a noisy prediction of a known target, so the
/// terms have telling values (well below those of a random guess).
/// </summary>
internal static class SyntheticBatch
{
    private const int Images = 2;
    private const int Size = 32;

    public static (Tensor Pred, Tensor Target) Create(LossOptions options)
    {
        var labels = options.Target == LossTarget.Labels;
        var classes = options.Classes ?? (labels ? 3 : 1);
        var (logits, target) = labels ? Labels(classes, options.IgnoreIndex) : Mask(classes);
        var pred = options.Input == LossInput.Logits ? logits : labels ? logits.softmax(1) : logits.sigmoid();
        return (pred, target);
    }

    // A disc per image and channel, at a different place in each; logits agree with it, plus noise.
    private static (Tensor Logits, Tensor Mask) Mask(int channels)
    {
        var ys = arange(Size, dtype: ScalarType.Float32).view(1, 1, Size, 1);
        var xs = arange(Size, dtype: ScalarType.Float32).view(1, 1, 1, Size);
        var centres = rand(Images, channels, 2) * (Size / 2) + Size / 4;
        var cy = centres[.., .., 0].view(Images, channels, 1, 1);
        var cx = centres[.., .., 1].view(Images, channels, 1, 1);
        var mask = ((ys - cy).square() + (xs - cx).square() < 8 * 8).to_type(ScalarType.Float32);
        return (4 * mask - 2 + 1.5f * randn(Images, channels, Size, Size), mask);
    }

    // Vertical bands of the classes; the top row is unlabelled (the ignore index) when the config has one.
    private static (Tensor Logits, Tensor Labels) Labels(int classes, int? ignoreIndex)
    {
        var band = (arange(Size, dtype: ScalarType.Int64) * classes).div(Size, rounding_mode: RoundingMode.floor);
        var labels = band.view(1, 1, Size).expand(Images, Size, Size).clone();
        var logits = 3 * nn.functional.one_hot(labels, classes).permute(0, 3, 1, 2).to_type(ScalarType.Float32)
            + 1.5f * randn(Images, classes, Size, Size);
        if (ignoreIndex is { } ignore)
        {
            labels[.., 0, ..] = tensor((long)ignore);
        }

        return (logits, labels);
    }
}
