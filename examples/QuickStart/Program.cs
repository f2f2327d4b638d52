using LossDsl;
using TorchSharp;
using static TorchSharp.torch;

// Two ways to declare a loss, both checked and generated at compile time:
// an attribute on a partial class (below), or a definition in a .loss file (segmentation.loss).
manual_seed(0);
var logits = randn(2, 1, 8, 8, requires_grad: true);
var mask = (rand(2, 1, 8, 8) > 0.5).to_type(ScalarType.Float32);

var loss = new SimpleLoss();
var value = loss.call(logits, mask);
value.backward();
Console.WriteLine($"{SimpleLoss.Source}: {value.item<float>():F6}, |grad| = {logits.grad!.norm().item<float>():F6}");

using (var terms = loss.Terms(logits, mask))
{
    foreach (var (name, term) in terms)
    {
        Console.WriteLine($"  {name,-6} = {term.item<float>():F6}");
    }
}

// From segmentation.loss: Weighted uses BasNet's terms plus its own.
using (var terms = new QuickStart.Weighted().Terms(logits, mask))
{
    Console.WriteLine($"Weighted (segmentation.loss): {terms}");
}

[Loss("bce + iou")]
public sealed partial class SimpleLoss;
