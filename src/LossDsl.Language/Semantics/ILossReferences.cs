using System.Collections.Generic;
using LossDsl.Language.Syntax;

namespace LossDsl.Language.Semantics;

/// <summary>The other losses of a <c>.loss</c> file, which an expression may use by name.</summary>
internal interface ILossReferences
{
    /// <summary>Every loss name of the file, for "did you mean".</summary>
    IEnumerable<string> Names { get; }

    /// <summary>
    /// The bound expression of the loss <paramref name="reference"/> names, ready to splice in; a <see cref="BoundError"/>
    /// when it cannot be used (the reason has been reported at <paramref name="reference"/>); null when no loss has that name.
    /// </summary>
    BoundExpression? Resolve(NameSyntax reference);
}
