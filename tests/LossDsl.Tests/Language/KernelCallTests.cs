using System.Globalization;
using System.Reflection;
using LossDsl.Language;
using LossDsl.Language.Plan;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;
using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Language;

/// <summary>
/// The seam between the planner and the kernels: every call factory of the catalog (<c>Language/Primitives/Kernels</c>)
/// has the very parameters of the <c>LossDsl.Kernels</c> method it calls, so neither back end can make a call that does
/// not compile or bind; every planned call carries a pass estimate (<c>lossdsl explain</c>) that follows its arguments.
/// The planner's calls are collected by compiling every primitive, with each non-default argument the catalog
/// allows, in every task: masks of 1 and 3 channels and labels with and without an ignore index, from logits and probabilities.
/// </summary>
public sealed class KernelCallTests
{
    private static readonly LossSignature[] Tasks = Enum.GetValues<InputKind>().SelectMany(input => new[]
    {
        new LossSignature(input, TargetKind.Mask, 1, null, LossSignature.DefaultSpatial),
        new LossSignature(input, TargetKind.Mask, 3, null, LossSignature.DefaultSpatial),
        new LossSignature(input, TargetKind.Labels, 3, null, LossSignature.DefaultSpatial),
        new LossSignature(input, TargetKind.Labels, 3, 255, LossSignature.DefaultSpatial),
    }).Concat(new[] { InputKind.Logits, InputKind.Probabilities }.SelectMany(input => new[]
    {
        // The per-pixel inputs: a weight map and a valid mask beside a mask and beside labels with an ignore index.
        new LossSignature(input, TargetKind.Mask, 3, null, LossSignature.DefaultSpatial) { PixelWeight = PixelMap.PerChannel, Valid = PixelMap.PerPixel },
        new LossSignature(input, TargetKind.Labels, 3, 255, LossSignature.DefaultSpatial) { PixelWeight = PixelMap.PerPixel, Valid = PixelMap.PerPixel },
    })).ToArray();

