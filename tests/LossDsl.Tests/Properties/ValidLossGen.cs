using System.Collections.Immutable;
using System.Globalization;
using CsCheck;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Properties;

/// <summary>
/// Generates valid losses over the whole catalog: a random signature, then an expression of the primitives that
/// signature allows (task rules from the <see cref="Catalog"/>), each with random in-range arguments (its
/// <see cref="NumberRule"/>s, words, class-weight lists of length C), combined with <c>+ - * /</c>, constants, unary
/// minus and the scalar functions.
/// </summary>
internal static class ValidLossGen
{
    private static Gen<InputFill> Fill { get; } = Gen.Select(
        Gen.Int[0, 1_000_000],
        Gen.Frequency((1, Gen.Const(0.0)), (4, Gen.Const(0.3)), (4, Gen.Const(0.7)), (1, Gen.Const(1.0))),
        Gen.Frequency((3, Gen.Const(0.0)), (6, Gen.Const(0.25)), (1, Gen.Const(1.0))),
        Gen.Frequency((4, Gen.Const(false)), (1, Gen.Const(true))),
        (seed, foreground, ignored, soft) => new InputFill(seed, foreground, ignored, soft));

    /// <summary>Non-zero constants, as factors, divisors and addends.</summary>
    private static Gen<string> Constant { get; } = Gen.OneOf<string>(
        Gen.OneOf("0.5", "2", "3", "0.1", "1e-1", "1.5", ".25", "10"),
        Gen.Double[0.05, 4].Select(Number));

