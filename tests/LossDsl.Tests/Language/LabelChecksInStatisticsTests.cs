using System.Collections.Immutable;
using LossDsl.Language.Plan;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Language;

/// <summary>
/// <see cref="FusionAnalysis.CheckLabelsInStatistics"/>: the labels' range check moves from the labels' step to the
/// statistics node of class indices only when that node is the first step to read the labels, and the explain counts
/// move with it (one per-pixel pass off the labels' step, one onto the node's torch-operation path).
/// </summary>
public sealed class LabelChecksInStatisticsTests
{
    private static readonly LocalValue Pred = PlanInputs.Pred;
    private static readonly LocalValue Labels = new("labels");
    private static readonly LossSignature Signature = new(InputKind.Logits, TargetKind.Labels, 4, 255, LossSignature.DefaultSpatial);

    [Fact]
    public void The_node_that_reads_the_labels_first_checks_them()
    {
        var steps = CheckedBy(Node());

        Assert.Equal(false, Argument(steps[0].Call, "checkRange"));
        Assert.Equal(true, Argument(steps[1].Call, "checkLabels"));
        Assert.Equal(255, Argument(steps[1].Call, "ignoreIndex"));
        Assert.Equal(LabelsStep().Call.Passes(Signature) - new PassCount(0, 1), steps[0].Call.Passes(Signature));
        Assert.Equal(Node().Passes(Signature) + new PassCount(0, 1), steps[1].Call.Passes(Signature));
    }

    [Fact]
    public void A_step_that_reads_the_labels_before_the_node_keeps_the_check_in_the_labels_step()
    {
        var oneHot = new PlanStep(ImmutableArray.Create("t"), InputsCalls.OneHot(Pred, Labels, null));
        var steps = FusionAnalysis.CheckLabelsInStatistics(ImmutableArray.Create(LabelsStep(), oneHot, new PlanStep(ImmutableArray.Create("stats", "ceSum"), Node())));

        Assert.Equal(true, Argument(steps[0].Call, "checkRange"));
        Assert.Equal(false, Argument(steps[2].Call, "checkLabels"));
        Assert.Equal(LabelsStep().Call.Passes(Signature), steps[0].Call.Passes(Signature));
    }

    [Fact]
    public void Labels_no_node_reads_keep_their_check()
    {
        var steps = FusionAnalysis.CheckLabelsInStatistics(ImmutableArray.Create(LabelsStep()));
        Assert.Equal(true, Argument(steps[0].Call, "checkRange"));
    }

    // The labels' step, then the given node reading them.
    private static ImmutableArray<PlanStep> CheckedBy(KernelCall node) =>
        FusionAnalysis.CheckLabelsInStatistics(ImmutableArray.Create(LabelsStep(), new PlanStep(ImmutableArray.Create("stats", "ceSum"), node)));

    private static PlanStep LabelsStep() =>
        new(ImmutableArray.Create(Labels.Name), InputsCalls.Labels("Loss", Pred, PlanInputs.Target, 4, 255, 2, null, checkRange: true));

    private static KernelCall Node() =>
        RegionStatisticsCalls.ComputeFromLabelsWithCrossEntropy(Pred, Labels, null, null, false, null, 0, ImmutableArray<KernelCall>.Empty, "Loss", new SettingValue("CheckValues"),
            checkLabels: false, ignoreIndex: 255);

    private static object? Argument(KernelCall call, string name) => ((ConstantValue)call.Arguments.Single(a => a.Name == name).Value).Value;
}
