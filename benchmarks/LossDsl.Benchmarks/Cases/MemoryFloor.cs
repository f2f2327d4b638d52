using static TorchSharp.torch;

namespace LossDsl.Benchmarks.Cases;

/// <summary>
/// The memory floor of a loss step (issue 18): one read of pred and of the target and one write of a tensor of pred's
/// size, the least data any implementation must move to return a gradient. Its forward multiplies the two in one pass
/// (labels broadcast over the classes) and keeps the product, its backward hands that product back as the gradient:
/// nothing else is read or written. Its value is 0; it is timed, not checked or trained. Every loss's time is also given
/// as a multiple of this one, measured the same way on the same inputs.
/// </summary>
public sealed class MemoryFloor : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>How tables name it.</summary>
    public const string Label = "Memory floor";

    public MemoryFloor()
        : base(nameof(MemoryFloor))
    {
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target) => FloorFunction.apply(pred, target);

    private sealed class FloorFunction : autograd.SingleTensorFunction<FloorFunction>
    {
        public override string Name => nameof(FloorFunction);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (pred, target) = ((Tensor)vars[0], (Tensor)vars[1]);
            using var noGrad = no_grad();
            using var broadcast = target.dim() == pred.dim() ? target.alias() : target.unsqueeze(1);
            ctx.save_for_backward(new List<Tensor> { pred.mul(broadcast) });
            return zeros(Array.Empty<long>(), pred.dtype, pred.device);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
            new() { ctx.get_saved_variables()[0], null! };
    }
}
