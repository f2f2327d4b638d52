using System.Collections.Generic;
using System.Linq;
using LossDsl.Interpretation;
using LossDsl.Language.Plan;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// A loss compiled at run time by <see cref="LossCompiler"/>: a TorchSharp module like a generated one, with the same
/// <c>forward</c> and <see cref="Terms"/>.
/// </summary>
public sealed class CompiledLoss : LossModule
{
    private readonly PlanInterpreter interpreter;
    private readonly string[] bufferNames;

    internal CompiledLoss(LossPlan plan, IReadOnlyList<LossDiagnosticInfo> warnings)
        : base(plan.Name)
    {
        interpreter = new PlanInterpreter(plan);
        bufferNames = plan.Buffers.Select(b => b.Local).ToArray();
        Source = plan.Text;
        TermNames = plan.Terms.Select(t => t.Name).ToArray();
        Warnings = warnings;

        // The same buffers, under the same names, as a generated module's tensor fields: built once, moved by module.to.
        foreach (var (name, buffer) in bufferNames.Zip(interpreter.CreateBuffers()))
        {
            register_buffer(name, buffer);
        }

        RegisterComponents();
    }

    /// <summary>The loss text.</summary>
    public string Source { get; }

    /// <summary>Term names in the order <see cref="Terms"/> lists them.</summary>
    public IReadOnlyList<string> TermNames { get; }

    /// <summary>Warnings the text compiled with.</summary>
    public IReadOnlyList<LossDiagnosticInfo> Warnings { get; }

    /// <summary>The loss value, a scalar tensor.</summary>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        return interpreter.Evaluate(pred, target, Buffers(), this).Total.MoveToOuterDisposeScope();
    }

    /// <summary>The total and every term's value by name. Dispose it when done.</summary>
    public LossTerms Terms(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        return interpreter.Evaluate(pred, target, Buffers(), this).MoveToOuterDisposeScope();
    }

    // Looked up per call: module.to replaces a buffer's tensor in the registry (a generated module's field is updated too).
    private Tensor[] Buffers() => bufferNames.Select(name => get_buffer(name)!).ToArray();
}
