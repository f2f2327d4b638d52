using CsCheck;
using LossDsl.Language;

namespace LossDsl.Tests.Properties;

/// <summary>
/// Valid losses generated over the whole catalog compile, generate code that compiles, and compute the same numbers
/// generated and compiled at run time.
/// </summary>
public sealed class GeneratedLossProperties
{
    [Fact]
    public void Generated_valid_losses_compile_without_errors()
    {
        PropertyRun.ForAll(
            ValidLossGen.Loss,
            loss => Assert.True(LossFrontEnd.Compile("L", loss.Text, loss.Signature).Success, loss.ToString() + ": "
                + string.Join("; ", LossFrontEnd.Compile("L", loss.Text, loss.Signature).Diagnostics)),
            iterations: 3000,
            seed: 7101,
            print: loss => loss.ToString());
    }

    [Fact]
    public void Generated_code_compiles_and_agrees_with_the_run_time_compiler()
    {
        PropertyRun.ForAll(
            ValidLossGen.Loss.Array[1, 3],
            GeneratedAgreement.Holds,
            iterations: 50,
            seed: 7102,
            print: losses => string.Join("\n", losses.Select(l => l.ToString())));
    }
}