    [Fact]
    public void Every_call_factory_has_the_parameters_of_its_kernel()
    {
        var factories = CallFactories().ToList();
        Assert.Equal(["ConstantBuffersCalls", "GroupReductionCalls", "InputsCalls", "PixelLossesCalls", "ProbabilitiesCalls", "RegionLossesCalls", "RegionStatisticsCalls", "RegionTermCalls", "StructureLossesCalls"],
            factories.Select(f => f.DeclaringType!.Name).Distinct().Order(StringComparer.Ordinal));
        var nullability = new NullabilityInfoContext();
        foreach (var factory in factories)
        {
            var kernelType = (string)factory.DeclaringType!.GetField("Type", BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!;
            var kernel = typeof(LossDsl.Kernels.Inputs).Assembly.GetType("LossDsl.Kernels." + kernelType)?.GetMethod(factory.Name, BindingFlags.Public | BindingFlags.Static);
            Assert.True(kernel is not null, $"{factory.DeclaringType.Name}.{factory.Name}: no public static LossDsl.Kernels.{kernelType}.{factory.Name}");

            var expected = kernel.GetParameters();
            var actual = factory.GetParameters();
            var call = Planned(factory);
            Assert.Equal(expected.Select(p => p.Name), actual.Select(p => p.Name));
            foreach (var (parameter, mirror) in expected.Zip(actual))
            {
                var where = $"{kernelType}.{factory.Name}({parameter.Name})";
                // A setting's value is the module property's, which may be null (no data-parallel group).
                var optional = nullability.Create(parameter).ReadState == NullabilityState.Nullable;
                Assert.True(mirror.ParameterType == typeof(SettingValue) || mirror.ParameterType == typeof(System.Collections.Immutable.ImmutableArray<KernelCall>)
                    || optional == (nullability.Create(mirror).ReadState == NullabilityState.Nullable), $"{where}: nullability differs");
                if (mirror.ParameterType == typeof(LocalValue))
                {
                    Assert.True(parameter.ParameterType == typeof(Tensor) || parameter.ParameterType == typeof(LossDsl.Kernels.RegionStatistics), $"{where}: a computed value, but the kernel takes {parameter.ParameterType}");
                }
                else if (mirror.ParameterType == typeof(System.Collections.Immutable.ImmutableArray<KernelCall>))
                {
                    // Calls whose values make an array: the kernel takes an array of their kernel type, null for none.
                    var elementType = ((CallsValue)call.Arguments.Single(a => a.Name == parameter.Name).Value).ElementType;
                    Assert.True(parameter.ParameterType == typeof(LossDsl.Kernels.Inputs).Assembly.GetType("LossDsl.Kernels." + elementType)?.MakeArrayType() && optional,
                        $"{where}: calls of {elementType}, but the kernel takes {parameter.ParameterType}");
                }
                else if (mirror.ParameterType == typeof(SettingValue))
                {
                    Assert.True(parameter.ParameterType == typeof(LossModule).GetProperty(((SettingValue)call.Arguments.Single(a => a.Name == parameter.Name).Value).Name)!.PropertyType,
                        $"{where}: a module setting, but the kernel takes {parameter.ParameterType}");
                }
                else
                {
                    Assert.True(parameter.ParameterType == mirror.ParameterType, $"{where}: the kernel takes {parameter.ParameterType}, the factory {mirror.ParameterType}");
                }
            }

            // The call it makes names each argument as the kernel's parameter, in the kernel's order.
            Assert.Equal(new KernelMethod(kernelType, factory.Name), call.Method);
            Assert.Equal(expected.Select(p => p.Name), call.Arguments.Select(a => a.Name));
        }
    }

    [Fact]
    public void The_kernels_are_public_for_generated_code_and_hidden_from_intellisense()
    {
        var kernels = typeof(LossDsl.Kernels.Inputs).Assembly.GetExportedTypes().Where(t => t.Namespace == "LossDsl.Kernels").ToList();
        Assert.NotEmpty(kernels);
        Assert.All(kernels, t => Assert.Equal(System.ComponentModel.EditorBrowsableState.Never,
            t.GetCustomAttribute<System.ComponentModel.EditorBrowsableAttribute>()?.State));
    }

    [Fact]
    public void Every_planned_call_has_an_estimate_of_the_data_it_moves()
    {
        var calls = PlannedCalls().ToList();
        // Every factory is reached by some plan: none is dead, and the coverage below is real.
        Assert.Equal(CallFactories().Select(f => $"{((string)f.DeclaringType!.GetField("Type", BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!)}.{f.Name}").Order(StringComparer.Ordinal),
            calls.Select(c => c.Call.Kernel).Distinct().Order(StringComparer.Ordinal));
        foreach (var (signature, call) in calls)
        {
            var passes = call.Passes(signature);
            Assert.True(passes.Full >= 0 && passes.PerPixel >= 0, $"{call.Kernel}: {passes}");
            // A setting is read from the module at each call: generated code reads the property, the interpreter too.
            foreach (var setting in call.Arguments.Select(a => a.Value).OfType<SettingValue>())
            {
                Assert.Contains(typeof(LossModule).GetProperty(setting.Name)?.PropertyType, new[] { typeof(bool), typeof(ILossGroup) });
            }
        }
    }

    [Fact]
    public void No_kernel_or_parameter_name_is_spelled_as_a_string_outside_the_catalog()
    {
        // The catalog (LossDsl.Language/Primitives) declares them and the kernels (LossDsl.Runtime/Kernels) are them; anywhere
        // else a name in quotes is a seam joined by a string again, which only a test run would catch.
        var kernelTypes = CallFactories().Select(f => (string)f.DeclaringType!.GetField("Type", BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!).Distinct();
        var parameters = Catalog.Primitives.SelectMany(p => p.Variants).SelectMany(v => v.Parameters).Select(p => p.Name).Distinct();
        var spelled = new System.Text.RegularExpressions.Regex(
            "\"(" + string.Join("|", kernelTypes) + ")\\.|\"(" + string.Join("|", parameters) + ")\"");
        // lossdsl port reads the peers' own parameters (MONAI's alpha, smp's smooth), which share many names with the
        // catalog's; the loss text it writes comes from the catalog (Catalog.Text.cs), so there it is primitive names in
        // quotes with arguments, a term written by hand, that would be the seam (a bare name in quotes may be a peer's
        // parameter: MONAI's DiceLoss takes jaccard=True).
        var primitives = new System.Text.RegularExpressions.Regex("\"(" + string.Join("|", Catalog.AllNames) + ")\\(");
        var port = Path.Combine("LossDsl.Cli", "Port");
        var sources = Path.Combine(RepositoryRoot.Path, "src");
        var found = Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains(Path.Combine("LossDsl.Language", "Primitives"), StringComparison.Ordinal)
                && !f.Contains(Path.Combine("LossDsl.Runtime", "Kernels"), StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(sources, f), Line: i + 1, Text: line)))
            // XML docs name parameters of their own (<param name="classes">).
            .Where(l => !l.Text.TrimStart().StartsWith("///", StringComparison.Ordinal)
                && (l.File.StartsWith(port, StringComparison.Ordinal) ? primitives.IsMatch(l.Text) : spelled.IsMatch(l.Text)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(Directory.Exists(Path.Combine(sources, port)), $"{port} moved: update the exemption above");

        Assert.True(found.Count == 0, "Kernel or parameter names as strings outside the catalog:\n" + string.Join("\n", found));
    }

    [Fact]
    public void Every_primitive_is_planned_in_every_task_it_supports()
    {
        // Guards the test above against passing on nothing: each supported primitive must compile in its default form.
        foreach (var signature in Tasks)
        {
            foreach (var primitive in Catalog.Primitives.Where(p => Supports(p, signature)))
            {
                var compilation = LossFrontEnd.Compile("Coverage", primitive.Name, signature);
                Assert.True(compilation.Success, $"{primitive.Name} for {signature.Display()}: " + string.Join("; ", compilation.Diagnostics.Select(d => d.Message)));
            }
        }
    }

    [Fact]
    public void Estimates_follow_the_arguments_that_change_the_work()
    {
        var (mask, mask3, labels, ignoring, maskProbabilities) = (Tasks[0], Tasks[1], Tasks[2], Tasks[3], Tasks[4]);
        // On probabilities bce reads the shared clamped logs; on logits it runs libtorch's fused kernel.
        var bce = Estimate("bce", maskProbabilities, "PixelLosses.BinaryCrossEntropy");
        var fused = Estimate("bce", mask, "PixelLosses.BinaryCrossEntropyWithLogits");
        var statistics = Estimate("dice", Tasks[5], "RegionStatistics.Compute");

        // A weight multiplies t·log p (read and write); auto also sums the target first.
        Assert.Equal(bce + new PassCount(2, 0), Estimate("bce(pos_weight: 2)", maskProbabilities, "PixelLosses.BinaryCrossEntropy"));
        Assert.Equal(bce + new PassCount(3, 0), Estimate("bce(pos_weight: auto)", maskProbabilities, "PixelLosses.BinaryCrossEntropy"));
        Assert.Equal(fused + new PassCount(1, 0), Estimate("bce(pos_weight: auto)", mask, "PixelLosses.BinaryCrossEntropyWithLogits"));

        // Focal is the cross-entropy of its input form and the same factors: on logits the fused kernel and the node's own
        // sigmoid take 8 passes fewer than the clamped logs; α < 0 leaves α_t and its multiply out.
        Assert.Equal(Estimate("focal", maskProbabilities, "PixelLosses.BinaryFocal") - new PassCount(8, 0), Estimate("focal", mask, "PixelLosses.BinaryFocalWithLogits"));
        Assert.Equal(Estimate("focal", mask, "PixelLosses.BinaryFocalWithLogits") - new PassCount(7, 0),
            Estimate("focal(alpha: -1)", mask, "PixelLosses.BinaryFocalWithLogits"));

        // One channel over the whole batch: TP as a dot product; per image or with more channels, a product and a sum.
        // On logits the same sums, after the sigmoid the node computes itself.
        Assert.Equal(new PassCount(4, 0), Estimate("dice", maskProbabilities, "RegionStatistics.Compute"));
        Assert.Equal(new PassCount(6, 0), Estimate("dice(per_image: true)", maskProbabilities, "RegionStatistics.Compute"));
        Assert.Equal(new PassCount(6, 0), statistics);
        // The node on the logits also makes the value checks the checked target leaves to it (two min-max reductions).
        Assert.Equal(new PassCount(0, 0), Estimate("dice", mask, "Inputs.Mask"));
        Assert.Equal(new PassCount(2, 0), Estimate("dice", maskProbabilities, "Inputs.Mask"));
        Assert.Equal(new PassCount(6 + 2, 0), Estimate("dice", mask, "RegionStatistics.ComputeFromLogits"));
        Assert.Equal(new PassCount(8 + 2, 0), Estimate("dice(per_image: true)", mask, "RegionStatistics.ComputeFromLogits"));
        Assert.Equal(new PassCount(8 + 2, 0), Estimate("dice", mask3, "RegionStatistics.ComputeFromLogits"));

        // Labels: the statistics add per-pixel values into the classes; ignored pixels multiply p (for P) and the
        // per-pixel values by the valid mask first.
        var fromLabels = Estimate("dice", labels, "RegionStatistics.ComputeFromLabels");
        Assert.Equal(new PassCount(1, 9), fromLabels);
        Assert.Equal(fromLabels + new PassCount(2, 5), Estimate("dice", ignoring, "RegionStatistics.ComputeFromLabels"));

        // A mask's boundary loss also counts the complement of each channel: twice the data, plus building it.
        var labelsBoundary = Estimate("boundary", labels, "StructureLosses.Boundary");
        Assert.Equal(new PassCount((2 * labelsBoundary.Full) + 12, 0), Estimate("boundary", mask, "StructureLosses.Boundary"));
    }

    private static PassCount Estimate(string text, LossSignature signature, string kernel)
    {
        var plan = LossFrontEnd.Compile("Estimate", text, signature).Plan!;
        var call = plan.Steps.Select(s => s.Call).Concat(plan.Terms.Select(t => t.Call)).Single(c => c.Kernel == kernel);
        return call.Passes(signature);
    }

    private static IEnumerable<MethodInfo> CallFactories() =>
        typeof(Catalog).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(Catalog).Namespace && t.Name.EndsWith("Calls", StringComparison.Ordinal))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(KernelCall));

