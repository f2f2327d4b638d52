using System.Collections.Generic;
using System.Linq;
using LossDsl.Interpretation;
using LossDsl.Language.Plan;
using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// A loss compiled at run time by <see cref="LossCompiler"/>: a TorchSharp module like a generated one, with the same
/// <c>forward</c> and <c>Terms</c>.
/// </summary>
public sealed class CompiledLoss : LossModule<LossTerms>
{
    private readonly PlanInterpreter interpreter;
    private readonly string[] bufferNames;

    internal CompiledLoss(LossPlan plan, IReadOnlyList<LossDiagnosticInfo> warnings)
        : base(plan.Name, plan.Signature.PixelWeight.ToPublic(), plan.Signature.Valid.ToPublic(), LossLevels.FromSignature(plan.Signature.Levels), plan.Signature.Scalars)
    {
        interpreter = new PlanInterpreter(plan);
        bufferNames = plan.Buffers.Select(b => b.Local).ToArray();
        Name = plan.Name;
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

    /// <summary>The loss's name.</summary>
    public string Name { get; }

    /// <summary>The loss text.</summary>
    public string Source { get; }

    /// <summary>Term names in the order <c>Terms</c> lists them.</summary>
    public IReadOnlyList<string> TermNames { get; }

    /// <summary>Warnings the text compiled with.</summary>
    public IReadOnlyList<LossDiagnosticInfo> Warnings { get; }

    /// <inheritdoc/>
    protected override LossTerms Evaluate(LossInputs inputs, bool unreduced) => Levels is null
        ? EvaluateLevel(inputs, unreduced)
        : DeepSupervision.Evaluate(Name, inputs, Levels, EvaluateLevel, unreduced);

    private LossTerms EvaluateLevel(LossInputs inputs, bool unreduced) => interpreter.Evaluate(inputs, Buffers(), this, unreduced);

    /// <inheritdoc/>
    protected override Tensor? EvaluateTotal(LossInputs inputs) => interpreter.EvaluateTotal(inputs, Buffers(), this);

    // Looked up per call: module.to replaces a buffer's tensor in the registry (a generated module's field is updated too).
    private Tensor[] Buffers() => bufferNames.Select(name => get_buffer(name)!).ToArray();
}
