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

/// <summary>
/// A loss whose <see cref="Terms"/> returns <typeparamref name="TTerms"/>: generated losses return their own
/// <c>TermValues</c>, with a property per term; run-time compiled losses return <see cref="LossTerms"/>.
/// </summary>
/// <typeparam name="TTerms">The set of term values <see cref="Evaluate"/> produces.</typeparam>
public abstract class LossModule<TTerms> : LossModule
    where TTerms : LossTerms
{
    /// <summary>Creates the module with the loss's name.</summary>
    protected LossModule(string name)
        : base(name)
    {
    }

    /// <summary>The loss value, a scalar tensor; call <c>backward()</c> on it as usual.</summary>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        return Evaluate(pred, target).Total.MoveToOuterDisposeScope();
    }

    /// <summary>The total and every term's value, for logging. Dispose it when done.</summary>
    public TTerms Terms(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var terms = Evaluate(pred, target);
        terms.MoveToOuterDisposeScope();
        return terms;
    }

    /// <summary>Computes every term and the total; called inside a dispose scope, which releases every temporary.</summary>
    protected abstract TTerms Evaluate(Tensor pred, Tensor target);
}
