using System.Collections.Immutable;

namespace LossDsl.Language.Diagnostics;

/// <summary>
/// Every diagnostic LossDsl reports. IDs are stable: never renumber, only add.
/// LOSS00xx syntax, LOSS01xx names, arguments and references, LOSS02xx tasks and shapes, LOSS03xx declarations, LOSS09xx warnings
/// and suggestions.
/// docs/diagnostics.md has an entry per ID; a test keeps the two in step.
/// </summary>
internal static class LossDiagnostics
{
    private const string Syntax = "LossDsl.Syntax";
    private const string Semantics = "LossDsl.Semantics";
    private const string Declaration = "LossDsl.Declaration";

    public static readonly LossDiagnosticDescriptor UnexpectedCharacter = new(
        "LOSS0001", "Unexpected character", "Unexpected character '{0}' in loss text", LossSeverity.Error, Syntax);

    public static readonly LossDiagnosticDescriptor ExpectedToken = new(
        "LOSS0002", "Expected token", "Expected {0} but found {1}", LossSeverity.Error, Syntax);

    public static readonly LossDiagnosticDescriptor InvalidNumber = new(
        "LOSS0003", "Invalid number", "'{0}' is not a valid number", LossSeverity.Error, Syntax);

    public static readonly LossDiagnosticDescriptor TooDeep = new(
        "LOSS0004", "Expression too deep", "The expression is nested too deeply or chains too many terms (the limit is {0} levels); split it into named losses", LossSeverity.Error, Syntax);

