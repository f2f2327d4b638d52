using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Cases;

/// <summary>
/// A case's loss compiled with a pixel weight map and a valid mask (docs/language.md, "Pixel weight maps and valid
/// masks"), called with fixed maps of the case's shape, as a module of pred and target: what the per-pixel inputs cost
/// next to the same loss without them. Weights in [0.5, 2), about a tenth of the pixels left out.
/// </summary>
public sealed class WithPixelMaps : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly CompiledLoss loss;
    private readonly Tensor weights;
    private readonly Tensor valid;

    public WithPixelMaps(LossCase lossCase)
        : base(lossCase.Name + " (weight map, valid mask)")
    {
        loss = LossCompiler.Compile(lossCase.Text, lossCase.Options with { PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel });
        loss.CheckValues = false;
        var shape = lossCase.Shape;
        var mapShape = lossCase.Target == LossTarget.Labels ? shape.Take(1).Concat(shape.Skip(2)).ToArray() : shape.Take(1).Append(1L).Concat(shape.Skip(2)).ToArray();
        var generator = new TorchSharp.torch.Generator(7);
        weights = (0.5 + (1.5 * rand(mapShape, generator: generator))).DetachFromDisposeScope();
        valid = rand(mapShape, generator: generator).ge(0.1).to_type(ScalarType.Float32).DetachFromDisposeScope();
    }

    /// <summary>
    /// Whether the case's loss takes a weight map and a valid mask (terms with spatial filters, ssim and boundary, reject
    /// a valid mask; Lovász rejects a weight map): the cases <c>--maps</c> measures when none are named.
    /// </summary>
    public static bool Accepts(LossCase lossCase)
    {
        try
        {
            LossCompiler.Compile(lossCase.Text, lossCase.Options with { PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel }).Dispose();
            return true;
        }
        catch (LossCompileException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target) =>
        loss.call(new LossInputs(pred, target) { PixelWeight = weights.to_type(pred.dtype), ValidMask = valid.to_type(pred.dtype) });

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            loss.Dispose();
            weights.Dispose();
            valid.Dispose();
        }

        base.Dispose(disposing);
    }
}
