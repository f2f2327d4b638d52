using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Cases;

/// <summary>
/// A case's loss compiled with deep supervision (docs/language.md, "Deep supervision"), called with pred and two side
/// outputs made from it by average pooling (half and a quarter of each spatial size, as a decoder's lower levels), as
/// a module of pred and target: what the side outputs cost under a resize policy next to the same loss on pred alone.
/// The pooling is part of the step, so the gradient reaches pred through every level.
/// </summary>
public sealed class WithSideOutputs : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly CompiledLoss loss;

    public WithSideOutputs(LossCase lossCase, LossResize resize)
        : base($"{lossCase.Name} (3 levels, resize {resize})")
    {
        loss = LossCompiler.Compile(lossCase.Text, lossCase.Options with { Levels = new LossLevels(3) { Resize = resize } });
        loss.CheckValues = false;
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var half = nn.functional.avg_pool2d(pred, 2);
        using var quarter = nn.functional.avg_pool2d(pred, 4);
        return loss.call(new LossInputs([pred, half, quarter], target));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            loss.Dispose();
        }

        base.Dispose(disposing);
    }
}
