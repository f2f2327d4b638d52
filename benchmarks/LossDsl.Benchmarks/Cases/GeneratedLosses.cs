using LossDsl;

namespace LossDsl.Benchmarks.Cases;

// The benchmarked losses as a user declares them; the LossDsl generator writes the rest of each class at build time.

/// <summary>Generated <c>bce + dice + iou</c>.</summary>
[Loss("bce + dice + iou")]
public sealed partial class GeneratedBceDiceIou;

/// <summary>Generated <c>bce + ssim(11) + iou</c> (the BASNet hybrid loss).</summary>
[Loss("bce + ssim(11) + iou")]
public sealed partial class GeneratedBceSsimIou;

/// <summary>Generated <c>focal + dice</c>.</summary>
[Loss("focal + dice")]
public sealed partial class GeneratedFocalDice;

/// <summary>Generated <c>lovasz_hinge</c>.</summary>
[Loss("lovasz_hinge")]
public sealed partial class GeneratedLovaszHinge;

/// <summary>Generated multiclass <c>ce + dice</c>.</summary>
[Loss("ce + dice", Target = LossTarget.Labels, Classes = BenchmarkShapes.MulticlassClasses)]
public sealed partial class GeneratedCeDice;

/// <summary>Generated multiclass <c>dice + focal</c> (the design's multiclass example, with its defaults).</summary>
[Loss("dice + focal", Target = LossTarget.Labels, Classes = BenchmarkShapes.MulticlassClasses)]
public sealed partial class GeneratedDiceFocal;

/// <summary>Generated multiclass <c>boundary + ce</c>.</summary>
[Loss("boundary + ce", Target = LossTarget.Labels, Classes = BenchmarkShapes.MulticlassClasses)]
public sealed partial class GeneratedBoundaryCe;
