using System;
using System.Collections.Generic;

namespace BasNetSegmentation.Training;

/// <summary>The loss and its BASNet terms on one training batch, as logged after the optimizer step.</summary>
/// <param name="Step">1-based over the whole run.</param>
/// <param name="Epoch">1-based.</param>
/// <param name="Total">The deep-supervised loss: the main output's terms plus <paramref name="SideOutputs"/>.</param>
/// <param name="Bce">The main output's bce.</param>
/// <param name="Ssim">The main output's ssim.</param>
/// <param name="Iou">The main output's iou.</param>
/// <param name="SideOutputs">The hybrid loss of every side output, summed.</param>
public readonly record struct StepLosses(int Step, int Epoch, double Total, double Bce, double Ssim, double Iou, double SideOutputs);

/// <summary>An epoch's mean training loss and the validation set's loss and IoU after it.</summary>
public sealed record EpochSummary(int Epoch, double MeanTrainLoss, double ValidationLoss, double ValidationIoU);

/// <summary>What a training run measured and wrote.</summary>
/// <param name="ValidationIoU">
/// The intersection over union of the predicted masks (probability ≥ 0.5) and the true masks, summed over the whole
/// validation set, after the last epoch.
/// </param>
/// <param name="LossCurvesPng">The loss curves (total and each term) over the run.</param>
/// <param name="PredictionsPng">Validation images beside their true and predicted masks.</param>
/// <param name="TensorBoardRun">The TensorBoard run: every step's terms under <c>BasNet/</c>, every epoch's validation.</param>
/// <param name="TrainingTime">Data generation and training, without writing the plots.</param>
public sealed record TrainingResult(
    IReadOnlyList<StepLosses> Steps,
    IReadOnlyList<EpochSummary> Epochs,
    double ValidationIoU,
    string LossCurvesPng,
    string PredictionsPng,
    string TensorBoardRun,
    TimeSpan TrainingTime);
