using System;
using MPI;

namespace LossDsl.Mpi;

/// <summary>
/// MPI for the length of a <c>using</c>: starts MPI.NET on the MPICH library (<see cref="MpiLibrary"/>) and finalizes
/// it when disposed. Start it once, first thing in <c>Main</c>, in every process <c>mpiexec</c> starts.
/// </summary>
public sealed class MpiSession : IDisposable
{
    private readonly MPI.Environment environment;

    private MpiSession(ref string[] args)
    {
        MpiLibrary.Register();
        environment = new MPI.Environment(ref args);
    }

    /// <summary>Starts MPI with the program's arguments (MPI may remove the ones it reads).</summary>
    public static MpiSession Start(ref string[] args) => new(ref args);

    /// <summary>Every process of the run.</summary>
    public Intracommunicator World => Communicator.world;

    /// <summary>A loss group of every process of the run.</summary>
    public MpiLossGroup Group() => new(World);

    /// <summary>Finalizes MPI: no MPI call may follow.</summary>
    public void Dispose() => environment.Dispose();
}
