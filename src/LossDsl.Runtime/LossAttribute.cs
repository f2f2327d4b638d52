using System;

namespace LossDsl;

/// <summary>
/// Declares a loss: the source generator turns the partial class into a fused TorchSharp module computing
/// <paramref name="text"/>, a loss expression such as <c>"bce + ssim(11) + iou"</c>. Mistakes in the text are compile errors.
/// </summary>
/// <param name="text">The loss expression; see docs/language.md.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class LossAttribute(string text) : Attribute
{
    /// <summary>The loss expression.</summary>
    public string Text { get; } = text;

    /// <summary>Whether <c>pred</c> holds logits (the default) or probabilities.</summary>
    public LossInput Input { get; set; }

    /// <summary>Whether <c>target</c> is a mask shaped like <c>pred</c> (the default) or int64 class labels.</summary>
    public LossTarget Target { get; set; }

    /// <summary>The static number of channels/classes C; unset means 1 for a mask and "any" for labels.</summary>
    public int Classes { get; set; }

    /// <summary>A label value whose pixels every term leaves out (labels only); unset means none.</summary>
    public int IgnoreIndex { get; set; }

    /// <summary>
    /// Static spatial sizes, 0 for a symbolic one: <c>new[] { 256, 256 }</c>. Unset means two symbolic dims
    /// (<c>[N, C, H, W]</c>); static sizes let the compiler check window sizes.
    /// </summary>
    public int[]? Spatial { get; set; }

    /// <summary>
    /// Whether the loss takes a pixel weight map <c>w</c> after the target (<c>loss.call(pred, target, pixelWeight)</c>)
    /// and its shape; unset means none. Pixel and region terms weigh every element by it (LOSSES.md).
    /// </summary>
    public LossPixelMap PixelWeight { get; set; }

    /// <summary>
    /// Whether the loss takes a valid mask (0 or 1) after the target and any weight map, and its shape; unset means
    /// none. Its zeros leave pixels out of every sum and count, as an ignored label does.
    /// </summary>
    public LossPixelMap ValidMask { get; set; }

    /// <summary>
    /// Deep supervision: pred is this many predictions, the main output first (<c>loss.call(preds, target)</c>);
    /// <see cref="LossLevels.FromCall"/> takes the number from the call; unset means one prediction.
    /// </summary>
    public int Levels { get; set; }

    /// <summary>How the levels are weighted (default <see cref="LossLevelWeights.Same"/>); needs <see cref="Levels"/>.</summary>
    public LossLevelWeights LevelWeights { get; set; }

    /// <summary>Explicit level weights, one per level, main output first; overrides <see cref="LevelWeights"/>.</summary>
    public double[]? LevelWeightList { get; set; }

    /// <summary>Which side is resized when a level's size differs from the target's (default <see cref="LossResize.Target"/>).</summary>
    public LossResize Resize { get; set; }

    /// <summary>Each level this many times smaller than the one above (<see cref="LossLevels.Stride"/>); unset means sizes are free.</summary>
    public int LevelStride { get; set; }

    /// <summary>
    /// Run-time scalar inputs the loss text uses by name, such as a schedule's weight in
    /// <c>(1 - a) * dice + a * boundary_dist</c>: set each before calling (<c>loss.Scalars["a"] = 0.3</c>).
    /// </summary>
    public string[]? Scalars { get; set; }

    /// <summary>The dtype pred comes in (<see cref="LossDtype"/>); declaring float16 lets the compiler check the loss fits it.</summary>
    public LossDtype Dtype { get; set; }
}
