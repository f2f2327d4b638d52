namespace LossDsl.Benchmarks.Cases;

/// <summary>Which implementation of a loss a measurement runs.</summary>
public enum Implementation
{
    /// <summary>The class the LossDsl source generator wrote from a <c>[Loss]</c> attribute.</summary>
    Generated,

    /// <summary>The same text compiled at run time by <see cref="LossCompiler.Compile"/>.</summary>
    Compiled,

    /// <summary>The baseline: one TorchSharp module per term, written the way common PyTorch recipes write them.</summary>
    HandWritten,
}
