using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using BasNetSegmentation.Data;
using BasNetSegmentation.Plotting;
using BasNetSegmentation.Training;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Examples;

/// <summary>
/// The main example (examples/BasNetSegmentation) through the method its command line calls: a <c>--quick</c> run
/// trains, lowers the BASNet loss, measures an IoU and writes two real PNGs.
/// </summary>
public sealed partial class BasNetSegmentationTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Quick_run_lowers_the_loss_measures_the_iou_and_writes_the_plots()
    {
        var output = Path.Combine(Path.GetTempPath(), "basnet-example-test-" + Guid.NewGuid().ToString("N")[..8]);
        var threads = torch.get_num_threads();
        try
        {
            // One thread: the quick run's tensors are tiny, and other tests run beside this one on a 2-core machine.
            var options = TrainingOptions.Quick with { OutputDirectory = output, Threads = 1 };
            var result = Trainer.Train(options);

            Assert.Equal(options.Epochs * options.StepsPerEpoch, result.Steps.Count);
            Assert.Equal(options.Epochs, result.Epochs.Count);
            Assert.True(
                result.Epochs[^1].MeanTrainLoss < result.Epochs[0].MeanTrainLoss,
                $"mean training loss went from {result.Epochs[0].MeanTrainLoss} (epoch 1) to {result.Epochs[^1].MeanTrainLoss} (last epoch)");
            Assert.True(result.Epochs[^1].ValidationLoss < result.Epochs[0].ValidationLoss);
            foreach (var step in result.Steps)
            {
                // The logged terms are the parts of the total the optimizer minimised: bce + ssim(11) + iou of the main
                // output, and the same of each side output (deep supervision, every level weighted 1).
                Assert.True(double.IsFinite(step.Total) && step.Bce > 0 && step.Ssim > 0 && step.Iou > 0 && step.SideOutputs > 0, step.ToString());
                Assert.Equal(step.Total, step.Bce + step.Ssim + step.Iou + step.SideOutputs, 1e-5);
            }

            Assert.InRange(result.ValidationIoU, 0.0, 1.0);
            Assert.Equal(result.ValidationIoU, result.Epochs[^1].ValidationIoU);

            Assert.Equal(Path.Combine(Path.GetFullPath(output), Trainer.LossCurvesFile), result.LossCurvesPng);
            AssertPng(result.LossCurvesPng, LossCurvesPlot.Width, LossCurvesPlot.Height);
            Assert.Equal(Path.Combine(Path.GetFullPath(output), Trainer.PredictionsFile), result.PredictionsPng);
            AssertPng(result.PredictionsPng, PredictionGridPlot.Width, 4 * PredictionGridPlot.RowHeight);
            AssertTensorBoardRun(result);
        }
        finally
        {
            torch.set_num_threads(threads);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>
    /// The run <c>dotnet run</c> makes, on the README's 2 threads, reaches the validation IoU the README states (its
    /// range, with 0.01 of slack for CPUs whose kernels round differently). About 35 s of CI time.
    /// </summary>
    [Fact]
    public void Default_run_reaches_the_iou_the_readme_states()
    {
        var claim = ReadmeIouClaim().Match(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md")));
        Assert.True(claim.Success, "README.md no longer states the example's validation IoU as 'validation IoU of a–b'");
        var (low, high) = (double.Parse(claim.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(claim.Groups[2].Value, CultureInfo.InvariantCulture));

        var output = Path.Combine(Path.GetTempPath(), "basnet-example-default-" + Guid.NewGuid().ToString("N")[..8]);
        var threads = torch.get_num_threads();
        try
        {
            var result = Trainer.Train(TrainingOptions.Default with { OutputDirectory = output, Threads = 2 });

            Assert.InRange(result.ValidationIoU, low - 0.01, high + 0.01);
        }
        finally
        {
            torch.set_num_threads(threads);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [GeneratedRegex(@"validation IoU of (0\.[0-9]+)–(0\.[0-9]+)")]
    private static partial Regex ReadmeIouClaim();

    [Fact]
    public void Synthetic_data_depends_on_the_seed_alone()
    {
        using var first = ShapesDataset.Generate(count: 6, size: 32, seed: 7);
        using var again = ShapesDataset.Generate(count: 6, size: 32, seed: 7);
        using var other = ShapesDataset.Generate(count: 6, size: 32, seed: 8);

        Assert.Equal(new long[] { 6, 1, 32, 32 }, first.Images.shape);
        Assert.True((first.Images == again.Images).all().item<bool>());
        Assert.True((first.Masks == again.Masks).all().item<bool>());
        Assert.False((first.Images == other.Images).all().item<bool>());

        // Binary masks, and every image has some foreground and some background.
        Assert.True(((first.Masks == 0) | (first.Masks == 1)).all().item<bool>());
        var foreground = first.Masks.sum(dim: [1, 2, 3]).data<float>().ToArray();
        Assert.All(foreground, pixels => Assert.InRange(pixels, 1f, 32 * 32 - 1f));
    }

    // The run holds one series per term under the loss's name, with the values of every step the trainer reported, and
    // the validation after each epoch.
    private static void AssertTensorBoardRun(TrainingResult result)
    {
        Assert.Equal(Path.Combine(Path.GetDirectoryName(result.LossCurvesPng)!, Trainer.TensorBoardFolder), result.TensorBoardRun);
        var file = Assert.Single(Directory.GetFiles(result.TensorBoardRun, "events.out.tfevents.*"));
        var series = TensorBoardEventFile.ReadScalars(file).GroupBy(s => s.Tag).ToDictionary(g => g.Key, g => g.ToList());

        // Deep supervision: every term of every level, named level{k}/{term}, and the total.
        var levelTags = Enumerable.Range(0, TrainingOptions.Levels).SelectMany(k => new[] { "bce", "ssim", "iou" }.Select(t => $"BasNet/level{k}/{t}"));
        Assert.Equal(levelTags.Append("BasNet/total").Append("validation/iou").Append("validation/loss").Order(StringComparer.Ordinal), series.Keys.Order(StringComparer.Ordinal));
        foreach (var (tag, logged) in new (string, Func<StepLosses, double>)[]
        {
            ("BasNet/total", s => s.Total), ("BasNet/level0/bce", s => s.Bce), ("BasNet/level0/ssim", s => s.Ssim), ("BasNet/level0/iou", s => s.Iou),
        })
        {
            Assert.Equal(result.Steps.Select(s => (long)s.Step), series[tag].Select(s => s.Step));
            Assert.Equal(result.Steps.Select(s => (float)logged(s)), series[tag].Select(s => s.Value));
        }

        var sides = levelTags.Where(t => !t.StartsWith("BasNet/level0/", StringComparison.Ordinal)).Select(t => series[t]).ToList();
        foreach (var (step, i) in result.Steps.Select((s, i) => (s, i)))
        {
            Assert.Equal(step.SideOutputs, sides.Sum(series => (double)series[i].Value), 1e-4);
        }

        Assert.Equal(result.Epochs.Select(e => (float)e.ValidationIoU), series["validation/iou"].Select(s => s.Value));
        Assert.Equal(result.Epochs.Select(e => (float)e.ValidationLoss), series["validation/loss"].Select(s => s.Value));
        // Wall time in seconds since 1970, as TensorBoard reads it (SummaryWriter's own default is .NET ticks).
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(series.Values.SelectMany(s => s), s => Assert.InRange(s.WallTime, now - 3600, now + 600));
    }

    // A PNG file: the signature, then the IHDR chunk with the width and height (big-endian), and real content.
    private static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 10_000, $"{path} has only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }
}
