using BasNetSegmentation.Data;
using BasNetSegmentation.Model;
using DataParallel;
using LossDsl;
using LossDsl.Mpi;
using ScottPlot;
using TorchSharp;
using static TorchSharp.torch;

// One training run three ways, from the same initial weights and the same batches: in one process on the whole batch;
// on every rank of the MPI run with half the batch each and the exact loss (LossModule.Group), parameter gradients
// summed across the ranks; and as data-parallel training without LossDsl's group does it, each rank's loss of its own
// shard and the gradients averaged. The first two curves match; the third is another loss.
using var session = MpiSession.Start(ref args);
var world = session.World;
var group = session.Group();
var output = Path.Combine("artifacts", "data-parallel");
const int Steps = 60, BatchSize = 8, Size = 32;
// One thread per process: the ranks share the machine's cores, and the single-process run uses what each rank uses.
set_num_threads(1);
using var data = ShapesDataset.Generate(count: 64, size: Size, seed: 5);

var single = new double[Steps];
if (world.Rank == 0)
{
    single = Train(data, part: (0, BatchSize), lossGroup: null, sumGradients: null);
}

world.Barrier();
var begin = BatchSize * world.Rank / world.Size;
var shard = (begin, BatchSize * (world.Rank + 1) / world.Size - begin);
var exact = Train(data, shard, lossGroup: group, sumGradients: grad => group.Sum(grad));
var naive = Train(data, shard, lossGroup: null, sumGradients: grad => group.Sum(grad) / world.Size);

if (world.Rank == 0)
{
    Directory.CreateDirectory(output);
    var exactGap = single.Zip(exact, (a, b) => Math.Abs(a - b)).Max();
    var naiveGap = single.Zip(naive, (a, b) => Math.Abs(a - b)).Max();
    Console.WriteLine($"{world.Size} ranks, {BatchSize} images of {Size}x{Size} per step ({BatchSize / world.Size} per rank), {Steps} steps of Adam");
    Console.WriteLine("step  one process  exact, ranks  shards alone");
    foreach (var step in new[] { 1, 10, 20, 30, 40, 50, 60 })
    {
        Console.WriteLine($"{step,4}  {single[step - 1],11:F6}  {exact[step - 1],12:F6}  {naive[step - 1],12:F6}");
    }

    Console.WriteLine($"largest difference from the one-process curve: exact {exactGap:E1}, shards alone {naiveGap:E1}");
    Plot(single, exact, naive, world.Size, Path.Combine(output, "loss-curves.png"));
}

return 0;

// The loss of every step of one run: the whole batch's (with a group, every rank's value is the whole batch's too;
// without one, the mean of the ranks' own losses, what data-parallel training without the group logs).
double[] Train(ShapesDataset dataset, (int Start, int Count) part, ILossGroup? lossGroup, Func<Tensor, Tensor>? sumGradients)
{
    manual_seed(0);
    // Per-image normalization: BatchNorm's batch statistics would be each shard's, another model on every rank.
    using var model = new UNet(baseChannels: 8, levels: 3, perImageNormalization: true);
    model.to(ScalarType.Float64);
    using var loss = new Hybrid { Group = lossGroup };
    var optimizer = optim.Adam(model.parameters(), lr: 0.01);
    var curve = new double[Steps];
    for (var step = 0; step < Steps; step++)
    {
        using var scope = NewDisposeScope();
        using var indices = arange(step * BatchSize, (step + 1) * BatchSize, dtype: ScalarType.Int64).remainder(dataset.Count);
        // float64: the ranks add their gradients in another order than one process does; in float32 that rounding (1e-7)
        // grows through the steps of Adam until the curves part, which would hide what the loss does.
        var (images, masks) = dataset.Batch(indices);
        images = images.to_type(ScalarType.Float64);
        masks = masks.to_type(ScalarType.Float64);
        optimizer.zero_grad();
        var value = loss.call(model.call(images.narrow(0, part.Start, part.Count)), masks.narrow(0, part.Start, part.Count));
        value.backward();
        if (sumGradients is not null)
        {
            // Each rank's gradient reaches the whole batch's loss through its own pixels only: summed, they are its gradient.
            foreach (var parameter in model.parameters())
            {
                parameter.grad!.copy_(sumGradients(parameter.grad!));
            }
        }

        optimizer.step();
        curve[step] = lossGroup is null && sumGradients is not null ? group.Sum(value.detach()).item<double>() / world.Size : value.item<double>();
    }

    return curve;
}

static void Plot(double[] single, double[] exact, double[] naive, int ranks, string path)
{
    var plot = new Plot();
    var steps = Enumerable.Range(1, single.Length).Select(s => (double)s).ToArray();
    foreach (var (values, label, color, width) in new[]
    {
        (single, "one process, whole batch", Colors.Black, 5f),
        (exact, $"{ranks} ranks, LossModule.Group (exact)", Colors.C1, 2f),
        (naive, $"{ranks} ranks, each its shard's loss, gradients averaged", Colors.C3, 2f),
    })
    {
        var curve = plot.Add.Scatter(steps, values, color);
        curve.LegendText = label;
        curve.LineWidth = width;
        curve.MarkerSize = 0;
    }

    plot.Title("bce + dice + iou (3 levels), training loss per step");
    plot.XLabel("step");
    plot.YLabel("loss");
    plot.ShowLegend(Edge.Bottom);
    plot.SavePng(path, 900, 520);
}
