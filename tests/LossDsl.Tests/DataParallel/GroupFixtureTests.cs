using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LossDsl.Tests.DataParallel;

/// <summary>
/// Every PyTorch fixture of two or more images on both engines, split into two shards on two ranks of a
/// <see cref="ThreadGroup"/> (<see cref="LossModule.Group"/>): each rank's loss value and terms equal the whole batch's,
/// and the ranks' gradients, put back together, equal the whole batch's gradient, in float64 to 1e-12. A term that no
/// sum across the group gives (topk, ohem, a Lovász term over the batch, cldice, bce with pos_weight: auto) throws on
/// every rank, naming itself, instead of returning a shard's number.
/// </summary>
public sealed class GroupFixtureTests(ITestOutputHelper output)
{
    private const double Tight = 1e-12;
    private const int Ranks = 2;

    public static TheoryData<string, LossEngine> Splittable()
    {
        var data = new TheoryData<string, LossEngine>();
        foreach (var fixture in Fixture.All.Where(f => f.PredShape[0] >= Ranks))
        {
            foreach (var engine in EngineLoss.All)
            {
                data.Add(fixture.Name, engine);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Splittable))]
    public void Shards_on_a_group_compute_the_whole_batch(string name, LossEngine engine)
    {
        var fixture = Fixture.All.Single(f => f.Name == name);
        output.WriteLine(fixture.Loss);
        var whole = Run(fixture, engine, 0, fixture.PredShape[0], group: null);
        var unavailable = LossCompiler.Plan(fixture.Loss, fixture.Options, out _).Terms
            .Where(t => t.AcrossGroup?.Method.Name == "Unavailable").Select(t => t.Name).ToList();

        var half = fixture.PredShape[0] / Ranks;
        using var group = new ThreadGroup(Ranks);
        if (unavailable.Count > 0)
        {
            var error = Assert.Throws<AggregateException>(() => group.Run((rank, member) => Run(fixture, engine, rank * half, rank == 0 ? half : fixture.PredShape[0] - half, member)));
            Assert.Equal(Ranks, error.InnerExceptions.Count);
            Assert.All(error.InnerExceptions, e => Assert.Contains(" cannot be computed across a data-parallel group: ", Assert.IsType<InvalidOperationException>(e).Message));
            Assert.All(error.InnerExceptions, e => Assert.Contains(unavailable, term => e.Message.StartsWith(term + " ", StringComparison.Ordinal)));
            return;
        }

        var shards = group.Run((rank, member) => Run(fixture, engine, rank * half, rank == 0 ? half : fixture.PredShape[0] - half, member));
        foreach (var (shard, rank) in shards.Select((s, r) => (s, r)))
        {
            Close(whole.Total, shard.Total, $"rank {rank}: total");
            Assert.Equal(whole.Terms.Keys, shard.Terms.Keys);
            foreach (var (term, value) in whole.Terms)
            {
                Close(value, shard.Terms[term], $"rank {rank}: term {term}");
            }
        }

        for (var level = 0; level < whole.Gradients.Length; level++)
        {
            var joined = shards.SelectMany(s => s.Gradients[level]).ToArray();
            Tolerance.CloseToLargest(whole.Gradients[level], joined, Tight, $"d total / d pred_{level}, the ranks' gradients joined");
        }

        Assert.All(group.Sent, sent => Assert.Equal(group.Sent[0], sent));
        output.WriteLine($"{group.Sent[0].Messages} sums, {group.Sent[0].Numbers} numbers sent per rank and call");
    }

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= Tight * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    private sealed record Result(double Total, Dictionary<string, double> Terms, double[][] Gradients);

    /// <summary>The loss of images [start, start + count) of the fixture: total, terms, and the gradient of every prediction level.</summary>
    private static Result Run(Fixture fixture, LossEngine engine, long start, long count, ILossGroup? group)
    {
        using var loss = EngineLoss.Create(fixture, engine);
        loss.Module.Group = group;
        using var scope = NewDisposeScope();
        var inputs = fixture.Inputs(fixture.PredTensor(ScalarType.Float64), ScalarType.Float64, fixture.SidePredTensors(ScalarType.Float64));
        var preds = inputs.Preds.Select(p => p.detach().narrow(0, start, count).clone().requires_grad_()).ToArray();
        var shard = new LossInputs(preds, inputs.Target.narrow(0, start, count))
        {
            PixelWeight = inputs.PixelWeight?.narrow(0, start, count),
            ValidMask = inputs.ValidMask?.narrow(0, start, count),
        };
        using var terms = loss.Terms(shard, false);
        terms.Total.backward();
        return new Result(terms.Total.ToDouble(), terms.Keys.ToDictionary(k => k, k => terms[k].ToDouble()), preds.Select(p => FixedInputs.ToArray(p.grad!)).ToArray());
    }
}
