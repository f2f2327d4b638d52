using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Primitives;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>
/// Resolves a parsed expression against the <see cref="Catalog"/> and a <see cref="LossSignature"/>:
/// names, arguments, types, ranges and task rules. Reports every problem it finds and returns a tree
/// in which failed parts are <see cref="BoundError"/>, so one mistake does not hide the next.
/// </summary>
internal sealed class Binder
{
    private readonly LossSignature signature;
    private readonly DiagnosticBag diagnostics;
    private readonly ILossReferences? references;
    private readonly Dictionary<string, int> termNameCounts = new(StringComparer.Ordinal);
    // The terms this expression writes itself (not those of a referenced loss), for the linear-term analysis.
    private readonly List<BoundTerm> ownTerms = new();

    private Binder(LossSignature signature, DiagnosticBag diagnostics, ILossReferences? references)
    {
        this.signature = signature;
        this.diagnostics = diagnostics;
        this.references = references;
    }

    /// <param name="syntax">The parsed expression.</param>
    /// <param name="text">The text its spans index into (the attribute's string, or the whole <c>.loss</c> file).</param>
    /// <param name="signature">The declared inputs, which decide the task rules.</param>
    /// <param name="diagnostics">Where problems go.</param>
    /// <param name="references">Other losses of the same <c>.loss</c> file the expression may use by name.</param>
    public static BoundExpression Bind(ExpressionSyntax syntax, string text, LossSignature signature, DiagnosticBag diagnostics, ILossReferences? references = null)
    {
        var binder = new Binder(signature, diagnostics, references);
        var bound = binder.BindExpression(syntax);
        // The numerics passes read the whole tree: what the ranges prove, then what the constant factors say.
        ValueRangeAnalysis.Analyze(bound, text, syntax.Span, signature, diagnostics);
        LinearTermAnalysis.Analyze(bound, binder.ownTerms, diagnostics);
        return bound;
    }

    private BoundExpression BindExpression(ExpressionSyntax syntax) => syntax switch
    {
        NumberSyntax number => double.IsNaN(number.Value) ? new BoundError(number.Span) : new BoundConstant(number.Span, number.Value),
        NameSyntax name => BindName(name),
        CallSyntax call => BindCall(call),
        ParenthesizedSyntax parenthesized => BindExpression(parenthesized.Inner),
        UnarySyntax unary => BindNegation(unary),
        BinarySyntax binary => BindBinary(binary),
        ListSyntax list => Error(LossDiagnostics.ListNotAllowed, list.Span),
        _ => new BoundError(syntax.Span),
    };

    private BoundExpression BindName(NameSyntax name)
    {
        if (ScalarFunctions.Parse(name.Name) is { } function)
        {
            return Error(LossDiagnostics.WrongFunctionArity, name.Span, name.Name, ScalarFunctions.Arity(function).ToString(CultureInfo.InvariantCulture), "0");
        }

        return BindPrimitive(name, ImmutableArray<ArgumentSyntax>.Empty, name.Span);
    }

    private BoundExpression BindCall(CallSyntax call)
    {
        if (ScalarFunctions.Parse(call.Callee.Name) is { } function)
        {
            return BindFunction(call, function);
        }

        if (Catalog.Find(call.Callee.Name) is null && call.Arguments.All(a => a.Name is null) && call.Arguments.Length is 1 or 2)
        {
            // Looks like a misspelt function rather than a primitive ("lg(bce)"): suggest among both.
            var suggestion = NameSuggester.Suggest(call.Callee.Name, ScalarFunctions.Names);
            if (suggestion is not null)
            {
                return ErrorWithFix(LossDiagnostics.UnknownFunction, call.Callee.Span, suggestion, call.Callee.Name, NameSuggester.Suffix(suggestion));
            }
        }

        return BindPrimitive(call.Callee, call.Arguments, call.Span);
    }

    private BoundExpression BindFunction(CallSyntax call, ScalarFunction function)
    {
        var arity = ScalarFunctions.Arity(function);
        if (call.Arguments.Length != arity)
        {
            return Error(LossDiagnostics.WrongFunctionArity, call.Span, call.Callee.Name,
                arity.ToString(CultureInfo.InvariantCulture), call.Arguments.Length.ToString(CultureInfo.InvariantCulture));
        }

        if (call.Arguments.FirstOrDefault(a => a.Name is not null) is { } named)
        {
            return Error(LossDiagnostics.NamedFunctionArgument, named.Name!.Span, call.Callee.Name);
        }

        var arguments = call.Arguments.Select(a => BindExpression(a.Value)).ToImmutableArray();
        return arguments.Any(a => a is BoundError) ? new BoundError(call.Span) : new BoundFunction(call.Span, function, arguments);
    }

