using System.Runtime.InteropServices;

namespace LossDsl.Benchmarks.Measurements;

/// <summary>The calling thread's CPU time (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>).</summary>
public static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>CPU time the calling thread has used, in milliseconds.</summary>
    public static double Milliseconds()
    {
        if (clock_gettime(ClockThreadCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
        }

        return time.Seconds * 1e3 + time.Nanoseconds / 1e6;
    }

    [DllImport("libc")]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
