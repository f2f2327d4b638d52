using static TorchSharp.torch;

namespace TouchingCells;

/// <summary>
/// Grey images of cells that touch in pairs: two rectangles side by side with a one-pixel background gap between
/// them, only a little darker than the cells (as a membrane is in a micrograph), on a noisy dark background. One pair
/// per quadrant, so pairs never overlap. Instance labels number the cells of each image from 1.
/// </summary>
internal static class SyntheticCells
{
    private const float Cell = 1f;
    private const float Gap = 0.45f;
    private const float Noise = 0.3f;

    public static (Tensor Images, Tensor Instances, Tensor Gaps) Create(int count, int size, int seed)
    {
        var random = new Random(seed);
        var instances = zeros(count, size, size, dtype: ScalarType.Int64);
        var gaps = zeros(count, size, size, dtype: ScalarType.Bool);
        var quadrant = size / 2;
        for (var n = 0; n < count; n++)
        {
            var id = 1L;
            foreach (var (top0, left0) in new[] { (0, 0), (0, quadrant), (quadrant, 0), (quadrant, quadrant) })
            {
                // Two cells of one height, side by side (or one above the other), one pixel apart.
                var horizontal = random.Next(2) == 0;
                var across = random.Next(5, quadrant - 3);
                var first = random.Next(3, (quadrant - 4) / 2 + 1);
                var second = random.Next(3, quadrant - 3 - first);
                var along0 = random.Next(1, quadrant - first - second - 1);
                var across0 = random.Next(1, quadrant - across);
                foreach (var (start, length) in new[] { (along0, first), (along0 + first + 1, second) })
                {
                    Box(instances, n, top0, left0, horizontal, start, length, across0, across).fill_(id++);
                }

                Box(gaps, n, top0, left0, horizontal, along0 + first, 1, across0, across).fill_(true);
            }
        }

        var brightness = where(instances > 0, Cell, 0f);
        var images = where(gaps, Gap, brightness) + (Noise * randn(count, size, size, generator: new TorchSharp.torch.Generator((ulong)seed)));
        return (images.unsqueeze(1), instances, gaps);
    }

    private static Tensor Box(Tensor target, int n, int top0, int left0, bool horizontal, int along, int alongLength, int across, int acrossLength) => horizontal
        ? target[n, (top0 + across)..(top0 + across + acrossLength), (left0 + along)..(left0 + along + alongLength)]
        : target[n, (top0 + along)..(top0 + along + alongLength), (left0 + across)..(left0 + across + acrossLength)];
}
