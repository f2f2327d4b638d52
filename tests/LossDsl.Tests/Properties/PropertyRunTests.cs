namespace LossDsl.Tests.Properties;

/// <summary>The seeds property tests draw: the same for one run, fresh for the next, distinct between properties.</summary>
public sealed class PropertyRunTests
{
    [Fact]
    public void A_run_seed_repeats_its_samples_and_another_run_seed_draws_other_ones()
    {
        var first = PropertyRun.SampleSeeds(runSeed: 12345, propertySeed: 7001, count: 20).ToList();

        Assert.Equal(first, PropertyRun.SampleSeeds(12345, 7001, 20));
        Assert.Equal(20, first.Distinct().Count());
        Assert.Empty(first.Intersect(PropertyRun.SampleSeeds(12346, 7001, 20)));
        Assert.Empty(first.Intersect(PropertyRun.SampleSeeds(12345, 7002, 20)));
    }
}
