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
        : this(name, System.Array.Empty<string>())
    {
    }

    /// <summary>Creates the module with the loss's name and the names of its run-time scalar inputs.</summary>
    protected LossModule(string name, System.Collections.Generic.IReadOnlyList<string> scalars)
        : base(name)
    {
        Scalars = new LossScalars(name, scalars);
    }

    /// <summary>The run-time scalar inputs the loss declares, to set between calls: <c>loss.Scalars["a"] = 0.3</c>.</summary>
    public LossScalars Scalars { get; }

    /// <summary>
    /// Check values on every call (default true): pred must be finite (no NaN or infinity), a mask target must lie in
    /// [0, 1]. Each check is one more pass over the data and a device sync; turn them off for speed once the inputs are
    /// known to be sound. Shapes, dtypes, class counts, label ranges and devices are always checked.
    /// </summary>
    public bool CheckValues { get; set; } = true;

    /// <summary>
    /// The data-parallel group this process's batch is a shard of, or null (the default) for a loss of this batch alone.
    /// With a group, region statistics and the counts behind every mean are summed across it, so that the loss value, the
    /// terms and the gradients are those of the whole batch (docs/data-parallel.md); every process must then call the loss
    /// in step. A term that cannot be computed this way (topk, ohem, lovasz over the batch) throws.
    /// </summary>
    public ILossGroup? Group { get; set; }

    /// <summary>
    /// The loss value of <paramref name="inputs"/>: pred, target and the per-pixel inputs the loss declares (a pixel
    /// weight map, a valid mask), exactly those.
    /// </summary>
    public abstract Tensor forward(LossInputs inputs);

    /// <summary>The same as <see cref="forward(LossInputs)"/>, in TorchSharp's spelling.</summary>
    public Tensor call(LossInputs inputs) => forward(inputs);
}

