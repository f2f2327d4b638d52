using System.Collections.Immutable;
using System.Linq;

namespace LossDsl.Language.Plan;

/// <summary>
/// A call of a static method in <c>LossDsl.Kernels</c> (<see cref="Kernel"/> is "Type.Method"), with named arguments.
/// The planner decides every call; the C# emitter prints it and the interpreter invokes the same method, so the
/// two back ends cannot drift apart.
/// </summary>
internal sealed record KernelCall(string Kernel, ImmutableArray<KernelArgument> Arguments)
{
    public static KernelCall Create(string kernel, params KernelArgument[] arguments) => new(kernel, ImmutableArray.Create(arguments));

    public bool Equals(KernelCall? other) => other is not null && Kernel == other.Kernel && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => Kernel.GetHashCode();
}

internal sealed record KernelArgument(string Name, KernelValue Value);

/// <summary>An argument: a local computed earlier in the plan, a module setting, or a constant.</summary>
internal abstract record KernelValue;

/// <summary>A value computed earlier: <c>pred</c>, <c>target</c>, or a <see cref="PlanStep"/> by its local name.</summary>
internal sealed record LocalValue(string Name) : KernelValue;

/// <summary>A setting of the loss module read at each call (<c>CheckValues</c>): a property in generated code.</summary>
internal sealed record SettingValue(string Name) : KernelValue;

internal sealed record ConstantValue(object? Value) : KernelValue
{
    // Class weights are double[]: equal lists must make equal calls, so that equal buffers are shared.
    public bool Equals(ConstantValue? other) =>
        other is not null && (Value is double[] list && other.Value is double[] otherList ? list.SequenceEqual(otherList) : Equals(Value, other.Value));

    public override int GetHashCode() => Value is double[] list ? list.Length : Value?.GetHashCode() ?? 0;
}
