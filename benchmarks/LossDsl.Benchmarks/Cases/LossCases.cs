using LossDsl.Benchmarks.HandWritten;

namespace LossDsl.Benchmarks.Cases;

/// <summary>The six losses of issue 8 and multiclass dice + focal, each with its generated class and its hand-written baseline.</summary>
public static class LossCases
{
    /// <summary>Every case, in the order of the tables.</summary>
    public static IReadOnlyList<LossCase> All { get; } = new LossCase[]
    {
        new("bce + dice + iou", "bce + dice + iou", LossTarget.Mask,
            () => new GeneratedBceDiceIou(),
            () => new SumOfTerms("bce + dice + iou", new BceWithLogitsLoss(), new SoftDiceLoss(), new SoftIouLoss())),
        new("bce + ssim(11) + iou", "bce + ssim(11) + iou", LossTarget.Mask,
            () => new GeneratedBceSsimIou(),
            () => new SumOfTerms("bce + ssim(11) + iou", new BceWithLogitsLoss(), new SsimLoss(11, 1.5), new SoftIouLoss())),
        new("focal + dice", "focal + dice", LossTarget.Mask,
            () => new GeneratedFocalDice(),
            () => new SumOfTerms("focal + dice", new SigmoidFocalLoss(0.25, 2.0), new SoftDiceLoss())),
        new("lovasz_hinge", "lovasz_hinge", LossTarget.Mask,
            () => new GeneratedLovaszHinge(),
            () => new LovaszHingeLoss()),
        new("ce + dice (multiclass)", "ce + dice", LossTarget.Labels,
            () => new GeneratedCeDice(),
            () => new SumOfTerms("ce + dice", new CrossEntropyLoss(), new MulticlassDiceLoss())),
        new("dice + focal (multiclass)", "dice + focal", LossTarget.Labels,
            () => new GeneratedDiceFocal(),
            () => new SumOfTerms("dice + focal", new MulticlassDiceLoss(), new MulticlassFocalLoss(2.0))),
        new("boundary + ce (multiclass)", "boundary + ce", LossTarget.Labels,
            () => new GeneratedBoundaryCe(),
            () => new SumOfTerms("boundary + ce", new BoundaryLoss(3, 5), new CrossEntropyLoss())),
    };

    /// <summary>The case with this <see cref="LossCase.Name"/>.</summary>
    public static LossCase Named(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No benchmark case is named '{name}'.", nameof(name));
}
