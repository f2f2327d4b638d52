using System.Collections.Immutable;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// What a primitive's lowering (<see cref="Primitives.PrimitiveDefinition.Lower"/>) may read: the inputs, and the shared
/// steps and buffers the planner adds the first time a term asks and shares with every later one.
/// </summary>
internal interface IPlanInputs
{
    LossSignature Signature { get; }

    /// <summary>The loss's name, for kernels whose input checks name it in messages.</summary>
    string LossName { get; }

    /// <summary>The prediction as given: logits or probabilities.</summary>
    LocalValue Pred { get; }

    /// <summary>The target as the region and structure kernels read it, [N, C, *spatial] in pred's dtype: the mask, or one-hot labels.</summary>
    LocalValue TargetMap();

    /// <summary>Checked class indices [N, 1, *spatial] (labels targets).</summary>
    LocalValue LabelIndices();

    /// <summary>
    /// The kept pixels (0 or 1; [N, 1, *spatial], or [N, C, *spatial] from a per-channel valid mask) where an ignore
    /// index or a declared valid mask can leave some out; null otherwise: every pixel is kept.
    /// </summary>
    LocalValue? ValidPixels();

    /// <summary>The declared pixel weight map times the kept pixels, shaped as <see cref="ValidPixels"/>; null when the loss takes none.</summary>
    LocalValue? PixelWeights();

    /// <summary>p: sigmoid for masks, softmax over classes for labels, pred itself when it holds probabilities.</summary>
    LocalValue Probabilities();

    /// <summary>log p: log-softmax of logits, or the clamped log of probabilities.</summary>
    LocalValue LogProbabilities();

    /// <summary>log(1 − p) of probabilities (mask terms on probabilities).</summary>
    LocalValue LogComplement();

    /// <summary>
    /// TP, P, T and Nv per channel over the valid pixels, per image or over the batch, of the probabilities
    /// <paramref name="activation"/> gives: one step each, shared.
    /// </summary>
    LocalValue RegionStatistics(bool perImage, Activation activation);

    /// <summary>
    /// bce's sum with this positive weight (null: <c>auto</c>), the second output of the statistics step, when the plan
    /// fuses bce into the statistics node; otherwise null, and bce runs its own kernel.
    /// </summary>
    LocalValue? CrossEntropySum(double? posWeight);

    /// <summary>
    /// Mask focal's sum with these constants and channel weights (null for none), the second output of the statistics
    /// step, when the plan fuses focal into the statistics node; otherwise null, and focal runs its own kernel.
    /// </summary>
    LocalValue? FocalSum(double alpha, double gamma, ImmutableArray<double>? channelWeights);

    /// <summary>
    /// ce's sum of its per-pixel numerators <c>(1 − ε)·w_y·(−log p_y) + (ε/C)·Σ_c w_c·(−log p_c)</c> over the kept
    /// pixels (w = 1 without class weights), the second output of the statistics step of class indices, when the plan
    /// fuses ce with these constants into it; otherwise null, and ce runs its own kernel.
    /// </summary>
    LocalValue? LabelsCrossEntropySum(ImmutableArray<double>? classWeights, double labelSmoothing);

    /// <summary>
    /// Focal's sum of w_y·(1 − p_y)^γ·(−log p_y) over the kept pixels on class indices, the second output of the
    /// statistics step of class indices, when the plan fuses focal with this γ and these class weights into it;
    /// otherwise null, and focal runs its own kernel.
    /// </summary>
    LocalValue? LabelsFocalSum(double gamma, ImmutableArray<double>? classWeights);

    /// <summary>A constant buffer built once when the module is constructed; equal calls share one.</summary>
    LocalValue Buffer(string local, KernelCall call);
}
