using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LossDsl.Cli;

/// <summary>
/// <c>lossdsl diff OLD NEW</c>: what changes between two versions of a loss, for a reviewer: terms added or removed,
/// arguments and weights changed, sharing gained or lost, passes over the data, and the generated C# as a unified
/// diff. Each side is loss text, a <c>.loss</c> file, or a <c>.loss</c> file at a git revision (<c>HEAD~1:path.loss</c>).
/// </summary>
internal static class DiffCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var old = new Argument<string>("old") { Description = "The old loss: loss text, a .loss file, or REV:path.loss (the file at a git revision)." };
        var @new = new Argument<string>("new") { Description = "The new loss, in any of the same forms." };
        var signature = new SignatureOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object (for bots) instead of text." };

        var command = new Command("diff", "Print what changes between two versions of a loss: its plan, and its generated C# as a unified diff.") { old, @new };
        signature.AddTo(command);
        command.Options.Add(json);

        command.SetAction(parse =>
        {
            var sides = new[] { parse.GetRequiredValue(old), parse.GetRequiredValue(@new) }.Select(Resolve).ToArray();
            if (sides.All(s => s.IsFile) && signature.FirstGiven(parse) is { } option)
            {
                LossArgument.CheckOptions(sides[0].Argument, option);
            }

            var options = signature.Read(parse, "Loss");
            var plans = sides.Select(s => s.Compile(options, stderr)).ToArray();
            if (plans.Any(p => p is null))
            {
                return ExitCodes.BadLossText;
            }

            var diffs = PlanDiff.Compare(plans[0]!, plans[1]!);
            stdout.Write(parse.GetValue(json) ? JsonSerializer.Serialize(new { losses = diffs }, Json) + "\n" : DiffText.Format(diffs));
            return ExitCodes.Success;
        });

        return command;
    }

    /// <summary>One side of the diff: loss text, a .loss file, or a .loss file's text at a git revision.</summary>
    private sealed record Side(string Argument, string? RevisionText)
    {
        public bool IsFile => LossArgument.IsFile(Argument);

        public IReadOnlyList<PlannedLoss>? Compile(LossOptions options, TextWriter stderr) =>
            RevisionText is null ? LossArgument.Compile(Argument, options, stderr) : LossArgument.CompileFile(RevisionText, Argument, stderr);
    }

    // REV:path.loss names a file at a git revision unless a file of that very name exists. The path is a path like any
    // other (relative to the current folder, or absolute), not git's path from the repository root.
    private static Side Resolve(string argument)
    {
        var colon = argument.IndexOf(':');
        if (!LossArgument.IsFile(argument) || colon <= 0 || File.Exists(argument))
        {
            return new Side(argument, null);
        }

        return new Side(argument, GitShow(argument[..colon], argument[(colon + 1)..]));
    }

    /// <exception cref="InvalidInputException">git is missing, or the revision or path does not exist.</exception>
    private static string GitShow(string revision, string path)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            throw new InvalidInputException($"'{revision}:{path}': the folder '{folder}' does not exist; git reads the file from the repository that holds it.");
        }

        // Run in the file's folder with a ./ path, so that git resolves it as the shell did, from any current folder.
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        start.ArgumentList.Add("show");
        start.ArgumentList.Add($"{revision}:./{Path.GetFileName(full)}");
        try
        {
            using var git = Process.Start(start)!;
            var error = git.StandardError.ReadToEndAsync();
            var text = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            if (git.ExitCode != 0)
            {
                throw new InvalidInputException($"'{revision}:{path}' is not a .loss file at a git revision: {error.Result.Trim()}");
            }

            return text;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidInputException($"'{revision}:{path}' names a git revision, but git cannot be run: {e.Message}");
        }
    }
}