/// <summary>
/// A loss whose <see cref="Terms(Tensor, Tensor)"/> returns <typeparamref name="TTerms"/>: generated losses return their
/// own <c>TermValues</c>, with a property per term; run-time compiled losses return <see cref="LossTerms"/>. A loss that
/// declares a pixel weight map or a valid mask is called with <see cref="LossInputs"/> (generated losses also get a
/// <c>call</c> taking them in order).
/// </summary>
/// <typeparam name="TTerms">The set of term values <see cref="Evaluate"/> produces.</typeparam>
public abstract class LossModule<TTerms> : LossModule
    where TTerms : LossTerms
{
    private readonly string lossName;
    private readonly LossPixelMap pixelWeight;
    private readonly LossPixelMap validMask;

    /// <summary>Creates the module with the loss's name: a loss of <c>pred</c> and <c>target</c> only.</summary>
    protected LossModule(string name)
        : this(name, LossPixelMap.None, LossPixelMap.None)
    {
    }

    /// <summary>Creates the module with the loss's name and the per-pixel inputs it declares.</summary>
    /// <param name="name">The loss's name, for messages.</param>
    /// <param name="pixelWeight">Whether it takes a pixel weight map, and its shape.</param>
    /// <param name="validMask">Whether it takes a valid mask, and its shape.</param>
    protected LossModule(string name, LossPixelMap pixelWeight, LossPixelMap validMask)
        : this(name, pixelWeight, validMask, null)
    {
    }

    /// <summary>Creates the module with the loss's name and every input it declares.</summary>
    /// <param name="name">The loss's name, for messages.</param>
    /// <param name="pixelWeight">Whether it takes a pixel weight map, and its shape.</param>
    /// <param name="validMask">Whether it takes a valid mask, and its shape.</param>
    /// <param name="levels">The side outputs pred is (deep supervision), or null for one prediction.</param>
    protected LossModule(string name, LossPixelMap pixelWeight, LossPixelMap validMask, LossLevels? levels)
        : this(name, pixelWeight, validMask, levels, System.Array.Empty<string>())
    {
    }

    /// <summary>Creates the module with the loss's name, every input it declares and its run-time scalars.</summary>
    /// <param name="name">The loss's name, for messages.</param>
    /// <param name="pixelWeight">Whether it takes a pixel weight map, and its shape.</param>
    /// <param name="validMask">Whether it takes a valid mask, and its shape.</param>
    /// <param name="levels">The side outputs pred is (deep supervision), or null for one prediction.</param>
    /// <param name="scalars">The names of its run-time scalar inputs, in declaration order.</param>
    protected LossModule(string name, LossPixelMap pixelWeight, LossPixelMap validMask, LossLevels? levels, System.Collections.Generic.IReadOnlyList<string> scalars)
        : base(name, scalars)
    {
        this.lossName = name;
        this.pixelWeight = pixelWeight;
        this.validMask = validMask;
        Levels = levels;
    }

    /// <summary>The side outputs pred is (deep supervision), or null when the loss takes one prediction.</summary>
    public LossLevels? Levels { get; }

    /// <summary>The loss value, a scalar tensor; call <c>backward()</c> on it as usual.</summary>
    public override Tensor forward(Tensor pred, Tensor target) => forward(new LossInputs(pred, target));

    /// <inheritdoc/>
    /// <remarks>A float16 or bfloat16 pred is evaluated in float32 and its loss returned in its own dtype (<see cref="HalfPrecision"/>).</remarks>
    public override Tensor forward(LossInputs inputs)
    {
        Check(inputs);
        using var scope = NewDisposeScope();
        var widened = HalfPrecision.Widen(inputs);
        var total = EvaluateTotal(widened) ?? Evaluate(widened, unreduced: false).Total;
        return HalfPrecision.Narrow(total, inputs.Pred.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The total and every term's value, for logging. Dispose it when done.</summary>
    public TTerms Terms(Tensor pred, Tensor target) => Terms(new LossInputs(pred, target));

    /// <summary>The total and every term's value of <paramref name="inputs"/>, for logging. Dispose it when done.</summary>
    public TTerms Terms(LossInputs inputs) => Terms(inputs, unreduced: false);

    /// <summary>
    /// The total and every term's value of <paramref name="inputs"/>, and with <paramref name="unreduced"/> each
    /// term's values before its reduction (<see cref="LossTerms.Unreduced"/>), from the same pass: the shared values
    /// are computed once. Dispose it when done. For a float16 or bfloat16 pred they are float32, the dtype they were
    /// computed in (<see cref="HalfPrecision"/>): finer than pred's own, for logging.
    /// </summary>
    public TTerms Terms(LossInputs inputs, bool unreduced)
    {
        Check(inputs);
        using var scope = NewDisposeScope();
        var terms = Evaluate(HalfPrecision.Widen(inputs), unreduced);
        terms.MoveToOuterDisposeScope();
        return terms;
    }

    /// <summary>
    /// Computes every term and the total, and with <paramref name="unreduced"/> each term's values before its
    /// reduction; called inside a dispose scope, which releases every temporary.
    /// </summary>
    protected abstract TTerms Evaluate(LossInputs inputs, bool unreduced);

    /// <summary>
    /// The total alone, where the loss's plan computes it in one node without the terms (a statistics node that returns
    /// the loss itself: one autograd node instead of one per operation after it); null to have <see cref="forward(LossInputs)"/>
    /// call <see cref="Evaluate"/>. Called inside a dispose scope. The default is null: every term is evaluated.
    /// </summary>
    protected virtual Tensor? EvaluateTotal(LossInputs inputs) => null;

    // Declared inputs must be given and undeclared ones must not: either way the loss would silently compute another number.
    private void Check(LossInputs inputs)
    {
        CheckLevels(inputs.Preds.Count);
        Scalars.CheckSet();
        Check(inputs.PixelWeight, pixelWeight, "pixel weight map", nameof(LossInputs.PixelWeight), "pixel_weight: map[...]", nameof(LossAttribute.PixelWeight));
        Check(inputs.ValidMask, validMask, "valid mask", nameof(LossInputs.ValidMask), "valid: mask[...]", nameof(LossAttribute.ValidMask));
    }

    // A loss of one level takes one prediction; a deep one checks its count where it evaluates the levels.
    private void CheckLevels(int given)
    {
        if (Levels is null && given != 1)
        {
            throw new System.ArgumentException(
                $"{lossName}: the loss takes one prediction, not {given}; declare side outputs for deep supervision ('levels {given}' after pred's shape in a .loss signature, Levels = {given} in [Loss] or LossOptions).",
                nameof(LossInputs.Preds));
        }
    }

    private void Check(Tensor? given, LossPixelMap declared, string what, string property, string signature, string setting)
    {
        if (given is null && declared != LossPixelMap.None)
        {
            throw new System.ArgumentException(
                $"{lossName}: the loss declares a {what}; pass it with pred and target: new LossInputs(pred, target) {{ {property} = ... }}.", property);
        }

        if (given is not null && declared == LossPixelMap.None)
        {
            throw new System.ArgumentException(
                $"{lossName}: the loss declares no {what}, so it would ignore the one given; declare it ('{signature}' in a .loss signature, {setting} = LossPixelMap.PerPixel in [Loss] or LossOptions).",
                property);
        }
    }
}
