using System.Linq;
using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>
/// The calls a plan makes to <c>LossDsl.Kernels.RegionTerm</c>: the closed form of an overlap term, which a statistics
/// node evaluates beside its sums (<see cref="RegionStatisticsCalls"/>' <c>regionTerms</c>). Each is made by the term's
/// own call (<see cref="RegionLossesCalls"/>, <see cref="KernelCall.RegionTerm"/>) with its constants; no pass over the
/// data.
/// </summary>
internal static class RegionTermCalls
{
    private const string Type = "RegionTerm";

    /// <summary>The kernel type these calls make, as an array of them is declared.</summary>
    public const string ElementType = Type;

    public static KernelCall Dice(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, LocalValue? weight, bool includeBackground) =>
        KernelCall.Create(Type, nameof(Dice), KernelCall.Fixed(0), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground));

    public static KernelCall Iou(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, LocalValue? weight, bool includeBackground) =>
        KernelCall.Create(Type, nameof(Iou), KernelCall.Fixed(0), Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground));

    public static KernelCall Tversky(double alpha, double beta, double gamma, double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, LocalValue? weight,
        bool includeBackground) =>
        KernelCall.Create(Type, nameof(Tversky), KernelCall.Fixed(0),
            new[] { Constant(nameof(alpha), alpha), Constant(nameof(beta), beta), Constant(nameof(gamma), gamma) }
                .Concat(Form(smoothNumerator, smoothDenominator, log, zeroWhenEmpty, weight, includeBackground)).ToArray());

    private static KernelArgument[] Form(double smoothNumerator, double smoothDenominator, bool log, bool zeroWhenEmpty, LocalValue? weight, bool includeBackground) =>
        new[]
        {
            Constant(nameof(smoothNumerator), smoothNumerator), Constant(nameof(smoothDenominator), smoothDenominator), Constant(nameof(log), log),
            Constant(nameof(zeroWhenEmpty), zeroWhenEmpty), Optional(nameof(weight), weight), Constant(nameof(includeBackground), includeBackground),
        };
}
