using CsCheck;

namespace LossDsl.Tests.Properties;

/// <summary>
/// Runs a CsCheck property reproducibly. CsCheck's <c>seed</c> fixes only the first sample (the rest come from a
/// clock-seeded generator), so each sample here gets its own seed from a fixed sequence: CI sees the same inputs every
/// run. When one fails, CsCheck carries on from that seed for a few seconds to shrink it, then reports the smallest
/// failing input and its seed; <c>CsCheck_Seed=&lt;seed&gt; dotnet test --filter ...</c> replays exactly that input.
/// <c>LOSSDSL_PROPERTY_SCALE=50</c> runs 50 times the samples (the CI ones first), for a long hunt on a spare machine.
/// </summary>
public static class PropertyRun
{
    /// <summary>How long to look for a smaller failing input once one is found.</summary>
    private const int ShrinkSeconds = 10;

    private static int Scale => int.TryParse(Environment.GetEnvironmentVariable("LOSSDSL_PROPERTY_SCALE"), out var scale) && scale > 0 ? scale : 1;

    /// <param name="gen">Generates the inputs.</param>
    /// <param name="property">Throws when the property does not hold.</param>
    /// <param name="iterations">How many samples.</param>
    /// <param name="seed">The base of the seed sequence; one per property, so properties do not share inputs.</param>
    /// <param name="print">Shows an input in the failure message.</param>
    public static void ForAll<T>(Gen<T> gen, Action<T> property, int iterations, ulong seed, Func<T, string> print)
    {
        if (Check.Seed is { } replay)
        {
            gen.Sample(property, seed: replay, iter: 1, threads: 1, print: print);
            return;
        }

        for (var i = 0u; i < iterations * Scale; i++)
        {
            var sampleSeed = new PCG(i, seed).ToString();
            try
            {
                gen.Sample(property, seed: sampleSeed, iter: 1, threads: 1, print: print);
            }
            catch (CsCheckException)
            {
                // Starts from the failing seed, then keeps only smaller failing inputs: throws the smallest it found.
                gen.Sample(property, seed: sampleSeed, time: ShrinkSeconds, threads: 1, print: print);
                throw;
            }
        }
    }
}
