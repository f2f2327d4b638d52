using static TorchSharp.torch;

namespace Multiclass;

/// <summary>
/// Grey images of rectangles on a noisy background: class 1 and 2 large, class 3 small. Each rectangle's one-pixel
/// outline is labelled 255, "void", as in Pascal VOC, where the true class of a border pixel is uncertain.
/// </summary>
internal static class SyntheticScenes
{
    public const int Classes = 4;
    public const long Void = 255;

    // The brightness of each class; the noise makes single pixels ambiguous, so the model must look at neighbours.
    private static readonly float[] Brightness = { 0f, 1f, 2f, 3f };

    public static (Tensor Images, Tensor Labels) Create(int count, int size, int seed)
    {
        var random = new Random(seed);
        var truth = zeros(count, size, size, dtype: ScalarType.Int64);
        var labels = zeros(count, size, size, dtype: ScalarType.Int64);
        for (var n = 0; n < count; n++)
        {
            foreach (var (label, side) in new[] { (1, size / 2), (2, size / 3), (3, size / 6) })
            {
                var height = random.Next(side / 2, side + 1);
                var width = random.Next(side / 2, side + 1);
                var top = random.Next(1, size - height);
                var left = random.Next(1, size - width);
                truth[n, top..(top + height), left..(left + width)].fill_(label);
                labels[n, (top - 1)..(top + height + 1), (left - 1)..(left + width + 1)].fill_(Void);
                labels[n, top..(top + height), left..(left + width)].fill_(label);
            }
        }

        var images = tensor(Brightness)[truth].unsqueeze(1) + 0.6f * randn(count, 1, size, size);
        return (images, labels);
    }
}
