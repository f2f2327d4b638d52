using System.Globalization;
using Xunit.Abstractions;

namespace LossDsl.Tests.Runtime;

[Loss("bce + ssim(11) + iou")]
public sealed partial class SoakMaskStructureLoss;

[Loss("ce + dice(include_background: false) + lovasz_softmax", Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255)]
public sealed partial class SoakLabelsLoss;

[Loss("focal + tversky + boundary")]
public sealed partial class SoakFocalBoundaryLoss;

/// <summary>Resident memory is process-wide: soaks run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakCollection
{
    public const string Name = "Soak";
}

/// <summary>
/// Native memory stays flat over training: forward and backward of three generated losses, 200 measured steps each
/// after warm-up, must not grow native memory (in use, or resident) by 5 MB nor leave a single tensor alive per step.
/// A leak grows in every window; memory is process-wide, so a one-off jump (a malloc arena opened by another thread)
/// can land in one, and a window that grew is measured once more: the second must be flat.
/// <c>LOSSDSL_SOAK_STEPS=2000</c> runs the long soak of scripts/soak.sh.
/// </summary>
[Collection(SoakCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const double AllowedGrowthMb = 5;
    // Long enough for the JIT's tiering, the GC's budgets and malloc's arenas to settle: up to ~5 MB of one-off growth.
    private const int Warmup = 300;

    private static int Steps => int.TryParse(Environment.GetEnvironmentVariable("LOSSDSL_SOAK_STEPS"), NumberStyles.None, CultureInfo.InvariantCulture, out var steps) ? steps : 200;

    [Theory]
    [InlineData("bce + ssim(11) + iou")]
    [InlineData("ce + dice(include_background: false) + lovasz_softmax")]
    [InlineData("focal + tversky + boundary")]
    public void Training_steps_do_not_grow_native_memory(string text)
    {
        var (loss, classes, labels) = text switch
        {
            "bce + ssim(11) + iou" => ((LossModule)new SoakMaskStructureLoss(), 1, false),
            "ce + dice(include_background: false) + lovasz_softmax" => (new SoakLabelsLoss(), 4, true),
            _ => (new SoakFocalBoundaryLoss(), 1, false),
        };
        using var module = loss;

        var result = Soak.Run(text, module, classes, labels, Warmup, Steps);
        output.WriteLine(result.ToString());
        if (result.MallocGrowthMb >= AllowedGrowthMb || result.NativeGrowthMb >= AllowedGrowthMb)
        {
            result = Soak.Run(text, module, classes, labels, warmup: 0, Steps);
            output.WriteLine("measured again: " + result);
        }

        Assert.True(double.IsFinite(result.LastValue), $"{result}: the loss must stay finite");
        Assert.True(result.End.LiveTensors == result.Start.LiveTensors, $"{result}: every step must dispose every tensor it makes");
        Assert.True(result.MallocGrowthMb < AllowedGrowthMb, $"{result}: native memory in use grew by more than {AllowedGrowthMb} MB");
        Assert.True(result.NativeGrowthMb < AllowedGrowthMb, $"{result}: native resident memory grew by more than {AllowedGrowthMb} MB");
    }
}
