using ScottPlot;

namespace LossDsl.Benchmarks.Report;

/// <summary>
/// The bar charts of docs/images: per loss, each implementation's median time relative to the hand-written TorchSharp
/// baseline (1.0, the dashed line), PyTorch eager included; wall-clock (performance.png) or CPU time on one thread
/// (performance-cpu.png).
/// </summary>
public static class PerformanceChart
{
    /// <summary>Bars are cut at this ratio so one loaded PyTorch run does not flatten the rest; labels keep the value.</summary>
    private const double Clip = 4.0;

    /// <summary>Renders the chart of <paramref name="results"/> to <paramref name="pngPath"/>.</summary>
    /// <param name="pngPath">The file to write.</param>
    /// <param name="results">The measurements.</param>
    /// <param name="cpu">CPU time on one thread rather than wall-clock time with threads = cores.</param>
    public static void Save(string pngPath, BenchmarkResults results, bool cpu)
    {
        double? Of(string lossCase, string label) => label == PerformanceReport.PyTorchLabel
            ? results.PyTorch.Results.Where(p => p.Case == lossCase).Select(p => (double?)(cpu ? p.CpuMs : p.MedianMs)).FirstOrDefault()
            : cpu
                ? results.CpuTimes.Where(t => t.Case == lossCase && t.Implementation == label).Select(t => (double?)t.CpuMs).FirstOrDefault()
                : results.Timings.Where(t => t.Case == lossCase && t.Label == label).Select(t => (double?)t.MedianMs).FirstOrDefault();

        var cases = results.Timings.Select(t => t.Case).Distinct().ToList();
        var series = results.Timings.Select(t => t.Label).Distinct().Append(PerformanceReport.PyTorchLabel).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var width = series.Count + 1;
        for (var c = 0; c < cases.Count; c++)
        {
            var hand = Of(cases[c], "HandWritten") ?? double.NaN;
            for (var s = 0; s < series.Count; s++)
            {
                if (Of(cases[c], series[s]) is { } m)
                {
                    bars.Add(new Bar
                    {
                        Position = c * width + s,
                        Value = Math.Min(m / hand, Clip),
                        FillColor = palette.GetColor(s),
                        Label = (m / hand).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + (m / hand > Clip ? " (cut)" : string.Empty),
                    });
                }
            }

            ticks.AddMajor(c * width + (series.Count - 1) / 2.0, cases[c].Replace(" (multiclass)", "\n(multiclass)", StringComparison.Ordinal));
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 9;
        var line = plot.Add.HorizontalLine(1.0);
        line.LinePattern = LinePattern.Dashed;
        line.Color = Colors.Gray;
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsY(0, Clip * 1.1);
        plot.Title(cpu
            ? "Forward + backward, CPU time on one thread relative to hand-written TorchSharp (lower is better)"
            : "Forward + backward, wall-clock time (threads = cores) relative to hand-written TorchSharp (lower is better)");
        plot.YLabel($"x hand-written TorchSharp (bars cut at {Clip}x)");
        for (var s = 0; s < series.Count; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s], FillColor = palette.GetColor(s) });
        }

        plot.ShowLegend(Edge.Right);
        Directory.CreateDirectory(Path.GetDirectoryName(pngPath)!);
        plot.SavePng(pngPath, 1600, 650);
    }
}
