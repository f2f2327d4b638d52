using static TorchSharp.torch;

namespace LossDsl.Tests.DataParallel;

/// <summary>
/// A data-parallel group of threads in one process, standing in for MPI ranks: each rank's <see cref="ILossGroup.Sum"/>
/// waits for every other rank's tensor, then every rank adds them in rank order, so all get the same bits, as an
/// all-reduce does. A rank that never arrives fails the others after a timeout instead of hanging the test run.
/// </summary>
public sealed class ThreadGroup : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Barrier barrier;
    private readonly Tensor?[] slots;

    public ThreadGroup(int size)
    {
        barrier = new Barrier(size);
        slots = new Tensor?[size];
    }

    /// <summary>Every rank's messages so far: how many sums it asked for, and how many numbers they held.</summary>
    public IReadOnlyList<(int Messages, long Numbers)> Sent => ranks.Select(r => (r.Messages, r.Numbers)).ToArray();

    private readonly List<Rank> ranks = [];

    public ILossGroup this[int rank]
    {
        get
        {
            lock (ranks)
            {
                var member = new Rank(this, rank);
                ranks.Add(member);
                return member;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> once per rank, each on its own thread, and returns their results in rank order.</summary>
    public T[] Run<T>(Func<int, ILossGroup, T> work)
    {
        var results = new T[slots.Length];
        var errors = new Exception?[slots.Length];
        var threads = Enumerable.Range(0, slots.Length).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = work(rank, this[rank]);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.Any(e => e is not null))
        {
            throw new AggregateException(errors.OfType<Exception>());
        }

        return results;
    }

    public void Dispose() => barrier.Dispose();

    private Tensor Sum(int rank, Tensor local)
    {
        slots[rank] = local.detach().clone();
        Wait();
        var sum = slots[0]!.clone();
        for (var r = 1; r < slots.Length; r++)
        {
            sum.add_(slots[r]!);
        }

        // No rank may overwrite its slot for the next sum before every rank has read this one.
        Wait();
        return sum;
    }

    private void Wait()
    {
        if (!barrier.SignalAndWait(Timeout))
        {
            throw new TimeoutException("A rank of the thread group did not reach the same all-reduce: the ranks called Sum a different number of times.");
        }
    }

    private sealed class Rank(ThreadGroup group, int rank) : ILossGroup
    {
        public int Messages { get; private set; }

        public long Numbers { get; private set; }

        public Tensor Sum(Tensor local)
        {
            Messages++;
            Numbers += local.numel();
            return group.Sum(rank, local);
        }
    }
}
