using System.Reflection;
using static TorchSharp.torch;

namespace LossDsl.Tests.Generator;

/// <summary>A generated loss loaded by reflection: the module, and its <c>Terms</c> method.</summary>
public sealed class GeneratedLoss(nn.Module<Tensor, Tensor, Tensor> module) : IDisposable
{
    private readonly MethodInfo terms = module.GetType().GetMethod("Terms", [typeof(Tensor), typeof(Tensor)])
        ?? throw new MissingMethodException(module.GetType().Name, "Terms");

    public nn.Module<Tensor, Tensor, Tensor> Module { get; } = module;

    /// <summary>Calls <c>Terms(pred, target)</c>; whatever it returns must be a <see cref="LossTerms"/>.</summary>
    public LossTerms Terms(Tensor pred, Tensor target) =>
        Assert.IsAssignableFrom<LossTerms>(terms.Invoke(Module, BindingFlags.DoNotWrapExceptions, null, [pred, target], null));

    public void Dispose() => Module.Dispose();
}
