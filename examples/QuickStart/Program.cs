using LossDsl;
using TorchSharp;
using static TorchSharp.torch;

// A BCE + IoU loss for logits against a binary mask, checked and generated at compile time.
var loss = new SimpleLoss();

manual_seed(0);
var logits = randn(2, 1, 8, 8, requires_grad: true);
var mask = (rand(2, 1, 8, 8) > 0.5).to_type(ScalarType.Float32);

var value = loss.call(logits, mask);
value.backward();
Console.WriteLine($"loss  = {value.item<float>():F6}");

using var terms = loss.Terms(logits, mask);
foreach (var (name, term) in terms)
{
    Console.WriteLine($"{name,-5} = {term.item<float>():F6}");
}

Console.WriteLine($"|grad| = {logits.grad!.norm().item<float>():F6}");

[Loss("bce + iou")]
public sealed partial class SimpleLoss;
