using System;
using System.IO;

namespace BasNetSegmentation.Training;

/// <summary>What to train and where to write the plots. <see cref="Default"/> and <see cref="Quick"/> are the presets.</summary>
public sealed record TrainingOptions
{
    /// <summary>The U-Net's number of resolutions: the image side must be a multiple of 2^(Levels − 1).</summary>
    public const int Levels = 3;

    /// <summary>The preset of <c>dotnet run</c>: a few minutes at most on two CPU cores.</summary>
    public static TrainingOptions Default { get; } = new();

    /// <summary>The preset of <c>--quick</c>: a few seconds, to see that everything runs (tests use it too).</summary>
    public static TrainingOptions Quick { get; } = new()
    {
        Epochs = 5,
        ImageSize = 32,
        TrainImages = 128,
        ValidationImages = 16,
    };

    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>The side of the square images, in pixels.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>The number of training images (generated once, reshuffled every epoch).</summary>
    public int TrainImages { get; init; } = 768;

    /// <summary>The number of validation images (another seed than the training set's).</summary>
    public int ValidationImages { get; init; } = 64;

    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Adam's learning rate at the start; it decays to zero along a cosine over the run.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>The U-Net's channels at full resolution (doubled at each level below).</summary>
    public int BaseChannels { get; init; } = 8;

    /// <summary>Seeds the data, the weights and the shuffling: the same seed gives the same run.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Threads for TorchSharp's CPU kernels; null leaves TorchSharp's setting as it is.</summary>
    public int? Threads { get; init; }

    /// <summary>Where the PNGs are written (created if missing).</summary>
    public string OutputDirectory { get; init; } = Path.Combine("artifacts", "basnet");

    /// <summary>Optimizer steps per epoch: whole batches only, so every step sees <see cref="BatchSize"/> images.</summary>
    public int StepsPerEpoch => TrainImages / BatchSize;

    /// <summary>Throws <see cref="ArgumentException"/> when the settings cannot be trained.</summary>
    public void Validate()
    {
        var multiple = 1 << (Levels - 1);
        Require(Epochs >= 1, $"epochs must be at least 1 (got {Epochs}).");
        Require(ImageSize >= 4 * multiple && ImageSize % multiple == 0, $"the image size must be a multiple of {multiple}, at least {4 * multiple} (got {ImageSize}).");
        Require(BatchSize >= 1, $"the batch size must be at least 1 (got {BatchSize}).");
        Require(TrainImages >= BatchSize, $"there must be at least one batch of training images ({BatchSize}; got {TrainImages}).");
        Require(ValidationImages >= 1, $"there must be at least one validation image (got {ValidationImages}).");
        Require(BaseChannels >= 1, $"the base channel count must be at least 1 (got {BaseChannels}).");
        Require(LearningRate > 0, $"the learning rate must be positive (got {LearningRate}).");
        Require(Threads is null or >= 1, $"threads must be at least 1 (got {Threads}).");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
