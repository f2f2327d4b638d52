using System;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// What a back end does with each operation of the folded total. <see cref="ScalarWalk"/> visits the tree once, in the
/// plan's order, and hands each sink its operands already classified; the C# emitter, the interpreter and
/// <c>lossdsl explain</c> implement only the operations.
/// </summary>
internal interface IScalarSink<T>
{
    /// <summary>A total that is a constant and nothing else; a constant operand comes as <see cref="ScalarOperand{T}.Constant"/>.</summary>
    T Constant(double value);

    /// <summary>The value of <see cref="LossPlan.Terms"/>[<paramref name="index"/>].</summary>
    T Term(int index);

    /// <summary>The run-time scalar <see cref="LossSignature.Scalars"/>[<paramref name="index"/>].</summary>
    T Input(int index);

    T Negate(ScalarOperand<T> operand);

    T Binary(ScalarOperand<T> left, BinaryOperator op, ScalarOperand<T> right);

    T Call(ScalarFunction function, ImmutableArray<ScalarOperand<T>> arguments);
}

/// <summary>
/// An operand as a sink receives it: a <see cref="Constant"/>, or the <see cref="Value"/> of a sub-expression in the
/// sink's terms. A constant stays a number: generated C# then calls the <c>double</c> overloads (<c>2.0 * dice</c>,
/// <c>pow(x, 0.5)</c>), which round differently from their all-tensor forms, and the interpreter must call the same.
/// <see cref="Grouped"/> says that, written infix, the operand needs parentheses: an operation of lower precedence than
/// its parent, or of equal precedence on the right (<c>a - (b - c)</c>, and <c>a * (b * c)</c> too, so that generated
/// code multiplies in the plan's order), or any operation under a negation.
/// </summary>
internal readonly record struct ScalarOperand<T>(T Value, double? Constant, bool Grouped);

internal static class ScalarWalk
{
    public static T Walk<T>(ScalarNode node, IScalarSink<T> sink) => node switch
    {
        ScalarConstant c => sink.Constant(c.Value),
        ScalarTerm t => sink.Term(t.Index),
        ScalarInput i => sink.Input(i.Index),
        ScalarNegation n => sink.Negate(Operand(n.Operand, sink, grouped: n.Operand is ScalarBinary)),
        ScalarBinary b => sink.Binary(
            Operand(b.Left, sink, grouped: NeedsParentheses(b.Left, b, isRight: false)),
            b.Operator,
            Operand(b.Right, sink, grouped: NeedsParentheses(b.Right, b, isRight: true))),
        ScalarCall call => sink.Call(call.Function, call.Arguments.Select(a => Operand(a, sink, grouped: false)).ToImmutableArray()),
        _ => throw new InvalidOperationException($"Unknown scalar node {node}."),
    };

    private static ScalarOperand<T> Operand<T>(ScalarNode node, IScalarSink<T> sink, bool grouped) =>
        node is ScalarConstant c ? new(default!, c.Value, grouped) : new(Walk(node, sink), null, grouped);

    private static bool NeedsParentheses(ScalarNode operand, ScalarBinary parent, bool isRight) =>
        operand is ScalarBinary child
        && (Precedence(child.Operator) < Precedence(parent.Operator)
            || (isRight && Precedence(child.Operator) == Precedence(parent.Operator)));

    private static int Precedence(BinaryOperator op) => op is BinaryOperator.Add or BinaryOperator.Subtract ? 1 : 2;
}
