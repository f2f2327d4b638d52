using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using LossDsl.Language.Plan;

namespace LossDsl.Cli;

/// <summary>A plan to print, and the <c>.loss</c> file (its name) it comes from, or null for loss text.</summary>
internal sealed record PlannedLoss(LossPlan Plan, string? FileName);

/// <summary>
/// The argument of <c>emit</c> and <c>explain</c>: the path of a <c>.loss</c> file (every definition, each with the
/// signature the file declares), or loss text with the signature of the options.
/// </summary>
internal static class LossArgument
{
    public static Argument<string> Create() => new("loss")
    {
        Description = "A .loss file, or loss text such as \"bce + iou\" (quote it for the shell).",
    };

    /// <summary>Whether the argument names a .loss file, as the source generator tells its AdditionalFiles apart.</summary>
    public static bool IsFile(string argument) => argument.EndsWith(".loss", StringComparison.OrdinalIgnoreCase);

    /// <summary>Refuses an option that only loss text takes (<paramref name="textOnlyOption"/>, or null for none) with a file.</summary>
    /// <exception cref="InvalidInputException">The argument is a .loss file and such an option was given.</exception>
    public static void CheckOptions(string argument, string? textOnlyOption)
    {
        if (IsFile(argument) && textOnlyOption is not null)
        {
            throw new InvalidInputException($"{textOnlyOption} applies to loss text; the .loss file '{argument}' declares each loss's name and signature.");
        }
    }

    /// <summary>
    /// Compiles the argument; warnings go to <paramref name="stderr"/>. Returns null when it has errors: the diagnostics
    /// are printed on <paramref name="stderr"/>, as <c>check</c> prints them.
    /// </summary>
    /// <param name="argument">The .loss path or the loss text.</param>
    /// <param name="options">The signature (and name) of loss text; a .loss file declares its own.</param>
    /// <param name="stderr">Where diagnostics go, so that stdout stays the output.</param>
    /// <exception cref="InvalidInputException">The file cannot be read.</exception>
    public static IReadOnlyList<PlannedLoss>? Compile(string argument, LossOptions options, TextWriter stderr)
    {
        if (!IsFile(argument))
        {
            try
            {
                var plan = LossCompiler.Plan(argument, options, out var warnings);
                DiagnosticPrinter.Print(argument, warnings, stderr);
                return new[] { new PlannedLoss(plan, null) };
            }
            catch (LossCompileException e)
            {
                DiagnosticPrinter.Print(argument, e.Diagnostics, stderr);
                return null;
            }
        }

        return CompileFile(Read(argument), argument, stderr);
    }

    /// <summary>
    /// Compiles the text of a <c>.loss</c> file, as <see cref="Compile"/> does a file's: <paramref name="path"/> names
    /// it in diagnostics (a path, or <c>REV:path</c> for a file read from git).
    /// </summary>
    public static IReadOnlyList<PlannedLoss>? CompileFile(string text, string path, TextWriter stderr)
    {
        try
        {
            var losses = LossCompiler.PlanFile(text);
            DiagnosticPrinter.Print(text, losses.SelectMany(l => l.Warnings), stderr, path);
            return losses.Select(l => new PlannedLoss(l.Loss.Plan!, Path.GetFileName(path))).ToList();
        }
        catch (LossCompileException e)
        {
            DiagnosticPrinter.Print(text, e.Diagnostics, stderr, path);
            return null;
        }
    }

    private static string Read(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputException($"loss file '{path}' is a directory.");
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException($"loss file '{path}' does not exist.");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"loss file '{path}' cannot be read: {e.Message}");
        }
    }
}
