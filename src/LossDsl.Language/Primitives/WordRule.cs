using System;
using LossDsl.Language.Diagnostics;
using LossDsl.Language.Semantics;

namespace LossDsl.Language.Primitives;

/// <summary>
/// A word argument that does not fit every signature: where <see cref="Applies"/> holds for the declared inputs, the
/// argument <see cref="Word"/> gets <see cref="Descriptor"/> (an error, or a warning that the term is probably a
/// mistake) on its characters, saying <see cref="Reason"/> after the parameter and word.
/// </summary>
internal sealed record WordRule(string Word, Func<LossSignature, bool> Applies, LossDiagnosticDescriptor Descriptor, Func<LossSignature, string> Reason);