    /// <summary>The factory's call with placeholder arguments: a local for every computed value, defaults for constants.</summary>
    [Fact]
    public void Every_step_names_as_many_outputs_as_its_kernel_returns()
    {
        var steps = Plans().SelectMany(p => p.Plan.Steps).ToList();
        foreach (var step in steps)
        {
            var kernel = typeof(LossDsl.Kernels.Inputs).Assembly.GetType("LossDsl.Kernels." + step.Call.Method.Type)!
                .GetMethod(step.Call.Method.Name, BindingFlags.Public | BindingFlags.Static)!;
            var returned = LossDsl.Interpretation.PlanInterpreter.Outputs(kernel);
            Assert.True(returned == step.Outputs.Length, $"{step.Call.Kernel} returns {returned} value(s); the plan names {step.Declared}");
        }

        // Not only single outputs: bce beside a region term on logits reads the statistics node's second output.
        Assert.Contains(steps, s => s.Outputs.SequenceEqual(new[] { "stats", "bceSum" }));
    }

    private static KernelCall Planned(MethodInfo factory) => (KernelCall)factory.Invoke(null, factory.GetParameters().Select(p => p.ParameterType switch
    {
        var t when t == typeof(LocalValue) => new LocalValue(p.Name!),
        var t when t == typeof(SettingValue) => new SettingValue(p.Name == "group" ? nameof(LossModule.Group) : nameof(LossModule.CheckValues)),
        var t when t == typeof(string) => "loss",
        var t when t == typeof(double[]) => new[] { 1.0 },
        var t when t == typeof(System.Collections.Immutable.ImmutableArray<KernelCall>) => System.Collections.Immutable.ImmutableArray<KernelCall>.Empty,
        var t when t.IsValueType && Nullable.GetUnderlyingType(t) is null => Activator.CreateInstance(t),
        _ => null,
    }).ToArray())!;

