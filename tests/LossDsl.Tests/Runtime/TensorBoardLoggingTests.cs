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
}
