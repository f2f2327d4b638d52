using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary>Kervadec et al.'s schedule, <c>(1 − a)·dice + a·boundary_dist</c>, with a as a run-time scalar input.</summary>
[Loss("(1 - a) * dice + a * boundary_dist", Scalars = new[] { "a" })]
public sealed partial class ScheduledBoundaryLoss;

/// <summary>
/// Run-time scalar inputs (<c>a: scalar</c>): the same numbers as the loss with the value written in, in every engine
/// and from every way of declaring them; a value set between calls takes effect; unset or undeclared names are errors.
/// </summary>
public sealed class ScalarInputTests
{
    private static readonly long[] Shape = { 2, 1, 5, 6 };

    public static TheoryData<string> Engines() => new() { "generated", "compiled", "loss file" };

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_scalar_is_the_number_it_was_set_to(string engine)
    {
        var (x, t) = FixedInputs.Binary(2, 1, 5, 6);
        using var scheduled = Scheduled(engine);
        foreach (var a in new[] { 0.01, 0.3, 1.0 })
        {
            scheduled.Scalars["a"] = a;
            using var written = LossCompiler.Compile(FormattableString.Invariant($"{1 - a} * dice + {a} * boundary_dist"));

            var (value, gradient) = LossRun.ValueAndGradient(scheduled, x, t, Shape);
            var (expected, expectedGradient) = LossRun.ValueAndGradient(written, x, t, Shape);

            Tolerance.Close(expected, value, Tolerance.Float64, $"a = {a}");
            Tolerance.Gradient(expectedGradient, gradient, ScalarType.Float64, $"d / dx at a = {a}");
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void An_unset_scalar_is_an_error_before_anything_runs(string engine)
    {
        using var scheduled = Scheduled(engine);
        using var pred = zeros(2, 1, 5, 6);
        using var target = zeros(2, 1, 5, 6);

        var error = Assert.Throws<InvalidOperationException>(() => scheduled.call(pred, target));
        Assert.EndsWith("the loss declares the scalar input 'a'; set it before calling it: loss.Scalars[\"a\"] = ...", error.Message);
        Assert.False(scheduled.Scalars.IsSet("a"));
    }

    [Fact]
    public void Only_declared_scalars_take_finite_values()
    {
        using var scheduled = new ScheduledBoundaryLoss();
        Assert.Equal(new[] { "a" }, scheduled.Scalars.Names);

        var unknown = Assert.Throws<ArgumentException>(() => scheduled.Scalars["b"] = 1);
        Assert.StartsWith("ScheduledBoundaryLoss: the loss declares no scalar input 'b'; it declares 'a'", unknown.Message);
        var infinite = Assert.Throws<ArgumentOutOfRangeException>(() => scheduled.Scalars["a"] = double.PositiveInfinity);
        Assert.StartsWith("ScheduledBoundaryLoss: the scalar input 'a' must be a finite number.", infinite.Message);
        using var none = LossCompiler.Compile("dice");
        var undeclared = Assert.Throws<ArgumentException>(() => none.Scalars["a"] = 0.5);
        Assert.StartsWith("loss: the loss declares no scalar input, so it has no 'a'; declare it", undeclared.Message);
    }

    [Fact]
    public void A_scalar_weighs_every_level_of_a_deep_supervised_loss()
    {
        var (x, t) = FixedInputs.Binary(1, 1, 4, 4);
        using var deep = LossCompiler.CompileFile("loss D(pred: logits[N, 1, H, W] levels 2, target: mask[N, 1, H, W], w: scalar) = bce + w * dice;")["D"];
        using var written = LossCompiler.CompileFile("loss D(pred: logits[N, 1, H, W] levels 2, target: mask[N, 1, H, W]) = bce + 0.25 * dice;")["D"];
        deep.Scalars["w"] = 0.25;
        using var scope = NewDisposeScope();
        var pred = FixedInputs.ToTensor(x, new long[] { 1, 1, 4, 4 }, ScalarType.Float64);
        var side = nn.functional.avg_pool2d(pred, 2);
        var target = FixedInputs.ToTensor(t, new long[] { 1, 1, 4, 4 }, ScalarType.Float64);
        var inputs = new LossInputs(new[] { pred, side }, target);

        Tolerance.Close(written.call(inputs).ToDouble(), deep.call(inputs).ToDouble(), Tolerance.Float64, "two levels, w = 0.25");
    }

    private static LossModule Scheduled(string engine) => engine switch
    {
        "generated" => new ScheduledBoundaryLoss(),
        "compiled" => LossCompiler.Compile("(1 - a) * dice + a * boundary_dist", new LossOptions { Scalars = new[] { "a" } }),
        _ => LossCompiler.CompileFile("loss Scheduled(pred: logits[N, 1, H, W], target: mask[N, 1, H, W], a: scalar) = (1 - a) * dice + a * boundary_dist;")["Scheduled"],
    };
}
