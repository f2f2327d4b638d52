using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Cases;

/// <summary>One measured module: a case, a label for tables ("Generated", "HandWritten", an optimisation's name), a factory.</summary>
public sealed record LossVariant(LossCase Case, string Label, Func<nn.Module<Tensor, Tensor, Tensor>> Create)
{
    /// <summary>Whether it computes the case's loss (checked against the generated module); the memory floor does not.</summary>
    public bool ComputesTheLoss { get; init; } = true;

    /// <summary>Every case's generated, run-time compiled and hand-written modules.</summary>
    public static IEnumerable<LossVariant> Standard(IEnumerable<LossCase> cases) =>
        cases.SelectMany(c => Enum.GetValues<Implementation>().Select(i => new LossVariant(c, i.ToString(), () => c.Create(i))));

    /// <summary>How BenchmarkDotNet shows the parameter.</summary>
    public override string ToString() => $"{Case.Name} | {Label}";
}
