using LossDsl.Language.Emit;
using LossDsl.Language.Semantics;

namespace LossDsl.Generator.Model;

/// <summary>
/// What the generator needs from one <c>[Loss]</c> class, as plain values: the type's place, the loss text,
/// its signature and where the text sits in the file. Holds no symbol, node, tree or location.
/// </summary>
internal sealed record LossDeclaration(
    GeneratedType Type,
    string Text,
    LossSignature Signature,
    TextOrigin Origin,
    EquatableArray<DiagnosticInfo> DeclarationDiagnostics);
