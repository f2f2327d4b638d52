using System;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Primitives;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

internal enum ScalarFunction
{
    Log,
    Exp,
    Sqrt,
    Abs,
    Pow,

    // log(cosh(dice)) is Jadon's log-cosh Dice (2020).
    Cosh,
}

/// <summary>The checked meaning of a loss expression: every name resolved, every argument typed and in range.</summary>
internal abstract record BoundExpression(SourceSpan Span);

internal sealed record BoundConstant(SourceSpan Span, double Value) : BoundExpression(Span);

/// <summary>A run-time scalar the signature declares (<c>a: scalar</c>), by its position in <see cref="LossSignature.Scalars"/>.</summary>
internal sealed record BoundScalarInput(SourceSpan Span, string Name, int Index) : BoundExpression(Span);

/// <summary>
/// One use of a primitive; <see cref="Written"/> is the name as written (<c>jaccard</c> stays <c>jaccard</c>) and
/// <see cref="Name"/> how it appears in <c>Terms()</c>: as written, numbered when repeated (<c>dice</c>, <c>dice_2</c>).
/// </summary>
internal sealed record BoundTerm(SourceSpan Span, string Written, string Name, PrimitiveDefinition Primitive, ImmutableArray<BoundArgument> Arguments) : BoundExpression(Span)
{
    /// <summary>The value of one of the primitive's parameters, by the catalog's declaration of it (never by name).</summary>
    public ArgumentValue this[ParameterDefinition parameter] =>
        Arguments.FirstOrDefault(a => ReferenceEquals(a.Parameter, parameter))?.Value
        ?? throw new InvalidOperationException($"{Primitive.Name} has no parameter {parameter.Name} with this target.");

    public double Number(ParameterDefinition parameter) => ((NumberValue)this[parameter]).Value;

    /// <summary>A size the binder has checked to be an integer (a window); kernels take it as <c>int</c>.</summary>
    public int Integer(ParameterDefinition parameter) => (int)Number(parameter);

    public bool Boolean(ParameterDefinition parameter) => ((BooleanValue)this[parameter]).Value;

    /// <summary>A list with a default (ms_ssim's scale_weights), as the kernel takes it.</summary>
    public double[] NumberList(ParameterDefinition parameter) => ((NumberListValue)this[parameter]).Items.ToArray();

    public string Word(ParameterDefinition parameter) => ((WordValue)this[parameter]).Word;

    /// <summary>
    /// The call with every argument spelled out, defaults included: what the term computes, in loss syntax. A parameter
    /// that only repeats the one it defaults to (smooth_nr equal to smooth) is left out.
    /// </summary>
    public string Canonical => Primitive.Name + "(" + string.Join(", ", Arguments.Where(a => !Repeats(a)).Select(a => a.Parameter.Name + ": " + a.Value.Display)) + ")";

    /// <summary>Whether the argument only repeats the parameter it defaults to (smooth_nr equal to smooth).</summary>
    public bool Repeats(BoundArgument argument) => argument.Parameter.DefaultsTo is { } source && Equals(argument.Value, this[source]);
}

/// <summary>A parameter's value for a term; <see cref="IsExplicit"/> is false where the catalog default applies.</summary>
internal sealed record BoundArgument(ParameterDefinition Parameter, ArgumentValue Value, bool IsExplicit);

internal sealed record BoundNegation(SourceSpan Span, BoundExpression Operand) : BoundExpression(Span);

internal sealed record BoundBinary(SourceSpan Span, BoundExpression Left, BinaryOperator Operator, BoundExpression Right) : BoundExpression(Span);

internal sealed record BoundFunction(SourceSpan Span, ScalarFunction Function, ImmutableArray<BoundExpression> Arguments) : BoundExpression(Span);

/// <summary>Where binding failed; its diagnostic has been reported.</summary>
internal sealed record BoundError(SourceSpan Span) : BoundExpression(Span);

internal static class ScalarFunctions
{
    public static string Name(ScalarFunction function) => function.ToString().ToLowerInvariant();

    public static int Arity(ScalarFunction function) => function == ScalarFunction.Pow ? 2 : 1;

    public static ImmutableArray<string> Names { get; } =
        Enum.GetValues(typeof(ScalarFunction)).Cast<ScalarFunction>().Select(Name).ToImmutableArray();

    public static ScalarFunction? Parse(string name) =>
        Enum.TryParse<ScalarFunction>(name, ignoreCase: true, out var f) && Name(f) == name ? f : null;
}
