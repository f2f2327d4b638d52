namespace LossDsl.Language.Plan;

/// <summary>
/// A constant tensor that depends only on the loss text (SSIM's Gaussian window): computed once when the module is
/// constructed, kept as a module buffer so <c>module.to(device, dtype)</c> moves it, and read by the terms under
/// <see cref="Local"/>. <see cref="Call"/> takes constants only.
/// </summary>
internal sealed record PlanBuffer(string Local, KernelCall Call);
