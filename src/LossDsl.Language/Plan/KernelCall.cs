using System;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>A static method of <c>LossDsl.Kernels</c>: its class and its name, as a kernel call factory declares them.</summary>
internal sealed record KernelMethod(string Type, string Name)
{
    public override string ToString() => Type + "." + Name;
}

/// <summary>
/// A call of a kernel with named arguments, made only by the typed factories of the catalog
/// (<c>Language/Primitives/Kernels</c>), whose parameters mirror the kernel's own (a test compares them by reflection).
/// The planner decides every call; the C# emitter prints it and the interpreter invokes the same method, so the two back
/// ends cannot drift apart. <see cref="Passes"/> is the call's estimate of data moved, for <c>lossdsl explain</c>.
/// </summary>
internal sealed record KernelCall(KernelMethod Method, ImmutableArray<KernelArgument> Arguments, Func<LossSignature, PassCount> Passes)
{
    /// <summary>"Type.Method", as generated code and <c>lossdsl explain</c> write it.</summary>
    public string Kernel => Method.ToString();

    /// <summary>
    /// When the kernel has a fused one-pass CPU kernel beside its torch operations: which tensors take it (generated code
    /// says so above the call) and its passes (<c>lossdsl explain</c>). Null for kernels of torch operations only. Derived
    /// from the method and its arguments, so not in equality.
    /// </summary>
    public FusedCpuPath? FusedCpuPath { get; init; }

    /// <summary>
    /// For a region term with a closed form (dice, iou, tversky on TP, P and T alone), that form as a statistics node
    /// takes it (<see cref="Primitives.RegionTermCalls"/>), so that the node evaluates the term and the term adds no node of
    /// its own (<see cref="FusionAnalysis.EvaluateRegionTermsInStatistics"/>); null for every other call. Derived from the
    /// arguments, so not in equality.
    /// </summary>
    public KernelCall? RegionTerm { get; init; }

    public static KernelCall Create(string type, string method, Func<LossSignature, PassCount> passes, params KernelArgument[] arguments) =>
        new(new KernelMethod(type, method), ImmutableArray.Create(arguments), passes);

    /// <summary>A fixed estimate, whatever the arguments and the signature.</summary>
    public static Func<LossSignature, PassCount> Fixed(int full, int perPixel = 0) => _ => new PassCount(full, perPixel);

    // The estimate is derived from the arguments, so it takes no part in equality.
    public bool Equals(KernelCall? other) => other is not null && Method == other.Method && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => Method.GetHashCode();
}

/// <summary>
/// A kernel's CPU path beside its torch operations: which tensors take it, what it is in a few words (<c>lossdsl explain</c>
/// writes "stats: one fused pass, 2 instead of 10"), and the passes of its forward pass there.
/// </summary>
internal sealed record FusedCpuPath(string Tensors, string Kind, Func<LossSignature, PassCount> Passes);

/// <summary>One argument, named as the kernel's parameter is.</summary>
internal sealed record KernelArgument(string Name, KernelValue Value)
{
    /// <summary>A tensor (or statistics) computed earlier in the plan.</summary>
    public static KernelArgument Local(string name, LocalValue value) => new(name, value);

    /// <summary>An optional tensor: null when absent (no ignore index, no class weights).</summary>
    public static KernelArgument Optional(string name, LocalValue? value) => new(name, value is null ? new ConstantValue(null) : value);

    /// <summary>A constant of the loss text.</summary>
    public static KernelArgument Constant(string name, object? value) => new(name, new ConstantValue(value));

    /// <summary>An array made by the calls (null when there are none), each a method of <paramref name="elementType"/> returning it.</summary>
    public static KernelArgument Calls(string name, string elementType, ImmutableArray<KernelCall> calls) => new(name, new CallsValue(elementType, calls));

    /// <summary>A module setting, read at each call.</summary>
    public static KernelArgument Setting(string name, SettingValue value) => new(name, value);
}

/// <summary>An argument: a local computed earlier in the plan, a module setting, or a constant.</summary>
internal abstract record KernelValue;

/// <summary>A value computed earlier: <c>pred</c>, <c>target</c>, or a <see cref="PlanStep"/> by its local name.</summary>
internal sealed record LocalValue(string Name) : KernelValue;

/// <summary>
/// An array of values each made by a call of its own, evaluated where the argument is (<c>new RegionTerm[] { ... }</c>),
/// or null for none; <see cref="ElementType"/> is the kernel type whose methods the calls are, which they return.
/// </summary>
internal sealed record CallsValue(string ElementType, ImmutableArray<KernelCall> Calls) : KernelValue
{
    public bool Equals(CallsValue? other) => other is not null && ElementType == other.ElementType && Calls.SequenceEqual(other.Calls);

    public override int GetHashCode() => ElementType.GetHashCode() ^ Calls.Length;
}

/// <summary>A setting of the loss module read at each call (<c>CheckValues</c>): a property in generated code.</summary>
internal sealed record SettingValue(string Name) : KernelValue;

internal sealed record ConstantValue(object? Value) : KernelValue
{
    // Class weights are double[]: equal lists must make equal calls, so that equal buffers are shared.
    public bool Equals(ConstantValue? other) =>
        other is not null && (Value is double[] list && other.Value is double[] otherList ? list.SequenceEqual(otherList) : Equals(Value, other.Value));

    public override int GetHashCode() => Value is double[] list ? list.Length : Value?.GetHashCode() ?? 0;
}
