using System.Globalization;
using BasNetSegmentation.Training;
using Spectre.Console;

namespace BasNetSegmentation;

/// <summary>What the command line shows: the settings, a live progress bar with each loss term, and the results.</summary>
internal static class ConsoleReport
{
    public static void Settings(TrainingOptions options)
    {
        AnsiConsole.MarkupLine("[bold]BASNet segmentation[/]: a U-Net trained on synthetic shapes with a loss written in LossDsl");
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        grid.AddRow("loss", $"[blue]{BasNet.Source.EscapeMarkup()}[/] (basnet.loss)");
        grid.AddRow("model", $"U-Net, {TrainingOptions.Levels} levels, {options.BaseChannels} channels at full resolution, a side output at each lower level");
        grid.AddRow("data", $"{options.TrainImages} training and {options.ValidationImages} validation images of {options.ImageSize}×{options.ImageSize} px, seed {options.Seed}");
        grid.AddRow(
            "training",
            $"{options.Epochs} epochs × {options.StepsPerEpoch} steps of {options.BatchSize} images, Adam lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)} with cosine decay, {options.Threads} threads");
        AnsiConsole.Write(grid);
    }

    public static TrainingResult TrainWithProgress(TrainingOptions options)
    {
        TrainingResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("generating data", maxValue: options.Epochs * options.StepsPerEpoch);
                StepLosses last = default;
                EpochSummary? validated = null;
                void Describe() => task.Description =
                    $"epoch {last.Epoch}/{options.Epochs}  total [bold]{Number(last.Total)}[/]  " +
                    $"bce {Number(last.Bce)}  ssim {Number(last.Ssim)}  iou {Number(last.Iou)}  side outputs {Number(last.SideOutputs)}" +
                    (validated is null ? "" : $"  [green]val IoU {Number(validated.ValidationIoU)}[/] (epoch {validated.Epoch})");

                result = Trainer.Train(
                    options,
                    onStep: step =>
                    {
                        last = step;
                        Describe();
                        task.Increment(1);
                    },
                    onEpoch: epoch =>
                    {
                        validated = epoch;
                        Describe();
                    });
            });

        return result!;
    }

    public static void Summary(TrainingResult result)
    {
        var table = new Table().AddColumns("epoch", "mean training loss", "validation loss", "validation IoU");
        foreach (var epoch in result.Epochs)
        {
            table.AddRow(epoch.Epoch.ToString(CultureInfo.InvariantCulture), Number(epoch.MeanTrainLoss), Number(epoch.ValidationLoss), Number(epoch.ValidationIoU));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Validation IoU (probability ≥ 0.5, whole validation set): [bold green]{Number(result.ValidationIoU)}[/]");
        AnsiConsole.MarkupLine($"Training time: {result.TrainingTime.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        AnsiConsole.MarkupLine($"Loss curves:  [link]{result.LossCurvesPng.EscapeMarkup()}[/]");
        AnsiConsole.MarkupLine($"Predictions:  [link]{result.PredictionsPng.EscapeMarkup()}[/]");
        AnsiConsole.MarkupLine($"TensorBoard:  tensorboard --logdir {result.TensorBoardRun.EscapeMarkup()}");
    }

    private static string Number(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);
}
