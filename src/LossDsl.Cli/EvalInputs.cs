using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using LossDsl.Cli.Npy;
using static TorchSharp.torch;

namespace LossDsl.Cli;

/// <summary>
/// The prediction and target of <c>lossdsl eval</c>, read from .npy files and checked against each other. The target's
/// kind follows from its file: pred's shape is a mask; pred's shape without dim 1, in integers, is class labels. A pixel
/// weight map and a valid mask, when given, are one value per pixel (<c>[N, 1, *spatial]</c> beside a mask, the labels'
/// shape beside labels) or, beside a mask, one per element (pred's shape): their files' shapes declare which.
/// </summary>
internal sealed class EvalInputs
{
    private readonly string predPath;
    private readonly string targetPath;

    private EvalInputs(string predPath, NpyArray pred, string targetPath, NpyArray target, LossTarget targetKind)
    {
        this.predPath = predPath;
        this.targetPath = targetPath;
        Pred = pred;
        Target = target;
        TargetKind = targetKind;
    }

    /// <summary>The main prediction (level 0).</summary>
    public NpyArray Pred { get; }

    /// <summary>Every level's prediction, the main one first: one entry without side outputs.</summary>
    public IReadOnlyList<NpyArray> Preds { get; private set; } = Array.Empty<NpyArray>();

    public NpyArray Target { get; }

    public LossTarget TargetKind { get; }

    /// <summary>The pixel weight map, or null when none was given.</summary>
    public NpyArray? PixelWeight { get; private set; }

    /// <summary>The valid mask, or null when none was given.</summary>
    public NpyArray? Valid { get; private set; }

    /// <summary>How the loss declares the weight map: by its file's shape, or none.</summary>
    public LossPixelMap PixelWeightMap => MapKind(PixelWeight);

    /// <summary>How the loss declares the valid mask: by its file's shape, or none.</summary>
    public LossPixelMap ValidMap => MapKind(Valid);

    /// <summary>pred's dim 1: the channels of a mask, the classes of labels.</summary>
    public int Classes => (int)Pred.Shape[1];

    /// <summary>
    /// Reads and checks the files; every problem is an <see cref="InvalidInputException"/> naming the file. Several
    /// <paramref name="predPaths"/> are deep supervision's levels, the main output first: the target fits the main one,
    /// the side outputs share its batch, classes and rank.
    /// </summary>
    public static EvalInputs Load(IReadOnlyList<string> predPaths, string targetPath, LossInput input, int? ignoreIndex)
    {
        var preds = predPaths.Select(path => ReadPred(path, input)).ToArray();
        var pred = preds[0];
        var target = Read("target", targetPath);
        for (var k = 1; k < preds.Length; k++)
        {
            if (preds[k].Rank != pred.Rank || preds[k].Shape[0] != pred.Shape[0] || preds[k].Shape[1] != pred.Shape[1])
            {
                throw new InvalidInputException(
                    $"pred file '{predPaths[k]}' (level {k}) has shape {NpyArray.FormatShape(preds[k].Shape)}; a side output shares the main output's batch, classes and rank ({NpyArray.FormatShape(pred.Shape)} in '{predPaths[0]}'), its spatial sizes may differ.");
            }
        }

        var inputs = new EvalInputs(predPaths[0], pred, targetPath, target, Kind(pred, predPaths[0], target, targetPath)) { Preds = preds };
        inputs.CheckTarget(ignoreIndex);
        return inputs;
    }

    private static NpyArray ReadPred(string path, LossInput input)
    {
        var pred = Read("pred", path);
        if (!pred.DType.IsFloatingPoint)
        {
            throw new InvalidInputException($"pred file '{path}' holds {pred.DType}; pred must be floating point (<f4 or <f8).");
        }

        if (pred.Rank < 2)
        {
            throw new InvalidInputException($"pred file '{path}' has shape {NpyArray.FormatShape(pred.Shape)}; pred must be (N, C, *spatial), at least 2-d.");
        }

        var (what, allowed) = input switch
        {
            LossInput.Probabilities => ("a probability in [0, 1]", (Func<double, bool>)(v => v is >= 0 and <= 1)),
            LossInput.LogProbabilities => ("a finite log-probability <= 0", v => double.IsFinite(v) && v <= 0),
            _ => ("a finite logit", double.IsFinite),
        };
        CheckValues(pred, $"pred file '{path}'", what, allowed);
        return pred;
    }

    /// <summary>
    /// Reads and checks the per-pixel inputs given (null paths are left out): shapes against pred and the target, a
    /// weight map finite and ≥ 0, a valid mask 0 or 1 (or bool).
    /// </summary>
    public void LoadMaps(string? pixelWeightPath, string? validPath)
    {
        if (pixelWeightPath is not null)
        {
            PixelWeight = ReadMap("pixel weight", pixelWeightPath, "a finite weight ≥ 0", v => v >= 0 && double.IsFinite(v));
        }

        if (validPath is not null)
        {
            Valid = ReadMap("valid mask", validPath, "0 or 1", v => v is 0 or 1);
        }
    }

    /// <summary>A per-pixel input as the loss takes it, in <paramref name="dtype"/>; null when not given.</summary>
    public static Tensor? MapTensor(NpyArray? map, ScalarType dtype) =>
        map is null ? null : tensor(map.ToDoubleArray(), dtype: dtype).reshape(map.Shape.ToArray());

