using static TorchSharp.torch;

namespace LossDsl.Benchmarks.HandWritten;

/// <summary>A combined loss as recipes build it: a list of term modules, each called on the raw inputs, summed.</summary>
public sealed class SumOfTerms : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor, Tensor>[] terms;

    /// <summary>Sums <paramref name="terms"/>.</summary>
    public SumOfTerms(string name, params nn.Module<Tensor, Tensor, Tensor>[] terms) : base(name)
    {
        this.terms = terms;
        for (var i = 0; i < terms.Length; i++)
        {
            register_module($"term{i}", terms[i]);
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor pred, Tensor target)
    {
        using var scope = NewDisposeScope();
        var total = terms[0].call(pred, target);
        foreach (var term in terms.Skip(1))
        {
            total = total + term.call(pred, target);
        }

        return total.MoveToOuterDisposeScope();
    }
}
