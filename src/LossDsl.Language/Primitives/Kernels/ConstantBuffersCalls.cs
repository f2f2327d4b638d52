using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>
/// The calls a plan makes to <c>LossDsl.Kernels.ConstantBuffers</c>: built once when the module is constructed, so
/// nothing per forward pass (see <see cref="InputsCalls"/>).
/// </summary>
internal static class ConstantBuffersCalls
{
    private const string Type = "ConstantBuffers";

    /// <summary>A window-sized vector.</summary>
    public static KernelCall GaussianWindow(int size, double sigma) =>
        KernelCall.Create(Type, nameof(GaussianWindow), KernelCall.Fixed(0), Constant(nameof(size), size), Constant(nameof(sigma), sigma));

    /// <summary>One weight per class.</summary>
    public static KernelCall ClassWeights(double[] values) =>
        KernelCall.Create(Type, nameof(ClassWeights), KernelCall.Fixed(0), Constant(nameof(values), values));

    /// <summary>The plan's buffer of these class weights: one per loss for equal weights, whichever term asks.</summary>
    public static LocalValue ClassWeightBuffer(IPlanInputs inputs, System.Collections.Generic.IEnumerable<double> values) =>
        inputs.Buffer("classWeights", ClassWeights(System.Linq.Enumerable.ToArray(values)));
}
