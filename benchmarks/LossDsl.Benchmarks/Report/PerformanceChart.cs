using ScottPlot;

namespace LossDsl.Benchmarks.Report;

/// <summary>
/// The bar chart of docs/images/performance.png: per loss, each implementation's median time relative to the
/// hand-written TorchSharp baseline (1.0, the dashed line), PyTorch eager included.
/// </summary>
public static class PerformanceChart
{
    /// <summary>Renders the chart of <paramref name="results"/> to <paramref name="pngPath"/>.</summary>
    public static void Save(string pngPath, BenchmarkResults results)
    {
        var cases = results.Timings.Select(t => t.Case).Distinct().ToList();
        var series = results.Timings.Select(t => t.Label).Distinct().Append(PerformanceReport.PyTorchLabel).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var width = series.Count + 1;
        for (var c = 0; c < cases.Count; c++)
        {
            var hand = results.Timings.First(t => t.Case == cases[c] && t.Label == "HandWritten").MedianMs;
            for (var s = 0; s < series.Count; s++)
            {
                double? median = series[s] == PerformanceReport.PyTorchLabel
                    ? results.PyTorch.Results.FirstOrDefault(p => p.Case == cases[c])?.MedianMs
                    : results.Timings.FirstOrDefault(t => t.Case == cases[c] && t.Label == series[s])?.MedianMs;
                if (median is { } m)
                {
                    bars.Add(new Bar
                    {
                        Position = c * width + s,
                        Value = m / hand,
                        FillColor = palette.GetColor(s),
                        Label = (m / hand).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
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
        plot.Title("Forward + backward, time relative to hand-written TorchSharp (lower is better)");
        plot.YLabel("x hand-written TorchSharp");
        for (var s = 0; s < series.Count; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s], FillColor = palette.GetColor(s) });
        }

        plot.ShowLegend(Alignment.UpperRight);
        Directory.CreateDirectory(Path.GetDirectoryName(pngPath)!);
        plot.SavePng(pngPath, 1400, 650);
    }
}