    /// <summary>Every call of every plan of <see cref="Plans"/>: buffers, steps, terms and the total's one call.</summary>
    private static IEnumerable<(LossSignature Signature, KernelCall Call)> PlannedCalls() =>
        Plans().SelectMany(p => p.Plan.Buffers.Select(b => b.Call).Concat(p.Plan.Steps.Select(s => s.Call)).Concat(p.Plan.Terms.Select(t => t.Call))
            .Concat(p.Plan.Terms.Select(t => t.Unreduced).OfType<KernelCall>())
            .Concat(p.Plan.Terms.Select(t => t.AcrossGroup).OfType<KernelCall>())
            .Concat(new[] { p.Plan.TotalCall }.OfType<KernelCall>())
            .SelectMany(call => call.Arguments.Select(a => a.Value).OfType<CallsValue>().SelectMany(nested => nested.Calls).Prepend(call))
            .Select(call => (p.Signature, call)));

    /// <summary>The plan of every term text in every task, and of each task's default terms together.</summary>
    private static IEnumerable<(LossSignature Signature, LossPlan Plan)> Plans()
    {
        foreach (var signature in Tasks)
        {
            var primitives = Catalog.Primitives.Where(p => Supports(p, signature)).ToList();
            // Alone, all together, and pixel terms beside a region term with no reader of p (where they are summed in the
            // statistics node).
            var texts = primitives.SelectMany(p => Variants(p, signature)).Append(string.Join(" + ", primitives.Select(p => p.Name)))
                .Append("bce + dice").Append("bce(pos_weight: auto) + dice(per_image: true)").Append("focal + dice").Append("ce + dice")
                .Append("ce(weight: [1, 2, 3], label_smoothing: 0.1) + dice").Append("ce(mean_over: all) + dice");
            foreach (var text in texts)
            {
                // Arguments the binder refuses (a window of 0, background off for a mask) never reach the planner.
                if (LossFrontEnd.Compile("Coverage", text, signature).Plan is not { } plan)
                {
                    continue;
                }

                yield return (signature, plan);
            }
        }
    }

