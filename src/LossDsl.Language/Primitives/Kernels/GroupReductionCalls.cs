using LossDsl.Language.Plan;
using static LossDsl.Language.Plan.KernelArgument;

namespace LossDsl.Language.Primitives;

/// <summary>
/// The calls a plan makes to <c>LossDsl.Kernels.GroupReduction</c>: a term's value on one shard made the whole batch's
/// across a data-parallel group. Without a group (the default) each returns the term's value as it is, so none counts a
/// pass; with one, the counts behind a mean over kept pixels are one sum over the valid pixels.
/// </summary>
internal static class GroupReductionCalls
{
    private const string Type = "GroupReduction";

    public static KernelCall MeanOverElements(LocalValue value, LocalValue like, LocalValue? valid, SettingValue group) =>
        KernelCall.Create(Type, nameof(MeanOverElements), KernelCall.Fixed(0),
            Local(nameof(value), value), Local(nameof(like), like), Optional(nameof(valid), valid), Setting(nameof(group), group));

    public static KernelCall MeanOfCrossEntropy(LocalValue value, LocalValue like, LocalValue labels, LocalValue? valid, LocalValue? weight, SettingValue group) =>
        KernelCall.Create(Type, nameof(MeanOfCrossEntropy), KernelCall.Fixed(0),
            Local(nameof(value), value), Local(nameof(like), like), Local(nameof(labels), labels), Optional(nameof(valid), valid),
            Optional(nameof(weight), weight), Setting(nameof(group), group));

    public static KernelCall MeanOverImages(LocalValue value, LocalValue pred, SettingValue group) =>
        KernelCall.Create(Type, nameof(MeanOverImages), KernelCall.Fixed(0),
            Local(nameof(value), value), Local(nameof(pred), pred), Setting(nameof(group), group));

    public static KernelCall Unavailable(LocalValue value, string term, string reason, SettingValue group) =>
        KernelCall.Create(Type, nameof(Unavailable), KernelCall.Fixed(0),
            Local(nameof(value), value), Constant(nameof(term), term), Constant(nameof(reason), reason), Setting(nameof(group), group));
}
