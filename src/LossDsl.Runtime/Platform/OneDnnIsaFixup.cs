using System;

namespace LossDsl.Platform;

/// <summary>
/// Keeps libtorch's oneDNN on its AVX2 kernels on CPUs with AVX-512, where libtorch 2.10's oneDNN 3.7.1 computes wrong
/// convolution gradients: <c>ONEDNN_MAX_CPU_ISA=AVX2</c> in the native environment before oneDNN's first primitive.
/// </summary>
/// <remarks>
/// The fault, measured on AMD family 26 (docs/packaging.md, "The oneDNN fix-up"): float32 <c>conv2d</c>'s gradient
/// with respect to its input is wrong (relative error 0.3–0.8, sometimes NaN) whenever the layer's output channels are
/// not a multiple of 16, with one thread or two, from the <c>jit:avx512_core</c> backward-data kernel at every AVX-512
/// ISA level; the AVX2 kernels are right. oneDNN reads the variable once, so it must be set before the first
/// convolution: the package adds a module initializer calling <see cref="Apply"/> to every C# application that
/// references it, and this assembly applies it when it loads.
/// </remarks>
public static class OneDnnIsaFixup
{
    /// <summary>oneDNN's variable for the highest instruction set its kernels may use.</summary>
    public const string Variable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The variable's older name, which oneDNN still reads when <see cref="Variable"/> is unset.</summary>
    public const string LegacyVariable = "DNNL_MAX_CPU_ISA";

    /// <summary>The value set: the AVX2 kernels, whose gradients are right.</summary>
    public const string Cap = "AVX2";

    /// <summary>The run-time switch that the MSBuild property <c>LossDslSkipOneDnnFixup=true</c> writes to runtimeconfig.json.</summary>
    public const string SkipSwitch = "LossDsl.SkipOneDnnFixup";

    private static readonly Lazy<OneDnnIsaFixupState> Applied = new(ApplyOnce);

    /// <summary>What was done and why: the first call decides and sets the variable; every later call returns the same.</summary>
    public static OneDnnIsaFixupState Apply() => Applied.Value;

    /// <summary>The decision alone, from the facts it depends on (pure, for tests and <c>lossdsl doctor</c>).</summary>
    public static OneDnnIsaFixupState Decide(CpuFeatures cpu, string? value, string? legacyValue, bool skipped, bool canSetNativeEnvironment)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (skipped)
        {
            return new(OneDnnIsaFixupOutcome.Skipped, value ?? legacyValue, "turned off by LossDslSkipOneDnnFixup");
        }

        if (value is not null || legacyValue is not null)
        {
            var name = value is not null ? Variable : LegacyVariable;
            return new(OneDnnIsaFixupOutcome.UserSetting, value ?? legacyValue, $"{name} was set before LossDsl started; left as it is");
        }

        if (!cpu.Avx512Core)
        {
            return new(OneDnnIsaFixupOutcome.NotNeeded, null, "no AVX-512 on this CPU: oneDNN runs its AVX2 or older kernels, whose convolution gradients are right");
        }

        if (!canSetNativeEnvironment)
        {
            return new(OneDnnIsaFixupOutcome.Unsupported, null,
                $"AVX-512 CPU, but the native environment cannot be changed from .NET on this OS: set {Variable}={Cap} before the program starts");
        }

        return new(OneDnnIsaFixupOutcome.Applied, Cap,
            "AVX-512 CPU: libtorch 2.10's oneDNN computes wrong convolution input gradients with its AVX-512 kernels");
    }

    private static OneDnnIsaFixupState ApplyOnce()
    {
        var state = Decide(
            CpuFeatures.Current,
            NativeEnvironment.Get(Variable),
            NativeEnvironment.Get(LegacyVariable),
            AppContext.TryGetSwitch(SkipSwitch, out var skip) && skip,
            NativeEnvironment.IsSupported);
        if (state.Outcome == OneDnnIsaFixupOutcome.Applied && !NativeEnvironment.SetIfUnset(Variable, Cap))
        {
            return new(OneDnnIsaFixupOutcome.Unsupported, null, $"setting {Variable} in the native environment failed: set {Variable}={Cap} before the program starts");
        }

        return state;
    }
}

/// <summary>What <see cref="OneDnnIsaFixup"/> did.</summary>
public enum OneDnnIsaFixupOutcome
{
    /// <summary><c>ONEDNN_MAX_CPU_ISA=AVX2</c> was set for this process.</summary>
    Applied,

    /// <summary>The user had set the variable (or its older name); their value stands.</summary>
    UserSetting,

    /// <summary>The CPU has no AVX-512, so the faulty kernels never run.</summary>
    NotNeeded,

    /// <summary>The project set <c>LossDslSkipOneDnnFixup=true</c>.</summary>
    Skipped,

    /// <summary>Needed, but this OS's native environment cannot be set from .NET (Windows): the reason says what to do.</summary>
    Unsupported,
}

/// <summary>The outcome of <see cref="OneDnnIsaFixup"/>, the variable's value in effect (null: oneDNN's default), and why.</summary>
public sealed record OneDnnIsaFixupState(OneDnnIsaFixupOutcome Outcome, string? Value, string Reason);