    public static readonly LossDiagnosticDescriptor UnknownPrimitive = new(
        "LOSS0100", "Unknown loss", "Unknown loss '{0}'{1}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor UnknownParameter = new(
        "LOSS0101", "Unknown parameter", "'{0}' has no parameter '{1}'{2}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor TooManyArguments = new(
        "LOSS0102", "Too many positional arguments", "'{0}' takes at most {1} positional argument(s): {2}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor DuplicateArgument = new(
        "LOSS0103", "Duplicate argument", "Parameter '{0}' of '{1}' is given more than once", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor WrongArgumentType = new(
        "LOSS0104", "Wrong argument type", "Parameter '{0}' of '{1}' expects {2}, not {3}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor ArgumentOutOfRange = new(
        "LOSS0105", "Argument out of range", "Parameter '{0}' of '{1}' {2}, not {3}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor PositionalAfterNamed = new(
        "LOSS0106", "Positional argument after a named one", "A positional argument cannot follow a named argument; name it (for example '{0}: ...')", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor UnknownFunction = new(
        "LOSS0107", "Unknown function", "Unknown function '{0}'{1}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor WrongFunctionArity = new(
        "LOSS0108", "Wrong number of function arguments", "'{0}' takes {1} argument(s), not {2}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor NamedFunctionArgument = new(
        "LOSS0109", "Named argument to a scalar function", "'{0}' takes plain arguments, not named ones", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor ListNotAllowed = new(
        "LOSS0110", "List outside an argument", "A list is only allowed as the value of a parameter such as 'weight'", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor DivisionByZero = new(
        "LOSS0111", "Division by zero", "Division by a constant zero", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor NoTerms = new(
        "LOSS0112", "Loss without terms", "The loss has no terms; write at least one primitive such as 'bce' or 'dice'", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor CyclicReference = new(
        "LOSS0113", "Cyclic loss reference", "'{0}' refers to itself: {1}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor ReferenceSignatureMismatch = new(
        "LOSS0114", "Referenced loss has another signature", "'{0}' is declared for ({1}) but '{2}' for ({3}); a loss can only use losses with the same signature", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor ReferenceWithArguments = new(
        "LOSS0115", "Arguments to a loss reference", "'{0}' is a loss defined in this file and takes no arguments", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor ReferenceToBrokenLoss = new(
        "LOSS0116", "Reference to a loss with errors", "'{0}' uses '{1}', which has errors; fix those first", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor ConflictingArguments = new(
        "LOSS0117", "Arguments that cannot be combined", "'{0}' of '{1}' cannot be given with {2}: {3}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor ScalarWithArguments = new(
        "LOSS0118", "Arguments to a scalar input", "'{0}' is a scalar input of the signature, a number the training loop sets; it takes no arguments", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor UnsupportedTask = new(
        "LOSS0200", "Primitive does not support the task", "'{0}' {1}", LossSeverity.Error, Semantics);

    public static readonly LossDiagnosticDescriptor NotPartial = new(
        "LOSS0300", "Loss class must be partial", "Class '{0}' must be declared 'partial' so LossDsl can generate its loss", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor HasBaseClass = new(
        "LOSS0301", "Loss class cannot have a base class", "Class '{0}' cannot declare a base class: LossDsl makes it a TorchSharp Module<Tensor, Tensor, Tensor>", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor TextNotConstant = new(
        "LOSS0302", "Loss text must be a constant string", "The loss text must be a constant string", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor InvalidSignature = new(
        "LOSS0303", "Invalid loss signature", "{0}", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor UnsupportedClass = new(
        "LOSS0304", "Unsupported loss class", "Class '{0}' cannot be {1}: a loss module is a plain sealed or non-sealed class", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor DuplicateDefinition = new(
        "LOSS0305", "Duplicate loss name", "A loss named '{0}' is already defined in this file", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor InvalidDefinitionName = new(
        "LOSS0306", "Invalid loss name", "'{0}' cannot name a loss: {1}", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor DefinedInAnotherFile = new(
        "LOSS0307", "Loss name defined in two files", "A loss named '{0}' is already defined in '{1}'; the .loss files of a project share one namespace, so give one of them another name", LossSeverity.Error, Declaration);

    public static readonly LossDiagnosticDescriptor ZeroTerm = new(
        "LOSS0900", "Term multiplied by zero", "This product is always 0, so its terms do not train anything; remove it or change the factor", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor ZeroWeights = new(
        "LOSS0901", "Weights all zero", "Every weight in '{0}' of '{1}' is 0, so {2}", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor RepeatedTerm = new(
        "LOSS0902", "Repeated identical term", "'{0}' appears more than once with the same arguments; write a factor instead (for example '2 * {0}')", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor ZeroLevelWeights = new(
        "LOSS0903", "Level weights all zero", "Every level weight is 0, so the loss is always 0 and trains nothing; give at least one level a positive weight", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor RawScoresAsProbabilities = new(
        "LOSS0904", "Term reads raw scores as probabilities", "'{0}' with {1}", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor OutsideDomain = new(
        "LOSS0905", "Function outside its domain", "'{0}' {1}, where {2}; {3}", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor DivisionByPossibleZero = new(
        "LOSS0906", "Division by a value that can be 0", "'{0}' {1}, where the quotient is infinite; {2}", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor ConstantTerm = new(
        "LOSS0907", "Constant term", "'{0}' is {1} whatever '{2}' is, so it trains nothing; remove it", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor CancellingTerms = new(
        "LOSS0908", "Terms that cancel", "The factors of '{0}' add up to 0, so it cancels and trains nothing; remove every occurrence or change a factor", LossSeverity.Warning, Semantics);

    public static readonly LossDiagnosticDescriptor NegligibleWeight = new(
        "LOSS0909", "Negligible weight", "'{0}' weighs {1}, a millionth or less of '{2}' ({3}): float32 rounds it away from their sum and gradient; raise its weight or remove it", LossSeverity.Info, Semantics);

    public static readonly LossDiagnosticDescriptor Float16Overflow = new(
        "LOSS0910", "Loss beyond float16's range", "'{0}' can reach {1}, beyond float16's largest value (65,504): pred is declared float16, so the loss comes back in float16 and would be infinite; weigh it down, or train in float32", LossSeverity.Warning, Semantics);

    public static ImmutableArray<LossDiagnosticDescriptor> All { get; } = ImmutableArray.Create(
        UnexpectedCharacter, ExpectedToken, InvalidNumber, TooDeep,
        UnknownPrimitive, UnknownParameter, TooManyArguments, DuplicateArgument, WrongArgumentType, ArgumentOutOfRange,
        PositionalAfterNamed, UnknownFunction, WrongFunctionArity, NamedFunctionArgument, ListNotAllowed, DivisionByZero, NoTerms,
        CyclicReference, ReferenceSignatureMismatch, ReferenceWithArguments, ReferenceToBrokenLoss, ConflictingArguments, ScalarWithArguments,
        UnsupportedTask,
        NotPartial, HasBaseClass, TextNotConstant, InvalidSignature, UnsupportedClass, DuplicateDefinition, InvalidDefinitionName,
        DefinedInAnotherFile, ZeroTerm, ZeroWeights, RepeatedTerm, ZeroLevelWeights, RawScoresAsProbabilities,
        OutsideDomain, DivisionByPossibleZero, ConstantTerm, CancellingTerms, NegligibleWeight, Float16Overflow);
}
