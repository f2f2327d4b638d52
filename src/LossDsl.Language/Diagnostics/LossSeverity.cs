namespace LossDsl.Language.Diagnostics;

internal enum LossSeverity
{
    Warning,
    Error,

    /// <summary>A suggestion: the IDE shows it, builds do not warn (a weight that makes its term negligible).</summary>
    Info,
}
