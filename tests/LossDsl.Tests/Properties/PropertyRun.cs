using CsCheck;
using Xunit.Sdk;

namespace LossDsl.Tests.Properties;

/// <summary>
/// Runs a CsCheck property on fresh inputs every run, reproducibly. CsCheck's <c>seed</c> fixes only the first sample
/// (the rest come from a clock-seeded generator), so each sample here gets its own seed, from a sequence that starts at
/// the run's seed (<see cref="RunSeed"/>, new each test run) mixed with the property's own. When a sample fails, CsCheck
/// carries on from its seed for a few seconds to shrink it, then reports the smallest failing input and its seed; the
/// message also names the run's seed. <c>CsCheck_Seed=&lt;seed&gt; dotnet test --filter ...</c> replays exactly that
/// input, <c>LOSSDSL_PROPERTY_SEED=&lt;run seed&gt;</c> repeats the whole run, and a shrunk input worth keeping becomes a
/// case of <see cref="Counterexamples"/>. <c>LOSSDSL_PROPERTY_SCALE=50</c> runs 50 times the samples, for a long hunt
/// on a spare machine.
/// </summary>
public static class PropertyRun
{
    public const string RunSeedVariable = "LOSSDSL_PROPERTY_SEED";

    /// <summary>How long to look for a smaller failing input once one is found.</summary>
    private const int ShrinkSeconds = 10;

    /// <summary>This test run's seed: <see cref="RunSeedVariable"/> when set, else drawn once per process.</summary>
    public static ulong RunSeed { get; } = ulong.TryParse(Environment.GetEnvironmentVariable(RunSeedVariable), out var seed)
        ? seed
        : (ulong)Random.Shared.NextInt64();

    private static int Scale => int.TryParse(Environment.GetEnvironmentVariable("LOSSDSL_PROPERTY_SCALE"), out var scale) && scale > 0 ? scale : 1;

    /// <param name="gen">Generates the inputs.</param>
    /// <param name="property">Throws when the property does not hold.</param>
    /// <param name="iterations">How many samples.</param>
    /// <param name="seed">The property's own seed, mixed with the run's, so properties do not share inputs.</param>
    /// <param name="print">Shows an input in the failure message.</param>
    public static void ForAll<T>(Gen<T> gen, Action<T> property, int iterations, ulong seed, Func<T, string> print)
    {
        if (Check.Seed is { } replay)
        {
            gen.Sample(property, seed: replay, iter: 1, threads: 1, print: print);
            return;
        }

        foreach (var sampleSeed in SampleSeeds(RunSeed, seed, iterations * Scale))
        {
            try
            {
                gen.Sample(property, seed: sampleSeed, iter: 1, threads: 1, print: print);
            }
            catch (CsCheckException)
            {
                // Starts from the failing seed, then keeps only smaller failing inputs: throws the smallest it found.
                try
                {
                    gen.Sample(property, seed: sampleSeed, time: ShrinkSeconds, threads: 1, print: print);
                }
                catch (CsCheckException shrunk)
                {
                    throw new XunitException($"{shrunk.Message}\n(run seed {RunSeed}: {RunSeedVariable}={RunSeed} repeats this run)", shrunk);
                }

                throw;
            }
        }
    }

    /// <summary>The seeds of one property's samples in one run: a function of the run's seed and the property's only.</summary>
    public static IEnumerable<string> SampleSeeds(ulong runSeed, ulong propertySeed, int count)
    {
        var stream = unchecked(propertySeed * 0x9E3779B97F4A7C15UL) ^ runSeed;
        for (var i = 0u; i < count; i++)
        {
            yield return new PCG(i, stream).ToString();
        }
    }
}
