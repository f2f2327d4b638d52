using System.Collections.Immutable;
using LossDsl.Language.Semantics;

namespace LossDsl.Tests.Properties;

/// <summary>How a generated loss is declared: a <c>[Loss]</c> attribute or a definition in a <c>.loss</c> file.</summary>
internal enum Declaration
{
    Attribute,
    LossFile,
}

/// <summary>
/// A loss text valid for its signature, with the inputs to run it on: batch size, spatial sizes (the signature's
/// static sizes among them) and the seed of the input values.
/// </summary>
internal sealed record ValidLoss(string Text, LossSignature Signature, Declaration Declaration, int Batch, ImmutableArray<int> Sizes, InputFill Fill)
{
    public int Classes => Signature.Classes!.Value;

    public long[] PredShape => [Batch, Classes, .. Sizes.Select(s => (long)s)];

    public long[] TargetShape => Signature.Target == TargetKind.Labels ? [Batch, .. Sizes.Select(s => (long)s)] : PredShape;

    /// <summary>The shape of a declared pixel map: the labels' shape, or pred's with one channel or all.</summary>
    public long[] MapShape(PixelMap map) => Signature.Target == TargetKind.Labels ? TargetShape
        : [Batch, map == PixelMap.PerChannel ? Classes : 1, .. Sizes.Select(s => (long)s)];

    /// <summary>The options that compile the same signature at run time.</summary>
    public LossOptions Options => FrontEndContract.OptionsFor(Signature);

    /// <summary>The declaration of class <paramref name="name"/>: attribute arguments or a <c>.loss</c> definition head.</summary>
    public string Declare(string name) => Declaration == Declaration.Attribute
        ? $"[Loss({Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(Text, quote: true)}{SignatureText.AttributeSettings(Signature)})] public sealed partial class {name};"
        : $"loss {name}({SignatureText.LossFileParameters(Signature)})\n    = {Text};";

    public override string ToString() =>
        $"{Text}  [{Declaration}: {Signature.Display()}; inputs {string.Join("x", PredShape)}, {Fill}]";
}

/// <summary>How the random inputs are drawn: the seed, and the share of foreground (masks) or ignored pixels (labels).</summary>
internal sealed record InputFill(int Seed, double Foreground, double Ignored, bool SoftMask)
{
    public override string ToString() =>
        FormattableString.Invariant($"seed {Seed}, foreground {Foreground}, ignored {Ignored}{(SoftMask ? ", soft mask" : string.Empty)}");
}
