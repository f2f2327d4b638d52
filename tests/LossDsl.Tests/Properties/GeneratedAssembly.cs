using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace LossDsl.Tests.Properties;

/// <summary>
/// A compilation emitted to memory and loaded into its own collectible context, so many generated assemblies can come
/// and go in one test run. TorchSharp and LossDsl.Runtime resolve to the test's own copies (the default context).
/// </summary>
internal sealed class GeneratedAssembly : IDisposable
{
    private readonly AssemblyLoadContext context;
    private readonly Assembly assembly;

    private GeneratedAssembly(AssemblyLoadContext context, Assembly assembly)
    {
        this.context = context;
        this.assembly = assembly;
    }

    public static GeneratedAssembly Load(Compilation compilation)
    {
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, "Emit failed:\n" + string.Join("\n", result.Diagnostics));
        image.Position = 0;
        var context = new AssemblyLoadContext("LossDsl.Tests.Generated", isCollectible: true);
        return new GeneratedAssembly(context, context.LoadFromStream(image));
    }

    /// <summary>A new instance of the generated loss class <paramref name="fullName"/>.</summary>
    public GeneratedLoss Create(string fullName)
    {
        var type = assembly.GetType(fullName) ?? throw new InvalidOperationException($"{fullName} was not generated");
        return new GeneratedLoss(type, (LossModule)Activator.CreateInstance(type)!);
    }

    public void Dispose() => context.Unload();
}

/// <summary>A generated loss reached by reflection: the module, its <c>Terms</c> and its static <c>TermNames</c>.</summary>
internal sealed record GeneratedLoss(Type Type, LossModule Module)
{
    public IReadOnlyList<string> TermNames => (IReadOnlyList<string>)Type.GetProperty("TermNames")!.GetValue(null)!;

    public LossTerms Terms(TorchSharp.torch.Tensor pred, TorchSharp.torch.Tensor target) => Terms(new LossInputs(pred, target));

    public LossTerms Terms(LossInputs inputs) => (LossTerms)Type.GetMethod("Terms", [typeof(LossInputs)])!.Invoke(Module, [inputs])!;
}
