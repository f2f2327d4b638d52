using LossDsl.Tests.Generator;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The two back ends a loss runs on, as Regex's tests enumerate its engines: the plan interpreted at run time
/// (<see cref="LossCompiler.Compile"/>) and the class the source generator writes (compiled in memory,
/// <see cref="GeneratedFixtureLosses"/>).
/// </summary>
public enum LossEngine
{
    Interpreted,
    Generated,
}

/// <summary>A fixture's loss on one engine: its <c>Terms</c>, and what to dispose afterwards.</summary>
public sealed class EngineLoss : IDisposable
{
    private EngineLoss(LossModule module, Func<LossInputs, bool, LossTerms> terms)
    {
        Module = module;
        Terms = terms;
    }

    public Func<LossInputs, bool, LossTerms> Terms { get; }

    /// <summary>The module itself, for its settings (<see cref="LossModule.Group"/>).</summary>
    public LossModule Module { get; }

    public static IReadOnlyList<LossEngine> All { get; } = Enum.GetValues<LossEngine>();

    public static EngineLoss Create(Fixture fixture, LossEngine engine)
    {
        if (engine == LossEngine.Interpreted)
        {
            var compiled = LossCompiler.Compile(fixture.Loss, fixture.Options);
            return new EngineLoss(compiled, compiled.Terms);
        }

        var generated = GeneratedFixtureLosses.Instance.Create(fixture);
        return new EngineLoss(generated.Module, generated.Terms);
    }

    public void Dispose() => Module.Dispose();
}
