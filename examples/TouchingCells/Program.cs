using LossDsl;
using LossDsl.Maps;
using TouchingCells;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// The same small net trained twice on touching cells: with U-Net's weight map (cells.loss, WeightedCellLoss) and
// without (PlainCellLoss). The map makes the thin background between two cells count, so the weighted model
// separates them: the share of gap pixels it predicts as background is what to compare.
var (images, instances, gaps) = SyntheticCells.Create(count: 16, size: 32, seed: 0);
var mask = (instances > 0).unsqueeze(1).to_type(ScalarType.Float32);
var weights = UNetWeights.Compute(instances, w0: 10, sigma: 5).unsqueeze(1);
Console.WriteLine($"{images.shape[0]} images {images.shape[2]}x{images.shape[3]}, {instances.max().item<long>()} cells each, "
    + $"{100 * gaps.to_type(ScalarType.Float32).mean().item<float>():F1}% of pixels are gaps between touching cells");
Console.WriteLine($"U-Net weights: {weights.min().item<float>():F2} to {weights.max().item<float>():F2}, "
    + $"mean {weights.masked_select(gaps.unsqueeze(1)).mean().item<float>():F2} on the gaps");

var results = new[]
{
    Train("plain", new PlainCellLoss(), (loss, logits) => loss.call(new LossInputs(logits, mask))),
    Train("weighted", new WeightedCellLoss(), (loss, logits) => loss.call(new LossInputs(logits, mask) { PixelWeight = weights })),
};

foreach (var (name, gapRecall, iou) in results)
{
    Console.WriteLine($"{name,-8}  gap pixels predicted as background: {100 * gapRecall,5:F1}%   foreground IoU: {iou:F3}");
}

(string Name, double GapRecall, double Iou) Train(string name, LossModule loss, Func<LossModule, Tensor, Tensor> value)
{
    manual_seed(0);
    var model = Sequential(
        Conv2d(1, 16, kernel_size: 3, padding: 1), ReLU(),
        Conv2d(16, 16, kernel_size: 3, padding: 1), ReLU(),
        Conv2d(16, 1, kernel_size: 1));
    var optimizer = optim.Adam(model.parameters(), lr: 0.02);
    const int Steps = 150;
    for (var step = 1; step <= Steps; step++)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var total = value(loss, model.call(images));
        total.backward();
        optimizer.step();
        if (step == 1 || step % 50 == 0)
        {
            Console.WriteLine($"{name,-8}  step {step,3}  loss {total.item<float>():F4}");
        }
    }

    using var noGrad = no_grad();
    var predicted = model.call(images) > 0;
    var truth = mask > 0.5;
    var gapRecall = predicted.logical_not().masked_select(gaps.unsqueeze(1)).to_type(ScalarType.Float32).mean().item<float>();
    var iou = predicted.logical_and(truth).sum().item<long>() / (double)predicted.logical_or(truth).sum().item<long>();
    return (name, gapRecall, iou);
}
