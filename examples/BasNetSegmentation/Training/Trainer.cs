using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using BasNetSegmentation.Data;
using BasNetSegmentation.Model;
using BasNetSegmentation.Plotting;
using LossDsl;
using TorchSharp;
using static TorchSharp.torch;

namespace BasNetSegmentation.Training;

/// <summary>
/// Trains the U-Net on synthetic shapes with the BASNet hybrid loss of <c>basnet.loss</c> (bce + ssim(11) + iou on the
/// main output and on every side output), measures the validation IoU of the main output and writes the plots. The command line (Program.cs) and the tests both call
/// <see cref="Train"/>.
/// </summary>
public static class Trainer
{
    /// <summary>File name of the loss curves plot in the output folder.</summary>
    public const string LossCurvesFile = "loss-curves.png";

    /// <summary>File name of the validation predictions plot in the output folder.</summary>
    public const string PredictionsFile = "predictions.png";

    /// <summary>Folder of the TensorBoard run in the output folder (<c>tensorboard --logdir</c> it).</summary>
    public const string TensorBoardFolder = "tensorboard";

    private const int PlottedSamples = 4;

    /// <summary>
    /// Runs the whole example: generates the data, trains, validates after each epoch, writes the two PNGs and logs
    /// every step's terms and every epoch's validation to a TensorBoard run.
    /// <paramref name="onStep"/> and <paramref name="onEpoch"/> report progress as it happens (both may be null).
    /// </summary>
    public static TrainingResult Train(TrainingOptions options, Action<StepLosses>? onStep = null, Action<EpochSummary>? onEpoch = null)
    {
        options.Validate();
        if (options.Threads is int threads)
        {
            set_num_threads(threads);
        }

        var clock = Stopwatch.StartNew();
        using var train = ShapesDataset.Generate(options.TrainImages, options.ImageSize, options.Seed);
        // A seed of its own, so the validation images are other images than the training ones.
        using var validation = ShapesDataset.Generate(options.ValidationImages, options.ImageSize, unchecked(options.Seed + 1_000_003));

        manual_seed(options.Seed);
        using var model = new UNet(options.BaseChannels, TrainingOptions.Levels);
        using var loss = new BasNet();
        using var optimizer = optim.Adam(model.parameters(), lr: options.LearningRate);
        var totalSteps = options.Epochs * options.StepsPerEpoch;
        var schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max: totalSteps);
        var shuffle = new Random(options.Seed);
        var tensorBoard = StartTensorBoardRun(options.OutputDirectory);

        var steps = new List<StepLosses>(totalSteps);
        var epochs = new List<EpochSummary>(options.Epochs);
        Validation? last = null;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            model.train();
            var order = Permutation(shuffle, train.Count);
            for (var batch = 0; batch < options.StepsPerEpoch; batch++)
            {
                using var scope = NewDisposeScope();
                var indices = tensor(order.AsSpan(batch * options.BatchSize, options.BatchSize).ToArray());
                var (images, masks) = train.Batch(indices);

                optimizer.zero_grad();
                using var terms = loss.Terms(model.call(images), masks);
                terms.Total.backward();
                optimizer.step();
                schedule.step();

                tensorBoard.AddLossTerms(loss, terms, steps.Count + 1);
                var main = terms.Levels[0];
                var step = new StepLosses(
                    steps.Count + 1, epoch, terms.Total.ToDouble(), main.Bce.ToDouble(), main.Ssim.ToDouble(), main.Iou.ToDouble(),
                    terms.Levels.Skip(1).Sum(level => level.Total.ToDouble()));
                steps.Add(step);
                onStep?.Invoke(step);
            }

            last?.Dispose();
            last = Validate(model, loss, validation, options.BatchSize);
            var summary = new EpochSummary(
                epoch,
                steps.Where(s => s.Epoch == epoch).Average(s => s.Total),
                last.Loss,
                last.IoU);
            epochs.Add(summary);
            tensorBoard.AddScalar("validation/loss", summary.ValidationLoss, steps.Count);
            tensorBoard.AddScalar("validation/iou", summary.ValidationIoU, steps.Count);
            onEpoch?.Invoke(summary);
        }

        var trainingTime = clock.Elapsed;
        using (last)
        using (NewDisposeScope())
        {
            Directory.CreateDirectory(options.OutputDirectory);
            var lossCurves = Path.GetFullPath(Path.Combine(options.OutputDirectory, LossCurvesFile));
            LossCurvesPlot.Save(steps, epochs, options.StepsPerEpoch, lossCurves);

            var predictions = Path.GetFullPath(Path.Combine(options.OutputDirectory, PredictionsFile));
            var samples = Math.Min(PlottedSamples, validation.Count);
            PredictionGridPlot.Save(
                validation.Images.narrow(0, 0, samples),
                validation.Masks.narrow(0, 0, samples),
                last!.Probabilities.narrow(0, 0, samples),
                predictions);

            return new TrainingResult(steps, epochs, last.IoU, lossCurves, predictions, tensorBoard.LogDir, trainingTime);
        }
    }

    /// <summary>
    /// A fresh run in the output folder: the event files of an earlier run there are deleted, so that TensorBoard
    /// shows this run's steps, not two runs interleaved.
    /// </summary>
    private static TorchSharp.Modules.SummaryWriter StartTensorBoardRun(string outputDirectory)
    {
        var folder = Path.GetFullPath(Path.Combine(outputDirectory, TensorBoardFolder));
        if (Directory.Exists(folder))
        {
            foreach (var old in Directory.EnumerateFiles(folder, "events.out.tfevents.*"))
            {
                File.Delete(old);
            }
        }

        return utils.tensorboard.SummaryWriter(folder);
    }

    private static long[] Permutation(Random random, int count)
    {
        var order = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        random.Shuffle(order);
        return order;
    }

    private static Validation Validate(UNet model, BasNet loss, ShapesDataset validation, int batchSize)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var batches = new List<Tensor[]>();
        for (var start = 0; start < validation.Count; start += batchSize)
        {
            var length = Math.Min(batchSize, validation.Count - start);
            batches.Add(model.call(validation.Images.narrow(0, start, length)));
        }

        // Every level over the whole set, the main output first: the loss the training minimises.
        var levels = Enumerable.Range(0, batches[0].Length).Select(level => cat(batches.Select(b => b[level]).ToList(), dim: 0)).ToArray();
        var value = loss.call(levels, validation.Masks).ToDouble();
        // The prediction is the main output's; probability ≥ 0.5 is logit ≥ 0.
        var main = levels[0];
        var iou = SegmentationMetrics.IntersectionOverUnion(main >= 0, validation.Masks > 0.5);
        return new Validation(value, iou, sigmoid(main).MoveToOuterDisposeScope());
    }

    private sealed record Validation(double Loss, double IoU, Tensor Probabilities) : IDisposable
    {
        public void Dispose() => Probabilities.Dispose();
    }
}
