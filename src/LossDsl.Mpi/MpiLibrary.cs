using System;
using System.Reflection;
using System.Runtime.InteropServices;

namespace LossDsl.Mpi;

/// <summary>
/// Where MPI.NET finds MPI. MPI.NET 1.4.0 imports <c>msmpi.dll</c>, Microsoft's MPI, whose ABI (integer handles such
/// as <c>MPI_COMM_WORLD = 0x44000000</c>) is MPICH's: on Linux the import is resolved to MPICH's library (Debian's
/// <c>mpich</c> package). Open MPI's <c>libmpi.so.40</c> has pointer handles, a different ABI, and would crash, so it is
/// never loaded.
/// </summary>
internal static class MpiLibrary
{
    private const string Imported = "msmpi.dll";

    // MPICH's soname on Debian and Ubuntu, then the MPICH ABI's common name (Intel MPI, MVAPICH).
    private static readonly string[] MpichAbi = { "libmpich.so.12", "libmpi.so.12" };

    private static bool registered;

    /// <summary>Resolves MPI.NET's import to an MPICH-ABI library; once per process, before MPI.NET's first call.</summary>
    public static void Register()
    {
        lock (MpichAbi)
        {
            if (registered || OperatingSystem.IsWindows())
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(MPI.Environment).Assembly, Resolve);
            registered = true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Imported)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in MpichAbi)
        {
            if (NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"No MPI library of MPICH's ABI ({string.Join(", ", MpichAbi)}) could be loaded. Install MPICH (Debian and Ubuntu: apt-get install mpich) "
            + "and start the processes with its mpiexec (mpiexec.mpich). Open MPI has another ABI, which MPI.NET cannot call.");
    }
}
