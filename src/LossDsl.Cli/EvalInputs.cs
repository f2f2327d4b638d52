using System;
using System.Globalization;
using System.IO;
using System.Linq;
using LossDsl.Cli.Npy;
using static TorchSharp.torch;

namespace LossDsl.Cli;

/// <summary>
/// The prediction and target of <c>lossdsl eval</c>, read from .npy files and checked against each other. The target's
/// kind follows from its file: pred's shape is a mask; pred's shape without dim 1, in integers, is class labels.
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

    public NpyArray Pred { get; }

    public NpyArray Target { get; }

    public LossTarget TargetKind { get; }

    /// <summary>pred's dim 1: the channels of a mask, the classes of labels.</summary>
    public int Classes => (int)Pred.Shape[1];

    /// <summary>Reads and checks both files; every problem is an <see cref="InvalidInputException"/> naming the file.</summary>
    public static EvalInputs Load(string predPath, string targetPath, bool probabilities, int? ignoreIndex)
    {
        var pred = Read("pred", predPath);
        var target = Read("target", targetPath);
        if (!pred.DType.IsFloatingPoint)
        {
            throw new InvalidInputException($"pred file '{predPath}' holds {pred.DType}; pred must be floating point (<f4 or <f8).");
        }

        if (pred.Rank < 2)
        {
            throw new InvalidInputException($"pred file '{predPath}' has shape {NpyArray.FormatShape(pred.Shape)}; pred must be (N, C, *spatial), at least 2-d.");
        }

        CheckValues(pred, $"pred file '{predPath}'", probabilities ? "a probability in [0, 1]" : "a finite logit",
            probabilities ? v => v is >= 0 and <= 1 : double.IsFinite);

        var inputs = new EvalInputs(predPath, pred, targetPath, target, Kind(pred, predPath, target, targetPath));
        inputs.CheckTarget(ignoreIndex);
        return inputs;
    }

    /// <summary>pred as a tensor of <paramref name="dtype"/>, a leaf that records its gradient when asked.</summary>
    public Tensor PredTensor(ScalarType dtype, bool requiresGradient) =>
        tensor(Pred.ToDoubleArray(), dtype: dtype).reshape(Pred.Shape.ToArray()).requires_grad_(requiresGradient);

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
