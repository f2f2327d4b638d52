namespace LossDsl.Benchmarks.Cases;

/// <summary>The input shapes of issue 8: binary masks 8 x 1 x 256 x 256, multiclass labels 4 x 5 x 128 x 128.</summary>
public static class BenchmarkShapes
{
    /// <summary>Classes of the multiclass cases.</summary>
    public const int MulticlassClasses = 5;

    /// <summary>pred shape of the binary (mask) cases.</summary>
    public static readonly long[] Binary = { 8, 1, 256, 256 };

    /// <summary>pred shape of the multiclass (labels) cases.</summary>
    public static readonly long[] Multiclass = { 4, MulticlassClasses, 128, 128 };
}
