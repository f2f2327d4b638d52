using System;
using System.Runtime.InteropServices;

namespace BasNetSegmentation;

/// <summary>
/// Makes libtorch's idle CPU threads sleep instead of spin, unless the user chose otherwise.
/// </summary>
/// <remarks>
/// On Linux libtorch runs its CPU kernels on GNU OpenMP threads, which by default spin while they wait for work. When
/// other processes compete for the cores, a spinning thread holds a core its partner needs: on a busy 2-core machine an
/// epoch (of a 12-channel model) took 177 s with 2 threads, 19 s with 1 thread, and 19–25 s with 2 passive threads.
/// OpenMP reads the variable once, when libtorch is loaded, from the native environment (which
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change on Unix): so this calls the C
/// library's <c>setenv</c>, before the first TorchSharp call.
/// </remarks>
internal static class OpenMpWaitPolicy
{
    private const string Variable = "OMP_WAIT_POLICY";
    private const string Libc = "libc.so.6";

    public static void PreferPassive()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null || !NativeLibrary.TryLoad(Libc, out _))
        {
            return;
        }

        _ = setenv(Variable, "PASSIVE", overwrite: 0);
    }

    [DllImport(Libc, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);
}
