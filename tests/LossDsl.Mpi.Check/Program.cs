using System;
using System.Globalization;
using System.Linq;
using LossDsl;
using LossDsl.Mpi;
using MPI;
using static TorchSharp.torch;

// Each rank of `mpiexec -n K` takes its share of the images of fixed float64 batches, computes the loss with
// MpiLossGroup, and compares its value with the whole batch's (computed in one process) and its gradient with its
// images' slice of the whole batch's gradient; rank 0 prints the largest errors over the ranks. With --no-group the
// ranks compute their shards alone, as data-parallel training without LossDsl's group does: the check must then fail.
// Exit code 0 when every difference is at most 1e-12, 1 otherwise.
const double Tolerance = 1e-12;
using var session = MpiSession.Start(ref args);
var useGroup = !args.Contains("--no-group");
var world = session.World;
var group = useGroup ? session.Group() : null;

var cases = new (string Name, LossModule Loss, Func<(Tensor Pred, Tensor Target)> Inputs)[]
{
    ("bce + dice + iou (generated)", new HybridLoss(), () => MaskBatch(8, 1)),
    ("ce + dice(per_image: false), ignore 255", LossCompiler.Compile("ce + dice(per_image: false)",
        new LossOptions { Target = LossTarget.Labels, Classes = 3, IgnoreIndex = 255 }), () => LabelBatch(8, 3, ignore: true)),
    ("generalized_dice", LossCompiler.Compile("generalized_dice", new LossOptions { Target = LossTarget.Labels, Classes = 3 }), () => LabelBatch(8, 3, ignore: false)),
};

var failed = false;
foreach (var (name, loss, inputs) in cases)
{
    using var scope = NewDisposeScope();
    var (pred, target) = inputs();
    var (wholeValue, wholeGradient) = Run(loss, pred, target, null);

    var images = pred.shape[0];
    var start = images * world.Rank / world.Size;
    var count = images * (world.Rank + 1) / world.Size - start;
    var (value, gradient) = Run(loss, pred.narrow(0, start, count), target.narrow(0, start, count), group);

    // This rank's gradient is its images' slice of the whole batch's: compared here, the largest error reduced to rank 0.
    var perImage = wholeGradient.Length / images;
    var shardError = gradient.Select((g, i) => Math.Abs(g - wholeGradient[start * perImage + i])).DefaultIfEmpty(0).Max();
    var valueError = world.Reduce(Math.Abs(value - wholeValue), Operation<double>.Max, 0);
    var gradientError = world.Reduce(shardError, Operation<double>.Max, 0);
    if (world.Rank == 0)
    {
        var gradientScale = wholeGradient.Max(Math.Abs);
        var ok = valueError <= Tolerance * Math.Max(1, Math.Abs(wholeValue)) && gradientError <= Tolerance * Math.Max(gradientScale, 1e-3);
        failed |= !ok;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(ok ? "ok  " : "FAIL")} {name}: {world.Size} ranks {(useGroup ? "with" : "without")} the group; whole batch {wholeValue:R}; value error {valueError:E2}; gradient error {gradientError:E2} (largest element {gradientScale:E2})"));
    }
}

var exitCode = failed ? 1 : 0;
world.Broadcast(ref exitCode, 0);
return exitCode;

// The value and d value / d pred of one call, on a copy of pred that records its gradient.
static (double Value, double[] Gradient) Run(LossModule loss, Tensor pred, Tensor target, ILossGroup? group)
{
    loss.Group = group;
    var leaf = pred.detach().clone().requires_grad_();
    var value = loss.call(leaf, target);
    value.backward();
    return (value.item<double>(), leaf.grad!.contiguous().data<double>().ToArray());
}

// Logits and a {0, 1} mask of images with a blob each, so that dice and iou are far from their extremes.
static (Tensor, Tensor) MaskBatch(long images, long channels)
{
    var generator = new TorchSharp.torch.Generator(17);
    var logits = randn(new[] { images, channels, 16L, 16L }, dtype: ScalarType.Float64, generator: generator) * 2;
    var mask = (rand(new[] { images, channels, 16L, 16L }, dtype: ScalarType.Float64, generator: generator) > 0.6).to_type(ScalarType.Float64);
    return (logits, mask);
}

// Logits of `classes` classes and labels; with `ignore`, about one pixel in eight labelled 255.
static (Tensor, Tensor) LabelBatch(long images, long classes, bool ignore)
{
    var generator = new TorchSharp.torch.Generator(29);
    var logits = randn(new[] { images, classes, 16L, 16L }, dtype: ScalarType.Float64, generator: generator) * 2;
    var labels = randint(0, classes, new[] { images, 16L, 16L }, dtype: ScalarType.Int64, generator: generator);
    if (ignore)
    {
        var left = rand(new[] { images, 16L, 16L }, dtype: ScalarType.Float64, generator: generator) < 0.125;
        labels = labels.masked_fill(left, 255);
    }

    return (logits, labels);
}

/// <summary>The generated engine: BASNet's region terms beside bce, computed across the ranks.</summary>
[Loss("bce + dice + iou")]
internal sealed partial class HybridLoss;
