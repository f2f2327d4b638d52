using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli;

/// <summary>A kernel call as <c>explain</c> and <c>diff</c> print it.</summary>
internal static class KernelCallText
{
    /// <summary><c>RegionStatistics.Compute(p, t)</c>: the kernel and the computed values it reads.</summary>
    public static string Reading(KernelCall call, IEnumerable<string> reads) => call.Kernel + "(" + string.Join(", ", reads) + ")";

    /// <summary>
    /// <c>RegionStatistics.ComputeWithCrossEntropy(pred, t, perImage: false, posWeight: 1)</c>: the values it reads, then
    /// its constants by name; what tells two steps apart (a module setting is the same in every plan).
    /// </summary>
    public static string WithConstants(KernelCall call) =>
        call.Kernel + "(" + string.Join(", ", call.Arguments.Where(a => a.Value is not SettingValue)
            .Select(a => a.Value is LocalValue local ? local.Name : a.Name + ": " + Value(a.Value))) + ")";

    /// <summary><c>ConstantBuffers.GaussianWindow(size: 11, sigma: 1.5)</c>: the kernel and every argument, by name.</summary>
    public static string WithArguments(KernelCall call) =>
        call.Kernel + "(" + string.Join(", ", call.Arguments.Select(a => a.Name + ": " + Value(a.Value))) + ")";

    /// <summary>
    /// A constant argument as loss text writes values: <c>11</c>, <c>1.5</c>, <c>true</c>, <c>[1, 2]</c>, <c>none</c>; the
    /// region terms a node evaluates by kernel, <c>[Dice, Iou]</c>.
    /// </summary>
    private static string Value(KernelValue value) => value switch
    {
        LocalValue local => local.Name,
        SettingValue setting => setting.Name,
        ConstantValue { Value: double number } => NumberText.Format(number),
        ConstantValue { Value: int integer } => integer.ToString(CultureInfo.InvariantCulture),
        ConstantValue { Value: bool flag } => flag ? "true" : "false",
        ConstantValue { Value: double[] list } => "[" + string.Join(", ", list.Select(NumberText.Format)) + "]",
        ConstantValue { Value: string word } => "\"" + word + "\"",
        // The region terms a statistics node evaluates: by kernel, [Dice, Iou].
        CallsValue { Calls.IsEmpty: false } calls => "[" + string.Join(", ", calls.Calls.Select(c => c.Method.Name)) + "]",
        _ => "none",
    };
}
