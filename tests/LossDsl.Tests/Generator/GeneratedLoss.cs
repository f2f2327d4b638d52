using System.Reflection;
using static TorchSharp.torch;

namespace LossDsl.Tests.Generator;

/// <summary>A generated loss loaded by reflection: the module, and its <c>Terms</c> method.</summary>
public sealed class GeneratedLoss(LossModule module) : IDisposable
{
    private readonly MethodInfo terms = module.GetType().GetMethod("Terms", [typeof(LossInputs), typeof(bool)])
        ?? throw new MissingMethodException(module.GetType().Name, "Terms");

    public LossModule Module { get; } = module;

    /// <summary>Calls <c>Terms(pred, target)</c>; whatever it returns must be a <see cref="LossTerms"/>.</summary>
    public LossTerms Terms(Tensor pred, Tensor target) => Terms(new LossInputs(pred, target));

    /// <summary>Calls <c>Terms(inputs)</c>, for losses that declare a weight map or a valid mask.</summary>
    public LossTerms Terms(LossInputs inputs) => Terms(inputs, unreduced: false);

    /// <summary>Calls <c>Terms(inputs, unreduced)</c>.</summary>
    public LossTerms Terms(LossInputs inputs, bool unreduced) =>
        Assert.IsAssignableFrom<LossTerms>(terms.Invoke(Module, BindingFlags.DoNotWrapExceptions, null, [inputs, unreduced], null));

    public void Dispose() => Module.Dispose();
}
