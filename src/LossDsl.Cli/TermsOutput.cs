using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace LossDsl.Cli;

/// <summary>How <c>eval</c> prints a loss's total and terms: aligned text lines, or one JSON object.</summary>
internal static class TermsOutput
{
    /// <summary>
    /// <c>total = 0.81</c>, then one line per term. Each number is the shortest text that reads back as the computed value
    /// in its own precision (float32 or float64), in the invariant culture.
    /// </summary>
    public static void WriteText(LossTerms terms, TextWriter writer)
    {
        var values = terms.ToNumbers();
        var width = values.Max(v => v.Key.Length);
        var isFloat32 = terms.Total.dtype == ScalarType.Float32;
        foreach (var (name, value) in values)
        {
            var number = isFloat32 ? ((float)value).ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);
            writer.WriteLine($"{name.PadRight(width)} = {number}");
        }
    }

    /// <summary>
    /// <c>{"total":x,"terms":{"bce":x,...}}</c> and a newline: the values as float64 with round-trip precision (a float32
    /// value exactly as float64); NaN and infinities, which JSON has no number for, as the strings "NaN", "Infinity", "-Infinity".
    /// </summary>
    public static void WriteJson(LossTerms terms, TextWriter writer)
    {
        var values = terms.ToNumbers();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName("total");
            WriteNumber(json, values[0].Value);
            json.WriteStartObject("terms");
            foreach (var (name, value) in values.Skip(1))
            {
                json.WritePropertyName(name);
                WriteNumber(json, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteNumber(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }
}
