using Multiclass;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

// A few steps of a tiny segmenter on synthetic scenes, with a loss declared by an attribute (SceneLoss.cs).
manual_seed(0);
var (images, labels) = SyntheticScenes.Create(count: 8, size: 32, seed: 0);
var labelled = labels != SyntheticScenes.Void;
Console.WriteLine($"loss: {SceneLoss.Source}");
Console.WriteLine($"{images.shape[0]} images {images.shape[2]}x{images.shape[3]}, {100 * (1 - labelled.to_type(ScalarType.Float32).mean().item<float>()):F1}% of pixels void (255)");

var model = Sequential(
    Conv2d(1, 16, kernel_size: 3, padding: 1),
    ReLU(),
    Conv2d(16, SyntheticScenes.Classes, kernel_size: 1));
var loss = new SceneLoss();
var optimizer = optim.Adam(model.parameters(), lr: 0.05);

const int Steps = 60;
for (var step = 1; step <= Steps; step++)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();

    // Terms gives the total to train on and each term by name, as generated properties.
    using var terms = loss.Terms(model.call(images), labels);
    terms.Total.backward();
    optimizer.step();

    if (step == 1 || step % 10 == 0)
    {
        Console.WriteLine($"step {step,3}  total {terms.Total.item<float>():F4}  ce {terms.Ce.item<float>():F4}  dice {terms.Dice.item<float>():F4}");
    }
}

using (no_grad())
{
    var predicted = model.call(images).argmax(1);
    var accuracy = (predicted == labels).logical_and(labelled).sum().item<long>() / (double)labelled.sum().item<long>();
    Console.WriteLine($"pixel accuracy on the labelled pixels of the training images: {100 * accuracy:F1}%");
}
