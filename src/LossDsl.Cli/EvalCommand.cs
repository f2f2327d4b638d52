using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using LossDsl.Cli.Npy;
using static TorchSharp.torch;

namespace LossDsl.Cli;

/// <summary>
/// <c>lossdsl eval "&lt;expression&gt;" --pred P.npy --target T.npy [--pixel-weight W.npy] [--valid V.npy] [--scalar a=0.3]</c>: computes the
/// loss and its terms on arrays saved by numpy, optionally with d total / d pred.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var expression = SharedOptions.Expression();
        var pred = new Option<string[]>("--pred")
        {
            Description = "The prediction, [N, C, *spatial], as a .npy file (<f4 or <f8). Given several times: deep supervision's levels, the main output first.",
            HelpName = "P.npy",
            Required = true,
        };
        var levelWeights = LevelOptions.Weights();
        var resize = LevelOptions.Resize();
        var stride = LevelOptions.Stride();
        var target = new Option<string>("--target")
        {
            Description = "The target as a .npy file: pred's shape for a mask, pred's shape without dim 1 (integers) for class labels.",
            HelpName = "T.npy",
            Required = true,
        };
        var pixelWeight = new Option<string?>("--pixel-weight")
        {
            Description = "A pixel weight map as a .npy file: [N, 1, *spatial] or pred's shape beside a mask, the labels' shape beside labels.",
            HelpName = "W.npy",
        };
        var valid = new Option<string?>("--valid")
        {
            Description = "A valid mask (0 or 1) as a .npy file, shaped like --pixel-weight: its zeros leave pixels out of every term.",
            HelpName = "V.npy",
        };
        var probabilities = SharedOptions.Probabilities();
        var logProbabilities = SharedOptions.LogProbabilities();
        var ignoreIndex = SharedOptions.IgnoreIndex();
        var useDouble = new Option<bool>("--double") { Description = "Compute in float64 (default float32)." };
        var gradient = new Option<string[]>("--grad")
        {
            Description = "Write d total / d pred to this .npy file (pred's shape, the compute dtype); with several --pred, once per --pred, in their order.",
            HelpName = "G.npy",
        };
        var unreduced = new Option<string?>("--unreduced")
        {
            Description = "Write each term's values before its reduction to this .npz file, one array per term (pixel terms per element, overlap terms per channel).",
            HelpName = "U.npz",
        };
        var json = new Option<bool>("--json") { Description = "Print {\"total\": x, \"terms\": {...}} as JSON and nothing else." };
        var scalars = new Option<string[]>("--scalar")
        {
            Description = "A run-time scalar input the loss text uses, with its value: a=0.3; repeat for several.",
            HelpName = "NAME=VALUE",
        };

        var command = new Command("eval", "Compute a loss and its terms on a prediction and a target saved as .npy files.")
        {
            expression, pred, target, pixelWeight, valid, levelWeights, resize, stride, probabilities, logProbabilities, ignoreIndex, scalars, useDouble, gradient, unreduced, json,
        };

        command.SetAction(parse => Evaluate(
            new EvalRequest(
                parse.GetRequiredValue(expression),
                parse.GetRequiredValue(pred),
                parse.GetRequiredValue(target),
                parse.GetValue(pixelWeight),
                parse.GetValue(valid),
                parse.GetValue(levelWeights),
                parse.GetValue(resize),
                parse.GetValue(stride),
                SharedOptions.Input(parse, probabilities, logProbabilities),
                parse.GetValue(ignoreIndex),
                ScalarValues(parse.GetValue(scalars) ?? Array.Empty<string>()),
                parse.GetValue(useDouble) ? ScalarType.Float64 : ScalarType.Float32,
                parse.GetValue(gradient) ?? Array.Empty<string>(),
                parse.GetValue(unreduced),
                parse.GetValue(json)),
            stdout,
            stderr));

        return command;
    }

    private sealed record EvalRequest(
        string Text, string[] PredPaths, string TargetPath, string? PixelWeightPath, string? ValidPath, string? LevelWeights, string? Resize, int? Stride, LossInput Input,
        int? IgnoreIndex, IReadOnlyList<(string Name, double Value)> Scalars, ScalarType DType, string[] GradientPaths, string? UnreducedPath, bool Json);

    private static int Evaluate(EvalRequest request, TextWriter stdout, TextWriter stderr)
    {
        if (request.GradientPaths.Length > 0 && request.GradientPaths.Length != request.PredPaths.Length)
        {
            throw new InvalidInputException($"--grad is given {request.GradientPaths.Length} times for {request.PredPaths.Length} --pred files: give one gradient file per prediction, in the same order.");
        }

        var inputs = EvalInputs.Load(request.PredPaths, request.TargetPath, request.Input, request.IgnoreIndex);
        inputs.LoadMaps(request.PixelWeightPath, request.ValidPath);
        var options = new LossOptions
        {
            Input = request.Input,
            Target = inputs.TargetKind,
            Classes = inputs.Classes,
            IgnoreIndex = request.IgnoreIndex,
            // The files fix the rank: a volume or a 1-D signal is as valid as an image for pixel and region terms.
            Spatial = inputs.Pred.Shape.Skip(2).Select(_ => (int?)null).ToArray(),
            // Given maps are declared with the shape their files have.
            PixelWeight = inputs.PixelWeightMap,
            ValidMask = inputs.ValidMap,
            // Several predictions are deep supervision's levels.
            Levels = LevelOptions.Read(request.PredPaths.Length, request.LevelWeights, request.Resize, request.Stride),
            Scalars = request.Scalars.Select(s => s.Name).ToArray(),
        };

        CompiledLoss loss;
        try
        {
            loss = LossCompiler.Compile(request.Text, options);
        }
        catch (LossCompileException e)
        {
            DiagnosticPrinter.Print(request.Text, e.Diagnostics, stderr);
            return ExitCodes.BadLossText;
        }

        // Warnings go to stderr so that stdout stays the numbers alone (and valid JSON with --json).
        DiagnosticPrinter.Print(request.Text, loss.Warnings, stderr);
        foreach (var (name, value) in request.Scalars)
        {
            loss.Scalars[name] = value;
        }

        using (loss)
        using (NewDisposeScope())
        {
            var preds = inputs.PredTensors(request.DType, requiresGradient: request.GradientPaths.Length > 0);
            var lossInputs = new LossInputs(preds, inputs.TargetTensor(request.DType))
            {
                PixelWeight = EvalInputs.MapTensor(inputs.PixelWeight, request.DType),
                ValidMask = EvalInputs.MapTensor(inputs.Valid, request.DType),
            };
            using var terms = Terms(loss, lossInputs, request.UnreducedPath is not null);
            if (request.UnreducedPath is { } unreducedPath)
            {
                Write(unreducedPath, "the unreduced values", path => NpzWriter.WriteFile(path, terms.Unreduced.Select(t => KeyValuePair.Create(t.Key, ToNpy(t.Value)))));
            }

            if (request.GradientPaths.Length > 0)
            {
                terms.Total.backward();
                foreach (var (path, pred) in request.GradientPaths.Zip(preds))
                {
                    WriteGradient(path, pred.grad!, pred.shape);
                }
            }

            if (request.Json)
            {
                TermsOutput.WriteJson(terms, stdout);
            }
            else
            {
                TermsOutput.WriteText(terms, stdout);
            }
        }

        return ExitCodes.Success;
    }

    /// <summary>Each <c>--scalar name=value</c>, the value a finite number in invariant notation.</summary>
    private static IReadOnlyList<(string Name, double Value)> ScalarValues(string[] written) => written.Select(text =>
    {
        var parts = text.Split('=', 2);
        return parts.Length == 2 && parts[0].Length > 0
            && double.TryParse(parts[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? (parts[0], value)
            : throw new InvalidInputException($"--scalar takes a name and a finite number, such as a=0.3, not '{text}'.");
    }).ToList();

    // Kernels report inputs they cannot take (a shape a primitive does not accept) as ArgumentException.
    private static LossTerms Terms(CompiledLoss loss, LossInputs inputs, bool unreduced)
    {
        try
        {
            return loss.Terms(inputs, unreduced);
        }
        catch (ArgumentException e)
        {
            throw new InvalidInputException($"the inputs do not fit the loss: {e.Message}");
        }
    }

    private static void WriteGradient(string path, Tensor gradient, long[] shape) =>
        Write(path, "the gradient", file => NpyWriter.WriteFile(file, ToNpy(gradient.reshape(shape))));

    /// <summary>A tensor of the compute dtype as an array of that dtype, its shape kept (a scalar has shape ()).</summary>
    private static NpyArray ToNpy(Tensor values)
    {
        using var contiguous = values.detach().contiguous();
        return values.dtype == ScalarType.Float64
            ? NpyArray.Create(contiguous.data<double>().ToArray(), values.shape)
            : NpyArray.Create(contiguous.data<float>().ToArray(), values.shape);
    }

    private static void Write(string path, string what, Action<string> write)
    {
        try
        {
            write(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"cannot write {what} to '{path}': {e.Message}");
        }
    }
}
