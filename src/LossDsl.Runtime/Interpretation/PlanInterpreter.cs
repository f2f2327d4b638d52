using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;
using static TorchSharp.torch;

namespace LossDsl.Interpretation;

/// <summary>
/// Runs a <see cref="LossPlan"/> directly: each kernel call the planner chose is bound once to its method in
/// <c>LossDsl.Kernels</c>, then invoked per forward pass with the plan's locals, exactly what generated code calls.
/// Buffer calls run once, at construction, as in a generated constructor; the module owns their results.
/// </summary>
internal sealed class PlanInterpreter
{
    /// <summary>The <see cref="LossModule"/> properties a plan may read at each call.</summary>
    private static readonly PropertyInfo[] Settings = { typeof(LossModule).GetProperty(nameof(LossModule.CheckValues))!, typeof(LossModule).GetProperty(nameof(LossModule.Group))! };

    private readonly LossPlan plan;
    private readonly BoundCall[] buffers;
    private readonly BoundCall[] steps;
    private readonly BoundCall[] terms;
    // Each term's value made the whole batch's across a data-parallel group; null where the term needs none.
    private readonly BoundCall?[] acrossGroup;
    private readonly BoundCall?[] unreduced;
    // The plan's total as one call (LossPlan.TotalCall) and the steps it reads, or null.
    private readonly (BoundCall[] Steps, BoundCall Call)? total;
    private readonly int slotCount;

    public PlanInterpreter(LossPlan plan)
    {
        this.plan = plan;
        // The inputs, then the module settings kernels may read (SettingValue), then buffers, steps and terms.
        var slots = PlanInputs.All.Select(input => input.Name).ToList();
        slots.AddRange(Settings.Select(setting => setting.Name));
        buffers = plan.Buffers.Select(b => Bind(b.Call, ImmutableArray.Create(b.Local), slots)).ToArray();
        steps = plan.Steps.Select(s => Bind(s.Call, s.Outputs, slots)).ToArray();
        terms = plan.Terms.Select(t => Bind(t.Call, ImmutableArray.Create(t.Name), slots)).ToArray();
        // After every term's slot, so that each reads its own term's value; slots of their own, as generated code reassigns.
        acrossGroup = plan.Terms.Select((t, i) => t.AcrossGroup is { } call ? Bind(call, ImmutableArray.Create($"{i}:group"), slots) : null).ToArray();
        // Slots of their own: an unreduced value never replaces a term's.
        unreduced = plan.Terms.Select((t, i) => t.Unreduced is { } call ? Bind(call, ImmutableArray.Create($"{i}:unreduced"), slots) : null).ToArray();
        if (plan.TotalCall is { } totalCall)
        {
            var read = plan.StepsRead(totalCall);
            total = (plan.Steps.Select((step, i) => (step, i)).Where(s => read.Contains(s.step)).Select(s => steps[s.i]).ToArray(), Bind(totalCall, ImmutableArray.Create(":total"), slots));
        }

        slotCount = slots.Count;
    }

    /// <summary>Builds the plan's constant buffers, in <see cref="LossPlan.Buffers"/> order: once, when the module is made.</summary>
    public Tensor[] CreateBuffers() => buffers.Select(b => (Tensor)b.Invoke(Array.Empty<object?>())!).ToArray();

    /// <param name="inputs">pred, target and the per-pixel inputs the loss declares.</param>
    /// <param name="bufferValues">The module's current buffers (moved by <c>module.to</c>), in <see cref="LossPlan.Buffers"/> order.</param>
    /// <param name="module">The module whose settings the kernels read.</param>
    /// <param name="withUnreduced">Also each term's values before its reduction.</param>
    public LossTerms Evaluate(LossInputs inputs, IReadOnlyList<Tensor> bufferValues, LossModule module, bool withUnreduced)
    {
        var locals = Locals(inputs, bufferValues, module);
        foreach (var call in steps.Concat(terms).Concat(acrossGroup.OfType<BoundCall>()))
        {
            call.Store(call.Invoke(locals), locals);
        }

        var values = terms.Select((t, i) => (Tensor)locals[(acrossGroup[i] ?? t).Slot]!).ToArray();
        var scalars = plan.Signature.Scalars.Select(name => module.Scalars.ValueLike(name, inputs.Pred)).ToArray();
        var total = ScalarWalk.Walk(plan.Total, new TotalValue(values, scalars));
        var named = plan.Terms.Select((t, i) => new KeyValuePair<string, Tensor>(t.Name, values[i]));
        if (!withUnreduced)
        {
            return new LossTerms(total, named);
        }

        // A term that reports its scalar only is its own unreduced value, as generated code has it.
        var before = unreduced.Select((call, i) => call is null ? values[i] : (Tensor)call.Invoke(locals)!);
        return new LossTerms(total, named, plan.Terms.Zip(before, (t, value) => new KeyValuePair<string, Tensor>(t.Name, value)).ToArray());
    }

