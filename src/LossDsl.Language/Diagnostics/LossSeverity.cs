namespace LossDsl.Language.Diagnostics;

internal enum LossSeverity
{
    Warning,
    Error,
}
