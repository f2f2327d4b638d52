using System;
using System.Collections.Generic;
using System.Linq;
using BasNetSegmentation.Training;
using ScottPlot;

namespace BasNetSegmentation.Plotting;

/// <summary>
/// The training loss and each BASNet term per step, against the epoch (fractional between epoch ends), with the
/// validation loss after each epoch as markers.
/// </summary>
public static class LossCurvesPlot
{
    /// <summary>Width and height of the PNG in pixels.</summary>
    public const int Width = 900, Height = 560;

    /// <summary>Draws the curves of <paramref name="steps"/> and <paramref name="epochs"/> and saves them as a PNG.</summary>
    public static void Save(IReadOnlyList<StepLosses> steps, IReadOnlyList<EpochSummary> epochs, int stepsPerEpoch, string path)
    {
        var plot = new Plot();
        // Step s ends at epoch s / stepsPerEpoch, so validation markers sit at the last step of their epoch.
        var x = steps.Select(s => (double)s.Step / stepsPerEpoch).ToArray();
        AddCurve(plot, x, steps.Select(s => s.Total).ToArray(), "total (training)", Colors.Black, 2);
        AddCurve(plot, x, steps.Select(s => s.Bce).ToArray(), "bce (main output)", Colors.C0, 1.2f);
        AddCurve(plot, x, steps.Select(s => s.Ssim).ToArray(), "ssim(11) (main output)", Colors.C1, 1.2f);
        AddCurve(plot, x, steps.Select(s => s.Iou).ToArray(), "iou (main output)", Colors.C2, 1.2f);
        AddCurve(plot, x, steps.Select(s => s.SideOutputs).ToArray(), "side outputs (bce + ssim + iou of each, summed)", Colors.C4, 1.2f);

        var validation = plot.Add.Markers(
            epochs.Select(e => (double)e.Epoch).ToArray(),
            epochs.Select(e => e.ValidationLoss).ToArray(),
            MarkerShape.FilledCircle,
            9,
            Colors.Red);
        validation.LegendText = "total (validation, after each epoch)";

        plot.Title("BASNet hybrid loss bce + ssim(11) + iou over the main and side outputs, per training step");
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Axes.SetLimitsY(0, 1.05 * Math.Max(steps.Max(s => s.Total), epochs.Max(e => e.ValidationLoss)));
        // Below the plot rather than over it: a short run's curves can end anywhere.
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, Width, Height);
    }

    private static void AddCurve(Plot plot, double[] x, double[] y, string label, Color color, float width)
    {
        var curve = plot.Add.Scatter(x, y, color);
        curve.LegendText = label;
        curve.LineWidth = width;
        curve.MarkerSize = 0;
    }
}
