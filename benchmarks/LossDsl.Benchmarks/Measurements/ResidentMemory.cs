using System.Runtime.InteropServices;

namespace LossDsl.Benchmarks.Measurements;

/// <summary>
/// The process's resident set from /proc/self/status (Linux): VmRSS now and VmHWM, its peak, which writing "5" to
/// /proc/self/clear_refs resets to the current resident set. That gives the peak native memory of a region:
/// reset, run, VmHWM − VmRSS before. For the peak to count tensors and nothing else, glibc must hand every large block
/// back to the system when it is freed: <see cref="ReturnFreedBlocksToTheSystem"/> (a freed tensor left in malloc's
/// free lists would stay resident, and the next region would reuse it without raising the peak).
/// </summary>
public static class ResidentMemory
{
    private const int MallocMmapThreshold = -3;
    private const int MallocTrimThreshold = -1;

    /// <summary>
    /// Serves every allocation of 64 KiB or more with its own mmap, unmapped on free (glibc's M_MMAP_THRESHOLD, fixed,
    /// so it no longer grows with the blocks freed), and trims the heap top at 128 KiB. libtorch allocates CPU tensors
    /// with posix_memalign, so tensor memory is resident exactly while a tensor lives. This makes allocation slower
    /// (page faults on every new tensor): memory runs happen in their own process, never while timing.
    /// </summary>
    public static void ReturnFreedBlocksToTheSystem()
    {
        if (mallopt(MallocMmapThreshold, 64 * 1024) != 1 || mallopt(MallocTrimThreshold, 128 * 1024) != 1)
        {
            throw new InvalidOperationException("mallopt refused the thresholds; resident-set peaks would not measure tensor memory.");
        }
    }

    /// <summary>The resident set now, in bytes.</summary>
    public static long Current() => Read("VmRSS:");

    /// <summary>The peak resident set since the last <see cref="ResetPeak"/>, in bytes.</summary>
    public static long Peak() => Read("VmHWM:");

    /// <summary>Resets the peak (VmHWM) to the current resident set.</summary>
    public static void ResetPeak()
    {
        malloc_trim(0);
        File.WriteAllText("/proc/self/clear_refs", "5");
    }

    private static long Read(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        var kilobytes = long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }

    [DllImport("libc")]
    private static extern int mallopt(int parameter, int value);

    [DllImport("libc")]
    private static extern int malloc_trim(nuint pad);
}
