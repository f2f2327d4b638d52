using System.Linq;
using BasNetSegmentation.Training;
using ScottPlot;
using ScottPlot.Colormaps;
using static TorchSharp.torch;

namespace BasNetSegmentation.Plotting;

/// <summary>
/// A row per validation image: the image, its true mask and the predicted probability map, titled with the image's
/// IoU (prediction thresholded at 0.5).
/// </summary>
public static class PredictionGridPlot
{
    /// <summary>Width of the PNG and height of one row, in pixels.</summary>
    public const int Width = 780, RowHeight = 260;

    /// <summary>Draws images, masks and probabilities, each [K, 1, H, W], and saves them as a PNG.</summary>
    public static void Save(Tensor images, Tensor masks, Tensor probabilities, string path)
    {
        var rows = (int)images.shape[0];
        var multiplot = new Multiplot();
        multiplot.AddPlots(rows * 3);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, 3);
        for (var row = 0; row < rows; row++)
        {
            var iou = SegmentationMetrics.IntersectionOverUnion(probabilities[row] >= 0.5, masks[row] > 0.5);
            Draw(multiplot.GetPlot(3 * row), images[row], $"validation image {row + 1}", range: null);
            Draw(multiplot.GetPlot(3 * row + 1), masks[row], "ground truth", new Range(0, 1));
            Draw(multiplot.GetPlot(3 * row + 2), probabilities[row], $"prediction (IoU {iou:0.000})", new Range(0, 1));
        }

        multiplot.SavePng(path, Width, rows * RowHeight);
    }

    private static void Draw(Plot plot, Tensor image, string title, Range? range)
    {
        // [1, H, W] to rows × columns; the heatmap draws row 0 at the top.
        var height = (int)image.shape[1];
        var width = (int)image.shape[2];
        var values = image.to_type(ScalarType.Float64).data<double>().ToArray();
        var cells = new double[height, width];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                cells[y, x] = values[y * width + x];
            }
        }

        var heatmap = plot.Add.Heatmap(cells);
        heatmap.Colormap = new Grayscale();
        heatmap.ManualRange = range;
        plot.HideAxesAndGrid();
        // HideAxesAndGrid hides the title too.
        plot.Title(title);
        plot.Axes.Title.IsVisible = true;
        plot.Axes.SquareUnits();
    }
}
