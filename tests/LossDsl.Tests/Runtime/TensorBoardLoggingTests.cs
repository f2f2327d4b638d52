using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary><c>writer.AddLossTerms</c> writes the values <c>Terms</c> returned, read back from the event file.</summary>
public sealed class TensorBoardLoggingTests
{
    [Fact]
    public void Every_term_is_one_series_under_the_loss_name_with_the_values_of_its_step()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lossdsl-tensorboard-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var loss = LossCompiler.Compile("bce + 0.5 * dice + dice(smooth: 0)", new LossOptions { Name = "OrganLoss" });
            var writer = utils.tensorboard.SummaryWriter(folder);
            var logged = new List<IReadOnlyList<KeyValuePair<string, double>>>();
            foreach (var (step, seed) in new[] { (3, 1), (7, 2) })
            {
                manual_seed(seed);
                using var terms = loss.Terms(randn(2, 1, 4, 4), (rand(2, 1, 4, 4) > 0.5).to_type(ScalarType.Float32));
                writer.AddLossTerms(loss, terms, step);
                logged.Add(terms.ToNumbers());
            }

            var scalars = TensorBoardEventFile.ReadScalars(Assert.Single(Directory.GetFiles(folder, "events.out.tfevents.*")));

            Assert.Equal(
                new[] { 3, 7 }.SelectMany(step => new[] { "total", "bce", "dice", "dice_2" }.Select(term => ("OrganLoss/" + term, (long)step))),
                scalars.Select(s => (s.Tag, s.Step)));
            Assert.Equal(logged.SelectMany(numbers => numbers.Select(n => (float)n.Value)), scalars.Select(s => s.Value));
            // Two different batches: the series are not one value repeated.
            Assert.NotEqual(scalars[0].Value, scalars[4].Value);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void With_unreduced_values_each_channel_of_a_region_term_is_a_series_of_its_own()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lossdsl-tensorboard-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var loss = LossCompiler.Compile("bce + dice + iou(per_image: true)", new LossOptions { Name = "CellLoss", Classes = 3 });
            var writer = utils.tensorboard.SummaryWriter(folder);
            manual_seed(5);
            using var terms = loss.Terms(new LossInputs(randn(2, 3, 4, 4), (rand(2, 3, 4, 4) > 0.5).to_type(ScalarType.Float32)), unreduced: true);
            writer.AddLossTerms(loss, terms, step: 2);

            var scalars = TensorBoardEventFile.ReadScalars(Assert.Single(Directory.GetFiles(folder, "events.out.tfevents.*")));

            // dice is [C] over the batch: one series per class; bce (per element) and iou (per image) add none.
            Assert.Equal(
                new[] { "total", "bce", "dice", "iou", "dice/channel0", "dice/channel1", "dice/channel2" }.Select(tag => "CellLoss/" + tag),
                scalars.Select(s => s.Tag));
            var dice = FixedInputsArray(terms.Unreduced["dice"]);
            Assert.Equal(dice.Select(v => (float)v), scalars.Skip(4).Select(s => s.Value));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static double[] FixedInputsArray(Tensor values) => Numerics.FixedInputs.ToArray(values.detach());
}