    /// <summary>
    /// The total alone from the plan's one call (<see cref="LossPlan.TotalCall"/>) after the steps it reads, as generated
    /// code's <c>EvaluateTotal</c>; null when the plan has none or the call gives none.
    /// </summary>
    /// <param name="inputs">pred, target and the per-pixel inputs the loss declares.</param>
    /// <param name="bufferValues">The module's current buffers, in <see cref="LossPlan.Buffers"/> order.</param>
    /// <param name="module">The module whose settings the kernels read.</param>
    public Tensor? EvaluateTotal(LossInputs inputs, IReadOnlyList<Tensor> bufferValues, LossModule module)
    {
        if (total is not { } whole)
        {
            return null;
        }

        var locals = Locals(inputs, bufferValues, module);
        foreach (var step in whole.Steps)
        {
            step.Store(step.Invoke(locals), locals);
        }

        return (Tensor?)whole.Call.Invoke(locals);
    }

    // The slots with the inputs, the module's settings and the buffers filled in; every other slot empty.
    private object?[] Locals(LossInputs inputs, IReadOnlyList<Tensor> bufferValues, LossModule module)
    {
        var locals = new object?[slotCount];
        var given = new object?[] { inputs.Pred, inputs.Target, inputs.PixelWeight, inputs.ValidMask };
        given.CopyTo(locals, 0);
        for (var i = 0; i < Settings.Length; i++)
        {
            locals[given.Length + i] = Settings[i].GetValue(module);
        }

        for (var i = 0; i < buffers.Length; i++)
        {
            locals[buffers[i].Slot] = bufferValues[i];
        }

        return locals;
    }

    /// <summary>
    /// The total over the term values, each operation through the TorchSharp overload generated code calls: a constant
    /// operand (<see cref="ScalarOperand{T}.Constant"/>) stays a C# double, since <c>double / Tensor</c> and
    /// <c>pow(Tensor, double)</c> (which special-cases exponents such as 0.5 and 2) round differently from their
    /// all-tensor forms, in values and gradients.
    /// </summary>
    private sealed class TotalValue : IScalarSink<Tensor>
    {
        private readonly Tensor[] values;
        private readonly Tensor[] scalars;

        public TotalValue(Tensor[] values, Tensor[] scalars) => (this.values, this.scalars) = (values, scalars);

        public Tensor Constant(double value) => tensor(value, dtype: values[0].dtype, device: values[0].device);

        public Tensor Term(int index) => values[index];

        public Tensor Input(int index) => scalars[index];

        public Tensor Negate(ScalarOperand<Tensor> operand) => -Of(operand);

        public Tensor Binary(ScalarOperand<Tensor> left, BinaryOperator op, ScalarOperand<Tensor> right) => (left.Constant, right.Constant) switch
        {
            ({ } a, null) => Apply(a, op, right.Value),
            (null, { } b) => Apply(left.Value, op, b),
            _ => Apply(Of(left), op, Of(right)),
        };

        public Tensor Call(ScalarFunction function, ImmutableArray<ScalarOperand<Tensor>> arguments) => function switch
        {
            ScalarFunction.Pow => (arguments[0].Constant, arguments[1].Constant) switch
            {
                (null, { } exponent) => pow(arguments[0].Value, exponent),
                ({ } @base, null) => pow(@base, arguments[1].Value),
                _ => pow(Of(arguments[0]), Of(arguments[1])),
            },
            ScalarFunction.Log => Of(arguments[0]).log(),
            ScalarFunction.Exp => Of(arguments[0]).exp(),
            ScalarFunction.Sqrt => Of(arguments[0]).sqrt(),
            ScalarFunction.Cosh => Of(arguments[0]).cosh(),
            _ => Of(arguments[0]).abs(),
        };

        // Folding leaves no operation whose operands are all constants; this only keeps a broken plan from a null.
        private Tensor Of(ScalarOperand<Tensor> operand) => operand.Constant is { } value ? Constant(value) : operand.Value;

        // One overload per operand shape, because C# picks the TorchSharp operator from the static types.
        private static Tensor Apply(Tensor left, BinaryOperator op, Tensor right) => op switch
        {
            BinaryOperator.Add => left + right,
            BinaryOperator.Subtract => left - right,
            BinaryOperator.Multiply => left * right,
            _ => left / right,
        };

        private static Tensor Apply(double left, BinaryOperator op, Tensor right) => op switch
        {
            BinaryOperator.Add => left + right,
            BinaryOperator.Subtract => left - right,
            BinaryOperator.Multiply => left * right,
            _ => left / right,
        };

        private static Tensor Apply(Tensor left, BinaryOperator op, double right) => op switch
        {
            BinaryOperator.Add => left + right,
            BinaryOperator.Subtract => left - right,
            BinaryOperator.Multiply => left * right,
            _ => left / right,
        };
    }