    public static Gen<ValidLoss> Loss { get; } =
        from target in Gen.Enum<TargetKind>()
        from input in Gen.Enum<InputKind>()
        from classes in target == TargetKind.Labels ? Gen.Int[2, 4] : Gen.Int[1, 3]
        from ignore in target == TargetKind.Labels ? Gen.OneOf<int?>(null, 255, -100) : Gen.Const((int?)null)
        from rank in Gen.Frequency((6, Gen.Const(2)), (1, Gen.Const(1)), (1, Gen.Const(3)))
        from sizes in Gen.Int[rank == 3 ? 2 : 3, rank switch { 1 => 12, 2 => 7, _ => 4 }].Array[rank, rank]
        from isStatic in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true))).Array[rank, rank]
        from batch in Gen.Int[1, 2]
        from weightMap in LossTextGen.PixelMaps
        from validMap in LossTextGen.PixelMaps
        let signature = new LossSignature(input, target, classes, ignore, sizes.Select((s, i) => isStatic[i] ? s : (int?)null).ToImmutableArray())
        {
            PixelWeight = target == TargetKind.Labels && weightMap == PixelMap.PerChannel ? PixelMap.PerPixel : weightMap,
            Valid = target == TargetKind.Labels && validMap == PixelMap.PerChannel ? PixelMap.PerPixel : validMap,
        }
        from text in Expression(signature, depth: 3)
        from declaration in Gen.Enum<Declaration>()
        from fill in Fill
        select new ValidLoss(text, signature, declaration, batch, sizes.ToImmutableArray(), fill);

    /// <summary>The primitives the signature allows, by the catalog's task rules.</summary>
    public static ImmutableArray<PrimitiveDefinition> Allowed(LossSignature signature) => Catalog.Primitives.Where(p =>
        p.Supports(signature.Target)
        && !(p.RequiresLogits && signature.Input != InputKind.Logits)
        && !(p.RequiresSingleChannel && signature.Classes != 1)
        && p.Supports(signature.Spatial.Length)
        // A window no smaller than its rule's minimum must fit the smallest static size (ssim's 3 in a 2-voxel-deep volume does not).
        && !p.WindowParameters.Any(w => signature.SmallestStaticSpatial is { } smallest && w.Rule?.Minimum > smallest)
        // Multi-scale windows must fit every generated side, down to 2 in volumes: ms_ssim runs on images, with one scale
        // and a window of 3 (the generated sides are at least 3); its fixtures cover the scales and volumes.
        && !(p.ScaleParameter is not null && signature.Spatial.Length != 2)
        && !(p.SpatialFilters && (signature.IgnoreIndex is not null || signature.Valid is not null))
        && !(!p.AllowsPixelWeight && signature.PixelWeight is not null)).ToImmutableArray();

    private static Gen<string> Expression(LossSignature signature, int depth)
    {
        var term = Gen.OneOf([.. Allowed(signature)]).SelectMany(p => Call(p, signature));
        var expression = term;
        for (var level = 1; level <= depth; level++)
        {
            var inner = expression;
            expression = Gen.Frequency(
                (4, term),
                (4, Gen.Select(inner, Gen.OneOf(" + ", " - "), inner, (a, op, b) => a + op + b)),
                (2, Gen.Select(Constant, inner, (c, e) => $"{c} * {e}")),
                (1, Gen.Select(inner, Constant, (e, c) => $"({e}) / {c}")),
                (1, Gen.Select(Constant, inner, (c, e) => $"{c} / ({e})")),
                (1, Gen.Select(Constant, Gen.OneOf(" + ", " - "), inner, (c, op, e) => c + op + e)),
                (1, Gen.Select(inner, inner, (a, b) => $"({a}) * ({b})")),
                (1, Gen.Select(inner, inner, (a, b) => $"{a} / ({b})")),
                (1, inner.Select(e => "-" + e)),
                (1, inner.Select(e => $"({e})")),
                (2, Gen.Select(Gen.OneOf("log", "exp", "sqrt", "abs"), inner, (f, e) => $"{f}({e})")),
                (1, Gen.Select(inner, Gen.OneOf<string>(Gen.OneOf("2", "0.5", "3", "1.5"), inner), (e, k) => $"pow({e}, {k})")),
                (1, Gen.Select(Constant, inner, (c, e) => $"pow({c}, {e})")));
        }

        return expression;
    }

    /// <summary>
    /// A call of <paramref name="primitive"/>: some leading parameters positionally, then some of the others by name
    /// in any order; with no arguments, the bare name or empty parentheses. Aliases are used too.
    /// </summary>
    private static Gen<string> Call(PrimitiveDefinition primitive, LossSignature signature)
    {
        var parameters = primitive.VariantFor(signature.Target)!.Parameters;
        var values = parameters.Aggregate(
            Gen.Const(ImmutableList<(string Name, string Value, bool Included)>.Empty),
            (list, parameter) => list.SelectMany(items => Gen.Select(Value(primitive, parameter, signature), Gen.Int[0, 2], (value, include) =>
                items.Add((parameter.Name, value, include == 0 || !DefaultFits(primitive, parameter, signature))))));
        return from name in Gen.OneOf([primitive.Name, .. primitive.Aliases])
               from positional in Gen.Int[0, parameters.Length]
               from arguments in values.Select(list => WithoutConflicts(primitive, list))
               from order in Gen.Int[0, 1000].Array[parameters.Length, parameters.Length]
               from parentheses in Gen.Bool
               let written = arguments.Take(positional).Select(a => a.Value)
                   .Concat(arguments.Skip(positional).Select((a, i) => (a, order[positional + i])).Where(x => x.a.Included).OrderBy(x => x.Item2).Select(x => $"{x.a.Name}: {x.a.Value}"))
                   .ToList()
               select written.Count == 0 && !parentheses ? name : $"{name}({string.Join(", ", written)})";
    }

    /// <summary>Where two arguments conflict (average: micro and a class weight list), the first goes back to its default.</summary>
    private static ImmutableList<(string Name, string Value, bool Included)> WithoutConflicts(PrimitiveDefinition primitive, ImmutableList<(string Name, string Value, bool Included)> arguments)
    {
        foreach (var conflict in primitive.Conflicts)
        {
            var when = arguments.FindIndex(a => a.Name == conflict.When.Name);
            var other = arguments.FindIndex(a => a.Name == conflict.Other.Name);
            if (when >= 0 && other >= 0 && arguments[when].Value == conflict.Is.Display && arguments[other].Value != conflict.Other.Default.Display)
            {
                arguments = arguments.SetItem(when, arguments[when] with { Value = conflict.When.Default.Display });
            }
        }

        return arguments;
    }

    /// <summary>
    /// A window's default (ssim's 11, boundary's 5) is an error above the smallest static size: it must be given; so
    /// are ms_ssim's window and scales, which must fit the generated sides whatever the signature says.
    /// </summary>
    private static bool DefaultFits(PrimitiveDefinition primitive, ParameterDefinition parameter, LossSignature signature) =>
        primitive.ScaleParameter is not null
            ? parameter != primitive.ScaleParameter && !primitive.WindowParameters.Contains(parameter)
            : !primitive.WindowParameters.Contains(parameter)
              || signature.SmallestStaticSpatial is not { } smallest
              || parameter.Default is not NumberValue { Value: var window }
              || window <= smallest;

    /// <summary>A value the parameter accepts under the signature, written in one of the ways loss text allows.</summary>
    private static Gen<string> Value(PrimitiveDefinition primitive, ParameterDefinition parameter, LossSignature signature)
    {
        switch (parameter.Kind)
        {
            case ParameterKind.Boolean:
                // include_background: false needs a background channel and one left after it; a mask's channel count may be dynamic.
                return parameter.FalseDropsBackground && signature.Target == TargetKind.Mask && !(signature.Classes > 1) && !primitive.AddsBackgroundToSingleChannel
                    ? Gen.Const("true")
                    : Gen.OneOf("true", "false");
            case ParameterKind.Word:
                // ssim's valid and reflect borders need the window inside the image, and the generated images may be
                // smaller than a window the symbolic signature allows (a run-time error, not a wrong number); fixtures
                // cover those borders.
                // Words an error rule refuses under this signature (activation: softmax on one channel) are left out.
                return parameter.Name == "border" ? Gen.Const(parameter.Default.Display)
                    : Gen.OneOf([.. parameter.AllowedWords.Where(w => !parameter.WordRules.Any(r => r.Word == w && r.Applies(signature) && r.Descriptor.Severity == LossSeverity.Error))]);
            case ParameterKind.NumberList when !parameter.OnePerClass:
                return Gen.Double[0.1, 3].Select(weight => $"[{Number(weight)}]");
            case ParameterKind.NumberList:
                return Gen.OneOf<double>(Gen.Int[0, 3].Select(i => (double)i), Gen.Double[0, 3]).Array[signature.Classes!.Value, signature.Classes!.Value]
                    .Select(weights => "[" + string.Join(", ", weights.Select((w, i) => i == 0 && weights.All(x => x == 0) ? "1" : Number(w))) + "]");
        }

        var windowBound = !primitive.WindowParameters.Contains(parameter) ? null : primitive.ScaleParameter is null ? signature.SmallestStaticSpatial : 3;
        var number = NumberIn(parameter.Rule, windowBound)
            .SelectMany(WrittenAs);
        return parameter.AllowedWords.IsEmpty ? number : Gen.Frequency((3, number), (1, Gen.OneOf([.. parameter.AllowedWords])));
    }

    /// <summary>A number the rule accepts, its boundaries included; window sizes at most the smallest static size.</summary>
    private static Gen<double> NumberIn(NumberRule? rule, int? windowBound)
    {
        if (rule is null)
        {
            return Gen.Double[-2, 2];
        }

        if (rule.Integer)
        {
            var minimum = (int)(rule.Minimum ?? 0);
            var maximum = Math.Min(minimum + 8, windowBound ?? int.MaxValue);
            var step = rule.Odd ? 2 : 1;
            return Gen.Int[0, (maximum - minimum) / step].Select(k => (double)(minimum + (k * step)));
        }

        var low = rule.Minimum ?? -1;
        var high = rule.Maximum ?? low + 5;
        var boundaries = new List<(int, IGen<double>)> { (6, Gen.Double[low, high]) };
        if (rule.Minimum is not null && !rule.MinimumExclusive)
        {
            boundaries.Add((1, Gen.Const(low)));
        }

        if (rule.Maximum is not null && !rule.MaximumExclusive)
        {
            boundaries.Add((1, Gen.Const(high)));
        }

        return Gen.Frequency([.. boundaries]).Where(rule.Accepts);
    }

    /// <summary>As a literal, in parentheses, in full exponent form, or as a sum.</summary>
    private static Gen<string> WrittenAs(double value) => Gen.Int[0, 3].Select(form => form switch
    {
        1 => $"({Number(value)})",
        2 => value.ToString("E16", CultureInfo.InvariantCulture),
        3 when value == Math.Floor(value) && value >= 1 => $"{Number(value - 1)} + 1",
        _ => Number(value),
    });

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