    private NpyArray ReadMap(string role, string path, string expected, Func<double, bool> isValid)
    {
        var map = Read(role, path);
        var spatial = Pred.Shape.Skip(2);
        var shapes = TargetKind == LossTarget.Labels
            ? new[] { Target.Shape.ToArray() }
            : new[] { Pred.Shape.Take(1).Append(1L).Concat(spatial).ToArray(), Pred.Shape.ToArray() };
        if (!shapes.Any(shape => map.Shape.SequenceEqual(shape)))
        {
            var allowed = TargetKind == LossTarget.Labels ? $"{NpyArray.FormatShape(shapes[0])} (the labels' shape)"
                : Classes == 1 ? $"{NpyArray.FormatShape(shapes[0])} (one value per pixel)"
                : $"{NpyArray.FormatShape(shapes[0])} (one value per pixel) or {NpyArray.FormatShape(shapes[1])} (pred's shape)";
            throw new InvalidInputException($"{role} file '{path}' has shape {NpyArray.FormatShape(map.Shape)}; it must be {allowed}.");
        }

        if (!map.DType.IsFloatingPoint && !map.DType.IsInteger && map.DType != NpyDType.Bool)
        {
            throw new InvalidInputException($"{role} file '{path}' holds {map.DType}; it must hold numbers or bools.");
        }

        CheckValues(map, $"{role} file '{path}'", expected, isValid);
        return map;
    }

    // Beside labels, or with a single channel, one value per pixel is all there is.
    private LossPixelMap MapKind(NpyArray? map) => map is null ? LossPixelMap.None
        : TargetKind == LossTarget.Mask && Classes > 1 && map.Shape[1] == Classes ? LossPixelMap.PerChannel
        : LossPixelMap.PerPixel;

    /// <summary>Each level's pred as a tensor of <paramref name="dtype"/>, a leaf that records its gradient when asked.</summary>
    public Tensor[] PredTensors(ScalarType dtype, bool requiresGradient) =>
        Preds.Select(pred => tensor(pred.ToDoubleArray(), dtype: dtype).reshape(pred.Shape.ToArray()).requires_grad_(requiresGradient)).ToArray();

    /// <summary>The target as the loss takes it: a mask in <paramref name="dtype"/>, or int64 labels.</summary>
    public Tensor TargetTensor(ScalarType dtype) => TargetKind == LossTarget.Labels
        ? tensor(Target.ToInt64Array()).reshape(Target.Shape.ToArray())
        : tensor(Target.ToDoubleArray(), dtype: dtype).reshape(Target.Shape.ToArray());

    private static LossTarget Kind(NpyArray pred, string predPath, NpyArray target, string targetPath)
    {
        var labelsShape = pred.Shape.Where((_, d) => d != 1).ToArray();
        if (target.Shape.SequenceEqual(pred.Shape))
        {
            return LossTarget.Mask;
        }

        if (!target.Shape.SequenceEqual(labelsShape))
        {
            throw new InvalidInputException(
                $"shape mismatch: target file '{targetPath}' has shape {NpyArray.FormatShape(target.Shape)}, pred file '{predPath}' has shape {NpyArray.FormatShape(pred.Shape)}; "
                + $"the target must be pred's shape (a mask) or {NpyArray.FormatShape(labelsShape)} (class labels).");
        }

        if (!target.DType.IsInteger)
        {
            throw new InvalidInputException($"target file '{targetPath}' has the shape of labels {NpyArray.FormatShape(target.Shape)} but holds {target.DType}; labels must be integers (<i8, <i4 or |u1).");
        }

        return LossTarget.Labels;
    }

    private void CheckTarget(int? ignoreIndex)
    {
        if (TargetKind == LossTarget.Mask)
        {
            if (ignoreIndex is not null)
            {
                throw new InvalidInputException($"--ignore-index applies to class labels, but target file '{targetPath}' is a mask (pred's shape {NpyArray.FormatShape(Pred.Shape)}).");
            }

            CheckValues(Target, $"target file '{targetPath}'", "a mask value in [0, 1]", v => v is >= 0 and <= 1);
            return;
        }

        if (Classes < 2)
        {
            throw new InvalidInputException($"pred file '{predPath}' has {Classes} class in dim 1 (shape {NpyArray.FormatShape(Pred.Shape)}); class labels need at least 2.");
        }

        var kept = ignoreIndex is { } ignored ? $"a class in [0, {Classes - 1}] or the ignore index {ignored}" : $"a class in [0, {Classes - 1}]";
        CheckValues(Target, $"target file '{targetPath}'", kept, v => (v >= 0 && v < Classes) || v == ignoreIndex);
    }

    private static void CheckValues(NpyArray array, string file, string expected, Func<double, bool> isValid)
    {
        var values = array.ToDoubleArray();
        var bad = Array.FindIndex(values, v => !isValid(v));
        if (bad >= 0)
        {
            // A float32 element is shown as float32 prints it, not as its longer float64 expansion.
            var value = array.DType == NpyDType.Float32
                ? ((float)values[bad]).ToString(CultureInfo.InvariantCulture)
                : values[bad].ToString(CultureInfo.InvariantCulture);
            throw new InvalidInputException($"{file}: the element at {array.FormatIndex(bad)} is {value}, not {expected}.");
        }
    }

    private static NpyArray Read(string role, string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputException($"{role} file '{path}' is a directory, not a .npy file.");
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException($"{role} file '{path}' does not exist.");
        }

        try
        {
            return NpyReader.ReadFile(path);
        }
        catch (NpyFormatException e)
        {
            throw new InvalidInputException($"{role} file '{path}': {e.Message}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{role} file '{path}' cannot be read: {e.Message}");
        }
    }
}