    /// <summary>The primitive alone, then with each parameter changed from its default: other booleans, words, lists and numbers.</summary>
    private static IEnumerable<string> Variants(PrimitiveDefinition primitive, LossSignature signature)
    {
        yield return primitive.Name;
        foreach (var parameter in primitive.VariantFor(signature.Target)!.Parameters)
        {
            var values = parameter.Kind switch
            {
                ParameterKind.Boolean => new[] { ((BooleanValue)parameter.Default).Value ? "false" : "true" },
                ParameterKind.NumberList => new[] { "[" + string.Join(", ", Enumerable.Range(1, signature.Classes!.Value)) + "]" },
                ParameterKind.Number => new[] { -1.0, 0.0, 2.0 }.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
                _ => Array.Empty<string>(),
            };

            foreach (var value in values.Concat(parameter.AllowedWords))
            {
                yield return $"{primitive.Name}({parameter.Name}: {value})";
            }
        }
    }

    private static bool Supports(PrimitiveDefinition primitive, LossSignature signature) =>
        primitive.Supports(signature.Target)
        && (!primitive.RequiresLogits || signature.Input == InputKind.Logits)
        && (!primitive.RequiresSingleChannel || signature.Classes == 1)
        && (!primitive.SpatialFilters || (signature.IgnoreIndex is null && signature.Valid is null))
        && (primitive.AllowsPixelWeight || signature.PixelWeight is null);
}
