namespace LossDsl.Tests.Numerics;

/// <summary>Deterministic class labels for tests that need a labels target (no random generator involved).</summary>
public static class FixedLabels
{
    /// <summary>
    /// <c>count</c> labels cycling irregularly through [0, classes); with <paramref name="ignore"/>, every
    /// <paramref name="ignoreEvery"/>-th pixel (starting at the third) carries it instead.
    /// </summary>
    public static int[] Create(int count, int classes, int? ignore = null, int ignoreEvery = 5) =>
        Enumerable.Range(0, count)
            .Select(i => ignore is { } label && i % ignoreEvery == 2 ? label : ((i * 5) + (i / 7)) % classes)
            .ToArray();

    public static double[] AsDoubles(int[] labels) => labels.Select(l => (double)l).ToArray();
}
