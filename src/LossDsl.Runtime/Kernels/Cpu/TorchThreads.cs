using System;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>Managed CPU work shared out over as many threads as torch uses, so a kernel takes what torch would.</summary>
internal static class TorchThreads
{
    /// <summary>
    /// Runs <paramref name="body"/> for 0 .. <paramref name="count"/> − 1, in order on the calling thread when torch has one
    /// thread or there is one item. Items must write apart, and whatever they sum is added afterwards in item order, so
    /// the result is the same bits for any thread count.
    /// </summary>
    public static void For(int count, Action<int> body)
    {
        var threads = Math.Max(1, get_num_threads());
        if (threads == 1 || count <= 1)
        {
            for (var item = 0; item < count; item++)
            {
                body(item);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }
}
