using ScottPlot;
using Volumes;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// A tiny 3-D network on synthetic vessel volumes, trained with dice + cldice + hausdorff_dt (VesselLoss.cs); the curves
// go to the PNG named on the command line (images/volumes-curves.png by default).
var plotPath = args.Length > 0 ? args[0] : Path.Combine("images", "volumes-curves.png");
manual_seed(0);
var (images, masks) = SyntheticVessels.Create(count: 4, size: 20, seed: 0);
Console.WriteLine($"loss: {VesselLoss.Source}");
Console.WriteLine($"{images.shape[0]} volumes {images.shape[2]}x{images.shape[3]}x{images.shape[4]}, {100 * masks.mean().item<float>():F1}% vessel voxels");

var model = Sequential(
    Conv3d(1, 8, kernel_size: 3, padding: 1),
    ReLU(),
    Conv3d(8, 8, kernel_size: 3, padding: 1),
    ReLU(),
    Conv3d(8, 1, kernel_size: 1));
var loss = new VesselLoss();
var optimizer = optim.Adam(model.parameters(), lr: 0.02);

const int Steps = 40;
var curves = new List<(int Step, double Total, double Dice, double ClDice, double Hausdorff)>();
for (var step = 1; step <= Steps; step++)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    using var terms = loss.Terms(model.call(images), masks);
    terms.Total.backward();
    optimizer.step();

    curves.Add((step, terms.Total.item<float>(), terms.Dice.item<float>(), terms.Cldice.item<float>(), terms.HausdorffDt.item<float>()));
    if (step == 1 || step % 5 == 0)
    {
        var c = curves[^1];
        Console.WriteLine($"step {step,3}  total {c.Total:F4}  dice {c.Dice:F4}  cldice {c.ClDice:F4}  hausdorff_dt {c.Hausdorff:F4}");
    }
}

using (no_grad())
{
    using var predicted = model.call(images).gt(0);
    using var truth = masks.gt(0.5);
    var overlap = predicted.logical_and(truth).sum().item<long>();
    var dice = 2.0 * overlap / (predicted.sum().item<long>() + truth.sum().item<long>());
    Console.WriteLine($"hard Dice of the thresholded prediction on the training volumes: {dice:F3}");
}

var plot = new Plot();
var x = curves.Select(c => (double)c.Step).ToArray();
foreach (var (values, label, color) in new[]
{
    (curves.Select(c => c.Total).ToArray(), "total", Colors.Black),
    (curves.Select(c => c.Dice).ToArray(), "dice", Colors.C0),
    (curves.Select(c => c.ClDice).ToArray(), "cldice(iter: 2)", Colors.C1),
    (curves.Select(c => 0.01 * c.Hausdorff).ToArray(), "0.01 * hausdorff_dt", Colors.C2),
})
{
    var curve = plot.Add.Scatter(x, values, color);
    curve.LegendText = label;
    curve.MarkerSize = 0;
}

plot.Title("dice + cldice(iter: 2) + 0.01 * hausdorff_dt on 20³ synthetic vessel volumes");
plot.XLabel("step");
plot.YLabel("loss");
plot.ShowLegend(Edge.Bottom);
plot.SavePng(plotPath, 900, 560);
Console.WriteLine($"curves: {plotPath}");
