namespace LossDsl.Kernels;

/// <summary>Whose labels a statistics node of class indices checks: the loss's name and its ignore index, for the message.</summary>
internal sealed record LabelsOf(string Loss, int? IgnoreIndex);
