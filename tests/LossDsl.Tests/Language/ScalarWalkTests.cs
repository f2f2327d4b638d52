using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LossDsl.Language;
using LossDsl.Language.Plan;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Language;

/// <summary>
/// The one walk of the folded total that generated C#, the interpreter and <c>lossdsl explain</c> share: which
/// operations a sink sees, in what order, which operands stay constants, and which need parentheses.
/// </summary>
public sealed class ScalarWalkTests
{
    [Theory]
    [InlineData("bce + 0.5 * dice", "bce + (0.5) * dice", "bce + 0.5 * dice")]
    [InlineData("bce - (dice - iou)", "bce - [dice - iou]", "bce - (dice - iou)")]
    [InlineData("(bce - dice) - iou", "bce - dice - iou", "bce - dice - iou")]
    [InlineData("bce * (dice * iou)", "bce * [dice * iou]", "bce * (dice * iou)")]
    [InlineData("(bce + dice) * iou", "[bce + dice] * iou", "(bce + dice) * iou")]
    [InlineData("dice / 4", "(0.25) * dice", "0.25 * dice")]
    [InlineData("2 / dice", "(2) / dice", "2 / dice")]
    [InlineData("-(bce + dice)", "-[bce + dice]", "-(bce + dice)")]
    [InlineData("-dice + bce", "-dice + bce", "-dice + bce")]
    [InlineData("pow(dice, 0.5) + log(bce)", "pow(dice, (0.5)) + log(bce)", "pow(dice, 0.5) + log(bce)")]
    [InlineData("pow(2, dice)", "pow((2), dice)", "pow(2, dice)")]
    [InlineData("pow(dice, iou)", "pow(dice, iou)", "pow(dice, iou)")]
    [InlineData("(1 - a) * dice + a * boundary_dist", "[(1) - <a>] * dice + <a> * boundary_dist", "(1 - a) * dice + a * boundary_dist")]
    [InlineData("2 * w * log(dice) - -a", "(2) * <w> * log(dice) + <a>", "2 * w * log(dice) + a")]
    public void Operands_are_classified_once_for_every_sink(string loss, string operations, string written)
    {
        var plan = Plan(loss);

        Assert.Equal(operations, ScalarWalk.Walk(plan.Total, new Recorder(plan)));
        Assert.Equal(written, ScalarWalk.Walk(plan.Total, new Written(plan)));
    }

    [Fact]
    public void Each_node_is_visited_once_left_to_right()
    {
        var plan = Plan("exp(bce) * (dice - iou) + 3 * tversky");
        var recorder = new Recorder(plan);

        ScalarWalk.Walk(plan.Total, recorder);

        Assert.Equal(
            new[] { "term bce", "call exp", "term dice", "term iou", "binary -", "binary *", "term tversky", "binary *", "binary +" },
            recorder.Visits);
    }

    [Fact]
    public void A_total_that_is_only_a_constant_reaches_the_sink_as_one()
    {
        var recorder = new Recorder(Plan("dice"));

        Assert.Equal("#1.5", ScalarWalk.Walk(new ScalarConstant(1.5), recorder));
        Assert.Equal(new[] { "constant 1.5" }, recorder.Visits);
    }

    private static LossPlan Plan(string text) =>
        LossFrontEnd.Compile("Walk", text, LossSignature.Default with { Scalars = ImmutableArray.Create("a", "w") }).Plan
        ?? throw new Xunit.Sdk.XunitException($"'{text}' did not compile.");

    /// <summary>Writes each operand's class, (constant) or [grouped], and records every visit.</summary>
    private sealed class Recorder : IScalarSink<string>
    {
        private readonly LossPlan plan;

        public Recorder(LossPlan plan) => this.plan = plan;

        public List<string> Visits { get; } = new();

        public string Constant(double value)
        {
            Visits.Add("constant " + NumberText.Format(value));
            return "#" + NumberText.Format(value);
        }

        public string Term(int index)
        {
            Visits.Add("term " + plan.Terms[index].Name);
            return plan.Terms[index].Name;
        }

        public string Input(int index)
        {
            Visits.Add("scalar " + plan.Signature.Scalars[index]);
            return $"<{plan.Signature.Scalars[index]}>";
        }

        public string Negate(ScalarOperand<string> operand)
        {
            Visits.Add("negate");
            return "-" + Show(operand);
        }

        public string Binary(ScalarOperand<string> left, BinaryOperator op, ScalarOperand<string> right)
        {
            Visits.Add("binary " + ScalarText.Symbol(op));
            return $"{Show(left)} {ScalarText.Symbol(op)} {Show(right)}";
        }

        public string Call(ScalarFunction function, ImmutableArray<ScalarOperand<string>> arguments)
        {
            Visits.Add("call " + ScalarFunctions.Name(function));
            return $"{ScalarFunctions.Name(function)}({string.Join(", ", arguments.Select(Show))})";
        }

        private static string Show(ScalarOperand<string> operand) =>
            operand.Constant is { } value ? $"({NumberText.Format(value)})" : operand.Grouped ? $"[{operand.Value}]" : operand.Value;
    }

    private sealed class Written : ScalarText
    {
        public Written(LossPlan plan)
            : base(plan)
        {
        }

        public override string Constant(double value) => NumberText.Format(value);

        protected override string Function(ScalarFunction function) => ScalarFunctions.Name(function);

        protected override string Scalar(string name) => name;
    }
}
