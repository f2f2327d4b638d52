using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Cases;

/// <summary>One benchmarked loss: its text, its task, and a factory for each implementation.</summary>
/// <param name="Name">The name in tables and charts (the loss text, with the task for multiclass ones).</param>
/// <param name="Text">The loss text.</param>
/// <param name="Target">A mask (binary, <see cref="BenchmarkShapes.Binary"/>) or labels (<see cref="BenchmarkShapes.Multiclass"/>).</param>
/// <param name="CreateGenerated">Creates the generated module.</param>
/// <param name="CreateHandWritten">Creates the hand-written baseline.</param>
public sealed record LossCase(
    string Name,
    string Text,
    LossTarget Target,
    Func<nn.Module<Tensor, Tensor, Tensor>> CreateGenerated,
    Func<nn.Module<Tensor, Tensor, Tensor>> CreateHandWritten)
{
    /// <summary>The options the run-time compiled module is compiled with: the generated class's signature.</summary>
    public LossOptions Options => Target == LossTarget.Labels
        ? new LossOptions { Target = LossTarget.Labels, Classes = BenchmarkShapes.MulticlassClasses, Name = Name }
        : new LossOptions { Name = Name };

    /// <summary>The benchmark shape of pred.</summary>
    public long[] Shape => Target == LossTarget.Labels ? BenchmarkShapes.Multiclass : BenchmarkShapes.Binary;

    /// <summary>
    /// A new module of the given implementation. LossDsl modules run with <see cref="LossModule.CheckValues"/> off:
    /// the hand-written baselines and PyTorch check nothing, so the comparison is of the loss itself (the checks cost
    /// one min-max reduction over pred and one over the target).
    /// </summary>
    public nn.Module<Tensor, Tensor, Tensor> Create(Implementation implementation)
    {
        var module = implementation switch
        {
            Implementation.Generated => CreateGenerated(),
            Implementation.Compiled => LossCompiler.Compile(Text, Options),
            Implementation.HandWritten => CreateHandWritten(),
            _ => throw new ArgumentOutOfRangeException(nameof(implementation), implementation, null),
        };
        if (module is LossModule loss)
        {
            loss.CheckValues = false;
        }

        return module;
    }

    /// <summary>
    /// Seeded inputs: logits ~ N(0, 2²) that require grad, and a random {0, 1} mask (30 % foreground) or random labels,
    /// not tracked by any dispose scope (the caller owns them).
    /// </summary>
    /// <param name="dtype">The floating dtype of pred (and of a mask).</param>
    /// <param name="shape">pred's shape; the benchmark shape when null.</param>
    /// <param name="seed">Random seed.</param>
    public (Tensor Pred, Tensor Target) CreateInputs(ScalarType dtype, long[]? shape = null, int seed = 0)
    {
        shape ??= Shape;
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var pred = (2 * randn(shape, dtype: ScalarType.Float64, generator: generator)).to_type(dtype).requires_grad_();
        var target = Target == LossTarget.Labels
            ? randint(0, shape[1], shape.Take(1).Concat(shape.Skip(2)).ToArray(), dtype: ScalarType.Int64, generator: generator)
            : rand(shape, dtype: ScalarType.Float64, generator: generator).lt(0.3).to_type(dtype);
        return (pred.DetachFromDisposeScope(), target.DetachFromDisposeScope());
    }
}