    /// <param name="call">The planned call.</param>
    /// <param name="outputs">The locals it writes: one, or one per element of the tuple its kernel returns.</param>
    /// <param name="slots">Every local so far, by slot; the outputs are added.</param>
    private static BoundCall Bind(KernelCall call, ImmutableArray<string> outputs, List<string> slots)
    {
        var (method, arguments) = Resolve(call, slots);
        var returned = Outputs(method);
        if (returned != outputs.Length)
        {
            throw new InvalidOperationException($"Kernel {call.Kernel} returns {returned} value(s), the plan names {outputs.Length}: {string.Join(", ", outputs)}.");
        }

        slots.AddRange(outputs);
        return new BoundCall(method, arguments, slots.Count - outputs.Length, outputs.Length);
    }

    /// <summary>The kernel a call names and its arguments, each bound to a slot, a constant or calls of its own.</summary>
    private static (MethodInfo Method, Argument[] Arguments) Resolve(KernelCall call, List<string> slots)
    {
        // The catalog's call factories mirror these methods, which a test checks by reflection; these checks only turn a
        // broken build of that promise into a clear message instead of a wrong call.
        var method = KernelType(call.Method.Type).GetMethod(call.Method.Name, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"No kernel {call.Kernel}.");
        var parameters = method.GetParameters();
        if (parameters.Length != call.Arguments.Length || parameters.Where((p, i) => p.Name != call.Arguments[i].Name).Any())
        {
            throw new InvalidOperationException($"Kernel {call.Kernel} takes ({string.Join(", ", parameters.Select(p => p.Name))}), the plan passes ({string.Join(", ", call.Arguments.Select(a => a.Name))}).");
        }

        var arguments = call.Arguments.Select(a => a.Value switch
        {
            LocalValue value => new Argument(Slot(slots, value.Name, call), null),
            SettingValue setting => new Argument(Slot(slots, setting.Name, call), null),
            ConstantValue constant => new Argument(-1, constant.Value),
            // As generated code writes it: null for none, else an array of the element type, each element its own call.
            CallsValue { Calls.IsEmpty: true } => new Argument(-1, null),
            CallsValue calls => new Argument(-1, null)
            {
                Elements = (KernelType(calls.ElementType), calls.Calls.Select(c => Resolve(c, slots)).Select(c => new BoundCall(c.Method, c.Arguments, -1, 0)).ToArray()),
            },
            _ => throw new InvalidOperationException($"Unknown kernel argument {a}."),
        }).ToArray();
        return (method, arguments);
    }

    private static Type KernelType(string name) =>
        typeof(Kernels.Inputs).Assembly.GetType(typeof(Kernels.Inputs).Namespace + "." + name, throwOnError: true)!;

    /// <summary>How many values a kernel returns: the elements of a tuple, else one.</summary>
    internal static int Outputs(MethodInfo kernel) =>
        typeof(System.Runtime.CompilerServices.ITuple).IsAssignableFrom(kernel.ReturnType) ? kernel.ReturnType.GetGenericArguments().Length : 1;

    /// <summary>Where a value the call reads is kept: an input, a setting, or a buffer or step computed before it.</summary>
    private static int Slot(List<string> slots, string name, KernelCall call)
    {
        var slot = slots.IndexOf(name);
        return slot >= 0 ? slot : throw new InvalidOperationException($"Kernel {call.Kernel} reads '{name}', which nothing before it computes.");
    }

    private readonly record struct Argument(int Slot, object? Constant)
    {
        /// <summary>For an array of calls' values: its element type and the calls, evaluated at every invocation.</summary>
        public (Type Type, BoundCall[] Calls)? Elements { get; init; }

        public object? Value(object?[] locals)
        {
            if (Elements is not { } elements)
            {
                return Slot >= 0 ? locals[Slot] : Constant;
            }

            var array = Array.CreateInstance(elements.Type, elements.Calls.Length);
            for (var i = 0; i < elements.Calls.Length; i++)
            {
                array.SetValue(elements.Calls[i].Invoke(locals), i);
            }

            return array;
        }
    }

    /// <summary>A kernel bound to the slots it reads, writing its <see cref="Outputs"/> values from <see cref="Slot"/> on.</summary>
    private sealed record BoundCall(MethodInfo Method, Argument[] Arguments, int Slot, int Outputs)
    {
        /// <summary>Keeps the call's result: one value, or each element of the tuple a step of several outputs returns.</summary>
        public void Store(object? result, object?[] locals)
        {
            if (Outputs == 1)
            {
                locals[Slot] = result;
                return;
            }

            var tuple = (System.Runtime.CompilerServices.ITuple)result!;
            for (var i = 0; i < Outputs; i++)
            {
                locals[Slot + i] = tuple[i];
            }
        }

        public object? Invoke(object?[] locals)
        {
            var values = new object?[Arguments.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = Arguments[i].Value(locals);
            }

            try
            {
                return Method.Invoke(null, values);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                // Callers must see the kernel's own exception (a shape error, say), as generated code throws it.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
