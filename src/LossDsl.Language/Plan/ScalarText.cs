using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Plan;

/// <summary>
/// The folded total written infix, parenthesised only where <see cref="ScalarOperand{T}.Grouped"/> says: generated C#
/// and <c>lossdsl explain</c> differ only in how they spell numbers, terms and functions.
/// </summary>
internal abstract class ScalarText : IScalarSink<string>
{
    private readonly LossPlan plan;

    protected ScalarText(LossPlan plan) => this.plan = plan;

    public abstract string Constant(double value);

    /// <summary>A term by its name, which is the generated code's local too.</summary>
    public string Term(int index) => plan.Terms[index].Name;

    /// <summary>A run-time scalar as the text spells it (its name in loss text, a local in generated code).</summary>
    public string Input(int index) => Scalar(plan.Signature.Scalars[index]);

    protected abstract string Scalar(string name);

    protected abstract string Function(ScalarFunction function);

    public string Negate(ScalarOperand<string> operand) => "-" + Written(operand);

    public string Binary(ScalarOperand<string> left, BinaryOperator op, ScalarOperand<string> right) =>
        $"{Written(left)} {Symbol(op)} {Written(right)}";

    public string Call(ScalarFunction function, ImmutableArray<ScalarOperand<string>> arguments) =>
        $"{Function(function)}({string.Join(", ", arguments.Select(Written))})";

    private string Written(ScalarOperand<string> operand)
    {
        var text = operand.Constant is { } number ? Constant(number) : operand.Value;
        return operand.Grouped ? $"({text})" : text;
    }

    /// <summary>An operator as loss text and C# both write it.</summary>
    public static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        _ => "/",
    };
}
