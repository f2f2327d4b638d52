using static TorchSharp.torch;

namespace LossDsl;

/// <summary>
/// What every LossDsl loss is, generated or compiled at run time: a TorchSharp module from (pred, target) to a scalar,
/// with the input checks a training loop wants by default.
/// </summary>
public abstract class LossModule : nn.Module<Tensor, Tensor, Tensor>
{
    /// <summary>Creates the module with the loss's name.</summary>
    protected LossModule(string name)
        : base(name)
    {
    }

    /// <summary>
    /// Check values on every call (default true): pred must be finite (no NaN or infinity), a mask target must lie in
    /// [0, 1]. Each check is one more pass over the data and a device sync; turn them off for speed once the inputs are
    /// known to be sound. Shapes, dtypes, class counts, label ranges and devices are always checked.
    /// </summary>
    public bool CheckValues { get; set; } = true;
}
