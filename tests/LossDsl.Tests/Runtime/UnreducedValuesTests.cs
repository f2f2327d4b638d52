using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

[Loss("bce + ssim(3) + dice(per_image: true, weight: [1, 2, 1], include_background: true)", Classes = 3)]
public sealed partial class UnreducedMultilabelLoss;

/// <summary>
/// <c>Terms(inputs, unreduced: true)</c>: each term's values before its reduction, in the shapes LOSSES.md gives, from
/// the same pass, and reducing to the term itself. (Their values against PyTorch: every fixture, in FixtureTests.)
/// </summary>
public sealed class UnreducedValuesTests
{
    private static readonly long[] Shape = { 2, 3, 4, 5 };

    [Fact]
    public void Values_before_reduction_have_the_documented_shapes_and_reduce_to_each_term()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        using var loss = new UnreducedMultilabelLoss();

        using var terms = loss.Terms(new LossInputs(pred, target), unreduced: true);

        Assert.Equal(new[] { "bce", "ssim", "dice" }, terms.Unreduced.Keys);
        Assert.Equal(Shape, terms.Unreduced["bce"].shape);
        Assert.Equal(new long[] { 2, 3 }, terms.Unreduced["dice"].shape);
        Assert.Same(terms.Ssim, terms.Unreduced["ssim"]);
        Tolerance.Close(terms.Bce.ToDouble(), terms.Unreduced["bce"].mean().ToDouble(), 1e-12, "bce = mean of its elements");
        // dice's channel weights [1, 2, 1] are applied after: the unreduced values come before them.
        var perChannel = terms.Unreduced["dice"];
        var weighted = (perChannel * tensor(new[] { 1.0, 2, 1 })).sum(1) / 4;
        Tolerance.Close(terms.Dice.ToDouble(), weighted.mean().ToDouble(), 1e-12, "dice = weighted channel mean per image");
    }

    [Fact]
    public void Asking_for_them_changes_neither_the_total_nor_the_gradient_and_not_asking_leaves_them_out()
    {
        using var scope = NewDisposeScope();
        var (pred, target) = Inputs();
        using var loss = LossCompiler.Compile("focal + iou(per_image: true) + mcc", new LossOptions { Classes = 3 });

        using var plain = loss.Terms(new LossInputs(pred, target));
        plain.Total.backward();
        var gradient = FixedInputs.ToArray(pred.grad!);
        pred.grad!.zero_();
        using var withUnreduced = loss.Terms(new LossInputs(pred, target), unreduced: true);
        withUnreduced.Total.backward();

        Assert.Empty(plain.Unreduced);
        Assert.Equal(new[] { "focal", "iou", "mcc" }, withUnreduced.Unreduced.Keys);
        Assert.Equal(plain.Total.ToDouble(), withUnreduced.Total.ToDouble());
        Assert.Equal(gradient, FixedInputs.ToArray(pred.grad!));
        Assert.Equal(new long[] { 2, 3 }, withUnreduced.Unreduced["iou"].shape);
        Assert.Equal(new long[] { 3 }, withUnreduced.Unreduced["mcc"].shape);
    }

    private static (Tensor Pred, Tensor Target) Inputs()
    {
        var count = (int)Shape.Aggregate(1L, (a, b) => a * b);
        var pred = FixedInputs.ToTensor(Enumerable.Range(0, count).Select(i => 2 * Math.Sin(0.7 * i)).ToArray(), Shape, ScalarType.Float64, requiresGrad: true);
        var target = FixedInputs.ToTensor(Enumerable.Range(0, count).Select(i => (i * 7) % 5 < 2 ? 1.0 : 0.0).ToArray(), Shape, ScalarType.Float64);
        return (pred, target);
    }
}