    private BoundExpression BindNegation(UnarySyntax unary)
    {
        var operand = BindExpression(unary.Operand);
        return operand switch
        {
            BoundError => operand,
            BoundConstant constant => new BoundConstant(unary.Span, -constant.Value),
            _ => new BoundNegation(unary.Span, operand),
        };
    }

    private BoundExpression BindBinary(BinarySyntax binary)
    {
        var left = BindExpression(binary.Left);
        var right = BindExpression(binary.Right);
        var op = binary.Operator switch
        {
            TokenKind.Plus => BinaryOperator.Add,
            TokenKind.Minus => BinaryOperator.Subtract,
            TokenKind.Star => BinaryOperator.Multiply,
            _ => BinaryOperator.Divide,
        };

        // A divisor that folds to 0 (`(1 - 1)`) divides by zero as surely as a literal one.
        if (op == BinaryOperator.Divide && ConstantFolder.TryEvaluate(right) is 0.0)
        {
            diagnostics.Add(LossDiagnostics.DivisionByZero, binary.Right.Span);
            return new BoundError(binary.Span);
        }

        return left is BoundError || right is BoundError ? new BoundError(binary.Span) : new BoundBinary(binary.Span, left, op, right);
    }

    private BoundExpression BindPrimitive(NameSyntax callee, ImmutableArray<ArgumentSyntax> arguments, SourceSpan span)
    {
        var primitive = Catalog.Find(callee.Name);
        if (primitive is null && signature.Scalars.IndexOf(callee.Name) is var scalar and >= 0)
        {
            return span != callee.Span
                ? Error(LossDiagnostics.ScalarWithArguments, span, callee.Name)
                : new BoundScalarInput(span, callee.Name, scalar);
        }

        if (primitive is null && references?.Resolve(callee) is { } referenced)
        {
            if (span != callee.Span)
            {
                return Error(LossDiagnostics.ReferenceWithArguments, span, callee.Name);
            }

            return Renumber(referenced);
        }

        if (primitive is null)
        {
            var candidates = Catalog.AllNames.Concat(ScalarFunctions.Names).Concat(signature.Scalars).Concat(references?.Names ?? Enumerable.Empty<string>());
            var suggestion = NameSuggester.Suggest(callee.Name, candidates);
            return ErrorWithFix(LossDiagnostics.UnknownPrimitive, callee.Span, suggestion, callee.Name, NameSuggester.Suffix(suggestion));
        }

        var variant = primitive.VariantFor(signature.Target);
        if (variant is null)
        {
            var needs = primitive.Supports(TargetKind.Labels) ? "needs multiclass labels" : "needs a mask target";
            return Error(LossDiagnostics.UnsupportedTask, callee.Span, callee.Name, $"{needs}, but the target is {signature.TaskName}");
        }

        var taskOk = CheckRequirements(primitive, callee);
        var argumentSpans = new Dictionary<string, SourceSpan>(StringComparer.Ordinal);
        var bound = BindArguments(primitive, variant, arguments, argumentSpans);
        if (!taskOk || bound.IsDefault || !CheckArgumentsAgainstSignature(primitive, bound, argumentSpans, callee.Span))
        {
            return new BoundError(span);
        }

        var term = new BoundTerm(span, callee.Name, NextTermName(callee.Name), primitive, bound);
        ownTerms.Add(term);

        return term;
    }

