using System.Collections.Immutable;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using LossDsl.Language.Emit;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli;

/// <summary>
/// <c>lossdsl emit &lt;file.loss | "expression"&gt;</c>: prints the C# the source generator produces for the loss, the
/// same text byte for byte: a whole <c>public sealed partial</c> class, as for a <c>.loss</c> file.
/// </summary>
internal static class EmitCommand
{
    private static readonly Regex Identifier = new("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var loss = LossArgument.Create();
        var signature = new SignatureOptions();
        var name = new Option<string>("--name")
        {
            Description = "The class name for loss text (a .loss file names its classes).",
            HelpName = "ClassName",
            DefaultValueFactory = _ => "Loss",
        };
        var ns = new Option<string?>("--namespace") { Description = "The namespace of the generated classes (default: none).", HelpName = "Ns" };

        var command = new Command("emit", "Print the C# the source generator produces for a .loss file or for loss text.") { loss };
        signature.AddTo(command);
        command.Options.Add(name);
        command.Options.Add(ns);

        command.SetAction(parse =>
        {
            var argument = parse.GetRequiredValue(loss);
            var className = parse.GetRequiredValue(name);
            var namespaceName = parse.GetValue(ns);
            LossArgument.CheckOptions(argument, signature.FirstGiven(parse) ?? (parse.GetResult(name) is { Implicit: false } ? "--name" : null));
            CheckClassName(className);
            CheckNamespace(namespaceName);

            var plans = LossArgument.Compile(argument, signature.Read(parse, className), stderr);
            if (plans is null)
            {
                return ExitCodes.BadLossText;
            }

            // As the generator declares a .loss definition's class. The plan's name is the class name: --name for loss
            // text, the definition's name in a file.
            var sources = plans.Select(p => CSharpEmitter.Emit(
                p.Plan, new GeneratedType(namespaceName, ImmutableArray<string>.Empty, p.Plan.Name, "public sealed partial"), p.FileName));
            stdout.Write(string.Join("\n", sources));
            return ExitCodes.Success;
        });

        return command;
    }

    private static void CheckClassName(string name)
    {
        if (!Identifier.IsMatch(name))
        {
            throw new InvalidInputException($"--name '{name}' is not a class name: letters, digits and '_', not starting with a digit.");
        }

        if (LossFileBinder.InvalidNameReason(name) is { } reason)
        {
            throw new InvalidInputException($"--name '{name}' cannot name the loss: {reason}.");
        }
    }

    private static void CheckNamespace(string? ns)
    {
        if (ns is not null && ns.Split('.').FirstOrDefault(part => !Identifier.IsMatch(part) || LossFileBinder.IsCSharpKeyword(part)) is { } bad)
        {
            throw new InvalidInputException($"--namespace '{ns}' is not a namespace: '{bad}' is not an identifier (dot-separated names, no C# keywords).");
        }
    }
}
