using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;
using LossDsl.Cli.Port;

namespace LossDsl.Cli;

/// <summary>
/// <c>lossdsl port "&lt;peer call&gt;"</c>: a MONAI, smp, kornia or torchvision loss as LossDsl text, with the signature it
/// is written for, how to pass the inputs, and where the numbers would differ (docs/porting.md has the table).
/// </summary>
internal static class PortCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var call = new Argument<string>("call")
        {
            Description = "The peer's call as Python, for example \"monai.losses.DiceCELoss(to_onehot_y=True, softmax=True, lambda_dice=0.5)\" (quote it for the shell).",
        };
        var classes = new Option<int?>("--classes")
        {
            Description = "The number of channels/classes in dim 1 of pred, for translations that depend on it.",
            HelpName = "N",
        };
        var json = new Option<bool>("--json") { Description = "Print the translation as JSON and nothing else." };
        var command = new Command("port", "Translate a MONAI, smp, kornia or torchvision loss call into LossDsl text; exit code 0 when it gives the same numbers.")
        {
            call, classes, json,
        };

        command.SetAction(parse =>
        {
            var count = parse.GetValue(classes);
            if (count is < 1)
            {
                stderr.WriteLine($"--classes must be at least 1, not {count}");
                return ExitCodes.BadInput;
            }

            PortedLoss ported;
            try
            {
                ported = PeerLosses.Port(parse.GetRequiredValue(call), count);
            }
            catch (PortException e)
            {
                stderr.WriteLine($"cannot port: {e.Message}");
                return ExitCodes.BadInput;
            }

            // The translation is compiled for its signature: text that does not compile is a bug of the port, not the user's.
            try
            {
                using var _ = LossCompiler.Compile(ported.Loss, ported.Options);
            }
            catch (LossCompileException e)
            {
                stderr.WriteLine($"internal error: the port wrote '{ported.Loss}', which does not compile:");
                DiagnosticPrinter.Print(ported.Loss, e.Diagnostics, stderr);
                return ExitCodes.BadLossText;
            }

            var text = parse.GetRequiredValue(call).Trim();
            stdout.Write(parse.GetValue(json) ? Json(text, ported) : Text(text, ported));
            return ported.Exact ? ExitCodes.Success : ExitCodes.NotExact;
        });

        return command;
    }

    private static string Text(string call, PortedLoss ported)
    {
        var lines = new[]
        {
            $"peer:      {call}",
            $"loss:      {ported.Loss}",
            $"signature: {ported.Signature}",
            $".loss:     loss Ported({ported.Signature}) = {ported.Loss};",
            $"attribute: {Attribute(ported)}",
        }
        .Concat(ported.Notes.Select(n => $"note:      {n}"))
        .Concat(ported.Differences.Select(d => $"differs:   {d}"))
        .Append(ported.Exact ? "exact:     the same value and gradient" : "exact:     no (see 'differs')");
        return string.Join("\n", lines) + "\n";
    }

    /// <summary>The <c>[Loss]</c> attribute with the settings the signature needs.</summary>
    private static string Attribute(PortedLoss ported)
    {
        var o = ported.Options;
        var settings = new[]
        {
            o.Input == LossInput.Probabilities ? "Input = LossInput.Probabilities" : null,
            o.Target == LossTarget.Labels ? "Target = LossTarget.Labels" : null,
            o.Classes is { } c ? $"Classes = {c}" : null,
            o.IgnoreIndex is { } i ? $"IgnoreIndex = {i}" : null,
            o.ValidMask != LossPixelMap.None ? $"ValidMask = LossPixelMap.{o.ValidMask}" : null,
        }.OfType<string>();
        // Loss text has no quotes or backslashes to escape.
        return $"[Loss(\"{ported.Loss}\"{string.Concat(settings.Select(s => ", " + s))})]";
    }

    private static string Json(string call, PortedLoss ported) => JsonSerializer.Serialize(new
    {
        peer = call,
        loss = ported.Loss,
        signature = ported.Signature,
        input = ported.Input == LossInput.Probabilities ? "probabilities" : "logits",
        target = ported.Target == LossTarget.Labels ? "labels" : "mask",
        classes = ported.Classes,
        ignore_index = ported.IgnoreIndex,
        valid_mask = ported.ValidMask,
        attribute = Attribute(ported),
        exact = ported.Exact,
        notes = ported.Notes,
        differences = ported.Differences,
    }, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
}
