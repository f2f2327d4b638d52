using System.Globalization;
using System.Reflection;
using LossDsl.Language;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Language;

/// <summary>
/// The pass table behind <c>lossdsl explain</c> covers every kernel the planner can call, and names only real kernels.
/// The planner's calls are collected by compiling every primitive, with each non-default argument the catalog
/// allows, in every task: masks of 1 and 3 channels and labels with and without an ignore index, from logits and probabilities.
/// </summary>
public sealed class KernelPassesTests
{
    private static readonly LossSignature[] Tasks = new[] { InputKind.Logits, InputKind.Probabilities }.SelectMany(input => new[]
    {
        new LossSignature(input, TargetKind.Mask, 1, null, LossSignature.DefaultSpatial),
        new LossSignature(input, TargetKind.Mask, 3, null, LossSignature.DefaultSpatial),
        new LossSignature(input, TargetKind.Labels, 3, null, LossSignature.DefaultSpatial),
        new LossSignature(input, TargetKind.Labels, 3, 255, LossSignature.DefaultSpatial),
    }).ToArray();

    [Fact]
    public void Every_kernel_the_planner_calls_has_an_estimate_and_every_estimate_is_of_a_planned_kernel()
    {
        var calls = PlannedCalls().ToList();
        var planned = calls.Select(c => c.Call.Kernel).ToHashSet();
        var missing = planned.Where(k => !KernelPasses.Table.ContainsKey(k)).Order().ToList();
        var unused = KernelPasses.Table.Keys.Where(k => !planned.Contains(k)).Order().ToList();

        Assert.True(missing.Count == 0, "Kernels without a pass estimate in KernelPasses.Table: " + string.Join(", ", missing));
        Assert.True(unused.Count == 0, "KernelPasses.Table entries no plan calls (stale, or this test's losses miss a case): " + string.Join(", ", unused));
        foreach (var (signature, call) in calls)
        {
            var passes = KernelPasses.Estimate(call, signature);
            Assert.True(passes.Full >= 0 && passes.PerPixel >= 0, $"{call.Kernel}: {passes}");
        }
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
    public void Every_entry_names_a_public_static_kernel_method()
    {
        var kernels = typeof(LossDsl.Kernels.Inputs).Assembly;
        foreach (var name in KernelPasses.Table.Keys)
        {
            var dot = name.IndexOf('.');
            var type = kernels.GetType("LossDsl.Kernels." + name[..dot]);
            Assert.True(type is { IsPublic: true }, $"{name}: no public type LossDsl.Kernels.{name[..dot]}");
            Assert.True(
                type.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == name[(dot + 1)..]),
                $"{name}: no public static method {name[(dot + 1)..]} on {type.FullName}");
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
        Assert.Equal(new PassCount(6, 0), Estimate("dice", mask, "RegionStatistics.ComputeFromLogits"));
        Assert.Equal(new PassCount(8, 0), Estimate("dice(per_image: true)", mask, "RegionStatistics.ComputeFromLogits"));
        Assert.Equal(new PassCount(8, 0), Estimate("dice", mask3, "RegionStatistics.ComputeFromLogits"));

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
        return KernelPasses.Estimate(call, signature);
    }

    /// <summary>Every call of every plan: buffers, steps and terms, of every term text in every task, and of each task's default terms together.</summary>
    private static IEnumerable<(LossSignature Signature, KernelCall Call)> PlannedCalls()
    {
        foreach (var signature in Tasks)
        {
            var primitives = Catalog.Primitives.Where(p => Supports(p, signature)).ToList();
            var texts = primitives.SelectMany(p => Variants(p, signature)).Append(string.Join(" + ", primitives.Select(p => p.Name)));
            foreach (var text in texts)
            {
                // Arguments the binder refuses (a window of 0, background off for a mask) never reach the planner.
                if (LossFrontEnd.Compile("Coverage", text, signature).Plan is not { } plan)
                {
                    continue;
                }

                foreach (var call in plan.Buffers.Select(b => b.Call).Concat(plan.Steps.Select(s => s.Call)).Concat(plan.Terms.Select(t => t.Call)))
                {
                    yield return (signature, call);
                }
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
        && (primitive.AllowsIgnoreIndex || signature.IgnoreIndex is null);
}
