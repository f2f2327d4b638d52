using System;
using System.CommandLine;
using BasNetSegmentation;
using BasNetSegmentation.Training;
using LossDsl.Platform;

// dotnet run --project examples/BasNetSegmentation [-- --quick | --epochs N | --image-size PX | --output DIR | --seed N]
// libtorch's OpenMP threads spin while they wait for work. On a busy 2-core machine a spinning thread holds the core
// its partner needs: an epoch (of a 12-channel model) took 177 s with 2 threads, 19 s with 1 thread and 19-25 s with
// 2 passive threads. OpenMP reads the variable once, when libtorch loads, from the C environment (which .NET's
// Environment.SetEnvironmentVariable does not change on Unix): so set it there, before the first TorchSharp call,
// unless the user chose a policy.
NativeEnvironment.SetIfUnset("OMP_WAIT_POLICY", "PASSIVE");

var epochs = new Option<int?>("--epochs") { Description = $"Passes over the training set (default {TrainingOptions.Default.Epochs}).", HelpName = "N" };
var imageSize = new Option<int?>("--image-size")
{
    Description = $"Side of the square images in pixels, a multiple of {1 << (TrainingOptions.Levels - 1)} (default {TrainingOptions.Default.ImageSize}).",
    HelpName = "PX",
};
var output = new Option<string?>("--output") { Description = $"Folder for the PNGs and the TensorBoard run (default {TrainingOptions.Default.OutputDirectory} under the current folder).", HelpName = "DIR" };
var seed = new Option<int?>("--seed") { Description = $"Seed of the data, weights and shuffling (default {TrainingOptions.Default.Seed}).", HelpName = "N" };
var threads = new Option<int?>("--threads") { Description = "CPU threads for TorchSharp (default: the machine's core count).", HelpName = "N" };
var quick = new Option<bool>("--quick") { Description = "A tiny run of a few seconds (small images, few epochs); the options above still apply." };

var root = new RootCommand("Trains a small U-Net on synthetic shapes with the BASNet loss bce + ssim(11) + iou (basnet.loss) and plots the result.")
{
    epochs, imageSize, output, seed, threads, quick,
};

root.SetAction(parse =>
{
    var preset = parse.GetValue(quick) ? TrainingOptions.Quick : TrainingOptions.Default;
    var options = preset with
    {
        Epochs = parse.GetValue(epochs) ?? preset.Epochs,
        ImageSize = parse.GetValue(imageSize) ?? preset.ImageSize,
        OutputDirectory = parse.GetValue(output) ?? preset.OutputDirectory,
        Seed = parse.GetValue(seed) ?? preset.Seed,
        Threads = parse.GetValue(threads) ?? Environment.ProcessorCount,
    };

    try
    {
        options.Validate();
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"BasNetSegmentation: {e.Message}");
        return 2;
    }

    ConsoleReport.Settings(options);
    var result = ConsoleReport.TrainWithProgress(options);
    ConsoleReport.Summary(result);
    return 0;
});

return root.Parse(args).Invoke();
