namespace LossDsl.Kernels.Cpu;

/// <summary>
/// Whether a statistics pass's forward loop adds the value checks' sums (<see cref="SigmoidStatisticsPass.ValueChecks"/>,
/// <see cref="SoftmaxStatisticsPass.Forward"/>'s <c>checkValues</c>). A type, so that the loop without them is compiled
/// with none of their operations.
/// </summary>
internal interface IValueCheck
{
    static abstract bool Present { get; }
}

/// <summary>The loop adds the value checks' sums.</summary>
internal readonly struct Checked : IValueCheck
{
    public static bool Present => true;
}

/// <summary>The loop has no value checks.</summary>
internal readonly struct Unchecked : IValueCheck
{
    public static bool Present => false;
}