    /// <summary>Rules that tie an argument to the declared inputs: windows within static sizes, background only for labels.</summary>
    private bool CheckArgumentsAgainstSignature(PrimitiveDefinition primitive, ImmutableArray<BoundArgument> arguments, Dictionary<string, SourceSpan> spans, SourceSpan calleeSpan)
    {
        var ok = true;
        // Windows must fit the coarsest scale the term filters at: the smallest static size itself for a single scale.
        var scales = Scales(primitive, arguments);
        var smallest = signature.SmallestStaticSpatial;
        var largestWindow = smallest is { } side ? CoarsestSide(side, scales) : (int?)null;
        foreach (var argument in arguments)
        {
            var name = argument.Parameter.Name;
            var span = spans.TryGetValue(name, out var s) ? s : calleeSpan;
            if (primitive.WindowParameters.Contains(argument.Parameter) && largestWindow is { } limit
                && argument.Value is NumberValue { Value: var window } && window > limit)
            {
                var where = signature.SmallestLevel is { } level
                    ? $"the smallest static spatial size at level {level} (stride {signature.Levels!.Stride})"
                    : "the smallest static spatial size";
                diagnostics.AddWithFix(LossDiagnostics.ArgumentOutOfRange, span, Fix(argument.Parameter.Rule?.Nearest(window, limit)), name, primitive.Name,
                    scales == 1 ? $"must be at most {limit}, {where}" : $"must be at most {limit}: {scales} scales halve {where}, {smallest}, to {limit}",
                    NumberText.Format(window));
                ok = false;
            }

            if (argument.Parameter.FalseDropsBackground && argument.Value is BooleanValue { Value: false } && signature.Target == TargetKind.Mask
                && signature.Classes == 1 && !primitive.AddsBackgroundToSingleChannel)
            {
                diagnostics.Add(LossDiagnostics.UnsupportedTask, span, primitive.Name,
                    $"{name}: false would leave no channel: a single-channel mask has no background channel, its one channel is the foreground");
                ok = false;
            }

            foreach (var rule in argument.Parameter.WordRules)
            {
                if (argument.Value is WordValue word && word.Word == rule.Word && rule.Applies(signature))
                {
                    diagnostics.Add(rule.Descriptor, span, primitive.Name, $"{name}: {rule.Word} {rule.Reason(signature)}");
                    ok &= rule.Descriptor.Severity == LossSeverity.Warning;
                }
            }
        }

        foreach (var conflict in primitive.Conflicts)
        {
            var other = arguments.FirstOrDefault(a => ReferenceEquals(a.Parameter, conflict.Other));
            if (other is { IsExplicit: true } && !Equals(other.Value, conflict.Other.Default)
                && arguments.Any(a => ReferenceEquals(a.Parameter, conflict.When) && Equals(a.Value, conflict.Is)))
            {
                diagnostics.Add(LossDiagnostics.ConflictingArguments, spans[conflict.Other.Name], conflict.Other.Name, primitive.Name,
                    $"{conflict.When.Name}: {conflict.Is.Display}", conflict.Reason);
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Gives the terms of a referenced loss this loss's numbering (<c>dice</c>, <c>dice_2</c>, ...).</summary>
    private BoundExpression Renumber(BoundExpression expression) => expression switch
    {
        BoundTerm term => term with { Name = NextTermName(term.Written) },
        BoundNegation negation => negation with { Operand = Renumber(negation.Operand) },
        BoundBinary binary => binary with { Left = Renumber(binary.Left), Right = Renumber(binary.Right) },
        BoundFunction function => function with { Arguments = function.Arguments.Select(Renumber).ToImmutableArray() },
        _ => expression,
    };

    private static string WeightMapTerms { get; } = string.Join(", ", Catalog.Primitives.Where(p => p.AllowsPixelWeight).Select(p => p.Name));

    private bool CheckRequirements(PrimitiveDefinition primitive, NameSyntax callee)
    {
        string? problem = null;
        if (primitive.RequiresLogits && signature.Input != InputKind.Logits)
        {
            problem = $"needs logits, but pred is declared as {(signature.Input == InputKind.Probabilities ? "probabilities" : "log-probabilities")}";
        }
        else if (primitive.RequiresSingleChannel && signature.Classes is { } classes && classes != 1)
        {
            problem = $"needs a single-channel mask (C = 1), but C is {classes}";
        }
        else if (!signature.AnySpatialRank && !primitive.Supports(signature.Spatial.Length))
        {
            problem = $"needs {(primitive.SpatialRanks.Length == 1 ? "exactly " : string.Empty)}{primitive.SpatialRanksText} spatial dims, but the signature has {signature.Spatial.Length}";
        }
        else if (primitive.SpatialFilters && signature.IgnoreIndex is not null)
        {
            problem = "cannot be used with an ignore index: its spatial filters would mix ignored pixels into kept ones";
        }
        else if (primitive.SpatialFilters && signature.Valid is not null)
        {
            problem = "cannot be used with a valid mask: its spatial filters would mix left-out pixels into kept ones";
        }
        else if (!primitive.AllowsPixelWeight && signature.PixelWeight is not null)
        {
            problem = $"cannot be weighted by a pixel weight map: {WeightMapTerms} take one (docs/language.md, \"Pixel weight maps and valid masks\")";
        }

        if (problem is null)
        {
            return true;
        }

        diagnostics.Add(LossDiagnostics.UnsupportedTask, callee.Span, callee.Name, problem);
        return false;
    }

    /// <summary>Matches arguments to parameters; returns default when any argument was wrong (all are still checked).</summary>
    /// <summary>The number of scales a term filters at: the length of its scale list, 1 for a single-scale window.</summary>
    private static int Scales(PrimitiveDefinition primitive, ImmutableArray<BoundArgument> arguments) =>
        primitive.ScaleParameter is { } scales && arguments.FirstOrDefault(a => a.Parameter == scales)?.Value is NumberListValue list ? list.Items.Length : 1;

    /// <summary>A side after <paramref name="scales"/> − 1 halvings that round up (2×2 pooling with odd sides padded).</summary>
    private static int CoarsestSide(int side, int scales) => (int)(((long)side + (1L << (scales - 1)) - 1) >> (scales - 1));

    private ImmutableArray<BoundArgument> BindArguments(PrimitiveDefinition primitive, PrimitiveVariant variant, ImmutableArray<ArgumentSyntax> arguments, Dictionary<string, SourceSpan> spans)
    {
        var parameters = variant.Parameters;
        var values = new ArgumentValue?[parameters.Length];
        var ok = true;
        var seenNamed = false;
        for (var i = 0; i < arguments.Length; i++)
        {
            var argument = arguments[i];
            int index;
            if (argument.Name is { } name)
            {
                seenNamed = true;
                if (variant.Find(name.Name) is not { } named)
                {
                    var suggestion = NameSuggester.Suggest(name.Name, parameters.Select(p => p.Name));
                    diagnostics.AddWithFix(LossDiagnostics.UnknownParameter, name.Span, suggestion, primitive.Name, name.Name, NameSuggester.Suffix(suggestion));
                    ok = false;
                    continue;
                }

                index = parameters.IndexOf(named);
            }
            else if (seenNamed)
            {
                diagnostics.Add(LossDiagnostics.PositionalAfterNamed, argument.Span, i < parameters.Length ? parameters[i].Name : "name");
                ok = false;
                continue;
            }
            else if (i >= parameters.Length)
            {
                diagnostics.Add(LossDiagnostics.TooManyArguments, argument.Span, primitive.Name,
                    parameters.Length.ToString(CultureInfo.InvariantCulture),
                    parameters.IsEmpty ? "it has no parameters" : string.Join(", ", parameters.Select(p => p.Name)));
                ok = false;
                continue;
            }
            else
            {
                index = i;
            }

            var parameter = parameters[index];
            if (values[index] is not null)
            {
                diagnostics.Add(LossDiagnostics.DuplicateArgument, argument.Span, parameter.Name, primitive.Name);
                ok = false;
                continue;
            }

            var value = ConvertArgument(primitive, parameter, argument.Value);
            spans[parameter.Name] = argument.Value.Span;
            ok &= value is not null;
            values[index] = value ?? NoValue.Instance;
        }

        if (!ok)
        {
            return default;
        }

        return parameters.Select((p, i) => new BoundArgument(p, values[i] ?? DefaultOf(p), values[i] is not null)).ToImmutableArray();

        // A parameter that defaults to another takes that one's value, given or default (smooth_nr is smooth unless given).
        ArgumentValue DefaultOf(ParameterDefinition parameter) =>
            parameter.DefaultsTo is { } source && parameters.IndexOf(source) is var at and >= 0 ? values[at] ?? DefaultOf(source) : parameter.Default;
    }

    private ArgumentValue? ConvertArgument(PrimitiveDefinition primitive, ParameterDefinition parameter, ExpressionSyntax value)
    {
        switch (parameter.Kind)
        {
            case ParameterKind.Number:
                if (value is NameSyntax word && parameter.AllowedWords.Contains(word.Name))
                {
                    return new WordValue(word.Name);
                }

                if (ConstantFolder.TryEvaluate(value) is { } number)
                {
                    return CheckRange(primitive, parameter, value, number) ? new NumberValue(number) : null;
                }

                break;

            case ParameterKind.Boolean when value is NameSyntax { Name: "true" or "false" } flag:
                return new BooleanValue(flag.Name == "true");

            case ParameterKind.Word when value is NameSyntax choice && parameter.AllowedWords.Contains(choice.Name):
                return new WordValue(choice.Name);

            case ParameterKind.NumberList when value is ListSyntax list:
                return ConvertList(primitive, parameter, list);
        }

        diagnostics.Add(LossDiagnostics.WrongArgumentType, value.Span, parameter.Name, primitive.Name, parameter.Describe(), DescribeGiven(value));
        return null;
    }

    private ArgumentValue? ConvertList(PrimitiveDefinition primitive, ParameterDefinition parameter, ListSyntax list)
    {
        var items = ImmutableArray.CreateBuilder<double>(list.Items.Length);
        var ok = true;
        foreach (var item in list.Items)
        {
            if (ConstantFolder.TryEvaluate(item) is not { } number)
            {
                diagnostics.Add(LossDiagnostics.WrongArgumentType, item.Span, parameter.Name, primitive.Name, "numbers in its list", DescribeGiven(item));
                ok = false;
            }
            else if (!NumberRule.NonNegative.Accepts(number))
            {
                diagnostics.AddWithFix(LossDiagnostics.ArgumentOutOfRange, item.Span, Fix(NumberRule.NonNegative.Nearest(number)), parameter.Name, primitive.Name,
                    "entries " + NumberRule.NonNegative.Describe(), NumberText.Format(number));
                ok = false;
            }
            else
            {
                items.Add(number);
            }
        }

        if (ok && !parameter.OnePerClass && items.Count == 0)
        {
            diagnostics.Add(LossDiagnostics.ArgumentOutOfRange, list.Span, parameter.Name, primitive.Name, "needs at least one entry", "an empty list");
            ok = false;
        }

        if (ok && parameter.OnePerClass && signature.Classes is { } classes && items.Count != classes)
        {
            diagnostics.Add(LossDiagnostics.ArgumentOutOfRange, list.Span, parameter.Name, primitive.Name,
                $"must have one entry per class ({classes})", $"{items.Count} entries");
            ok = false;
        }

        if (ok && items.Count > 0 && items.All(w => w == 0))
        {
            diagnostics.Add(LossDiagnostics.ZeroWeights, list.Span, parameter.Name, primitive.Name, parameter.OnePerClass
                ? "the weighted mean divides 0 by 0; give at least one class a positive weight"
                : "every factor is 1 and the term is always 0: it trains nothing; give at least one scale a positive weight");
        }

        return ok ? new NumberListValue(items.ToImmutable()) : null;
    }

    private bool CheckRange(PrimitiveDefinition primitive, ParameterDefinition parameter, ExpressionSyntax value, double number)
    {
        if (parameter.Rule is not { } rule || rule.Accepts(number))
        {
            return true;
        }

        diagnostics.AddWithFix(LossDiagnostics.ArgumentOutOfRange, value.Span, Fix(rule.Nearest(number)), parameter.Name, primitive.Name, rule.Describe(), NumberText.Format(number));
        return false;
    }

    /// <summary>A number as the quick fix writes it in place of the one out of range.</summary>
    private static string? Fix(double? nearest) => nearest is { } value ? NumberText.Format(value) : null;

    private string NextTermName(string written)
    {
        termNameCounts.TryGetValue(written, out var count);
        termNameCounts[written] = ++count;
        return count == 1 ? written : $"{written}_{count}";
    }

    private BoundError Error(LossDiagnosticDescriptor descriptor, SourceSpan span, params string[] arguments) =>
        ErrorWithFix(descriptor, span, null, arguments);

    /// <summary>An error with its quick fix, <paramref name="replacement"/> for <paramref name="span"/> (none when null).</summary>
    private BoundError ErrorWithFix(LossDiagnosticDescriptor descriptor, SourceSpan span, string? replacement, params string[] arguments)
    {
        diagnostics.AddWithFix(descriptor, span, replacement, arguments);
        return new BoundError(span);
    }

    private static string DescribeGiven(ExpressionSyntax value) => value switch
    {
        NameSyntax name => $"'{name.Name}'",
        ListSyntax => "a list",
        NumberSyntax number => number.Text,
        MissingSyntax => "nothing",
        _ => "an expression",
    };

}
