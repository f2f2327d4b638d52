using LossDsl.Platform;

namespace LossDsl.Tests.Platform;

/// <summary>
/// The oneDNN fix-up (docs/packaging.md): convolutions train right on this CPU with two threads and with one, the
/// decision it makes for each kind of CPU and setting, and the native environment it is made through.
/// </summary>
public sealed class OneDnnFixupTests
{
    private static readonly CpuFeatures Avx512Cpu = CpuFeatures.Current with { Avx2 = true, Avx512Core = true };
    private static readonly CpuFeatures Avx2Cpu = CpuFeatures.Current with { Avx2 = true, Avx512Core = false };

    // The self-check: red on AMD family 26 without the fix (NaN or 0.3-0.8 relative error at the first steps), green with it.
    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void A_small_conv_net_trained_in_float32_gets_the_float64_gradients(int threads)
    {
        var result = ConvolutionGradientCheck.Run(threads);

        Assert.True(result.Passed,
            $"{OneDnnIsaFixup.Variable}={NativeEnvironment.Get(OneDnnIsaFixup.Variable) ?? "unset"}: worst relative gradient difference " +
            $"{result.WorstRelativeError} at {result.WorstParameter}, step {result.WorstStep} of {result.Steps}, with {threads} threads");
        // It compared something: float32 is not float64, so a check that ran float64 twice would show exactly 0.
        Assert.InRange(result.WorstRelativeError, 1e-9, ConvolutionGradientCheck.Tolerance);
        Assert.Equal(threads, result.Threads);
        Assert.Equal(8, result.Steps);
    }

    [Fact]
    public void The_check_restores_the_thread_count_it_found()
    {
        var before = torch.get_num_threads();
        ConvolutionGradientCheck.Run(before == 1 ? 2 : 1);
        Assert.Equal(before, torch.get_num_threads());
    }

    [Fact]
    public void This_process_runs_with_the_fix_its_cpu_needs()
    {
        // The test assembly is a C# application referencing LossDsl: the build added the package's module initializer.
        Assert.NotNull(typeof(OneDnnFixupTests).Assembly.GetType("LossDsl.Build.LossDslNativeSetup"));

        var state = OneDnnIsaFixup.Apply();
        var user = Environment.GetEnvironmentVariable(OneDnnIsaFixup.Variable) ?? Environment.GetEnvironmentVariable(OneDnnIsaFixup.LegacyVariable);
        var expected = user is not null ? OneDnnIsaFixupOutcome.UserSetting
            : CpuFeatures.Current.Avx512Core ? OneDnnIsaFixupOutcome.Applied
            : OneDnnIsaFixupOutcome.NotNeeded;
        Assert.Equal(expected, state.Outcome);
        Assert.Equal(expected == OneDnnIsaFixupOutcome.Applied ? OneDnnIsaFixup.Cap : user, NativeEnvironment.Get(OneDnnIsaFixup.Variable) ?? NativeEnvironment.Get(OneDnnIsaFixup.LegacyVariable));
        // Decided once: later calls report the same state object.
        Assert.Same(state, OneDnnIsaFixup.Apply());
    }

    public static TheoryData<string, CpuFeatures, string?, string?, bool, bool, OneDnnIsaFixupOutcome, string?> Decisions() => new()
    {
        { "AVX-512: capped", Avx512Cpu, null, null, false, true, OneDnnIsaFixupOutcome.Applied, "AVX2" },
        { "AVX2 only: nothing to fix", Avx2Cpu, null, null, false, true, OneDnnIsaFixupOutcome.NotNeeded, null },
        { "the user's value stands", Avx512Cpu, "AVX512_CORE", null, false, true, OneDnnIsaFixupOutcome.UserSetting, "AVX512_CORE" },
        { "DEFAULT turns it off at run time", Avx512Cpu, "DEFAULT", null, false, true, OneDnnIsaFixupOutcome.UserSetting, "DEFAULT" },
        { "the older name counts too", Avx512Cpu, null, "AVX2_VNNI", false, true, OneDnnIsaFixupOutcome.UserSetting, "AVX2_VNNI" },
        { "the project opted out", Avx512Cpu, null, null, true, true, OneDnnIsaFixupOutcome.Skipped, null },
        { "Windows: needed but not settable", Avx512Cpu, null, null, false, false, OneDnnIsaFixupOutcome.Unsupported, null },
        { "Windows without AVX-512: nothing to do", Avx2Cpu, null, null, false, false, OneDnnIsaFixupOutcome.NotNeeded, null },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void The_decision_follows_the_cpu_the_users_setting_and_the_opt_out(
        string situation, CpuFeatures cpu, string? value, string? legacyValue, bool skipped, bool settable, OneDnnIsaFixupOutcome outcome, string? effective)
    {
        var state = OneDnnIsaFixup.Decide(cpu, value, legacyValue, skipped, settable);

        Assert.True(outcome == state.Outcome, $"{situation}: {state}");
        Assert.Equal(effective, state.Value);
        Assert.False(string.IsNullOrWhiteSpace(state.Reason));
    }

    [Fact]
    public void The_reason_tells_a_windows_user_what_to_set()
    {
        var state = OneDnnIsaFixup.Decide(Avx512Cpu, null, null, skipped: false, canSetNativeEnvironment: false);
        Assert.Contains("set ONEDNN_MAX_CPU_ISA=AVX2 before the program starts", state.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_native_variable_is_set_once_and_never_overwritten()
    {
        Assert.True(NativeEnvironment.IsSupported == (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()));
        if (!NativeEnvironment.IsSupported)
        {
            return;
        }

        var name = "LOSSDSL_TEST_" + Guid.NewGuid().ToString("N");
        Assert.Null(NativeEnvironment.Get(name));

        Assert.True(NativeEnvironment.SetIfUnset(name, "first"));
        Assert.False(NativeEnvironment.SetIfUnset(name, "second"));

        Assert.Equal("first", NativeEnvironment.Get(name));
        // Native only: .NET's copy, which child processes inherit, is untouched.
        Assert.Null(Environment.GetEnvironmentVariable(name));
    }

    [Fact]
    public void A_variable_set_in_dotnets_copy_counts_as_the_users()
    {
        var name = "LOSSDSL_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "mine");
        try
        {
            Assert.False(NativeEnvironment.SetIfUnset(name, "theirs"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void The_cpu_reads_as_itself()
    {
        var cpu = CpuFeatures.Current;
        if (System.Runtime.Intrinsics.X86.X86Base.IsSupported)
        {
            Assert.Contains(cpu.Vendor, new[] { "GenuineIntel", "AuthenticAMD", "HygonGenuine", "CentaurHauls", "  Shanghai  " });
            Assert.InRange(cpu.Family, 3, 255);
            // cpuid agrees with .NET's own view wherever .NET has not been told to ignore an instruction set.
            Assert.True(!System.Runtime.Intrinsics.X86.Avx2.IsSupported || cpu.Avx2);
            Assert.True(!System.Runtime.Intrinsics.X86.Avx512F.IsSupported || !System.Runtime.Intrinsics.X86.Avx512BW.IsSupported
                || !System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported || !System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported || cpu.Avx512Core);
            // AVX-512 implies AVX2 on every x86 CPU made.
            Assert.True(!cpu.Avx512Core || cpu.Avx2);
        }
        else
        {
            Assert.False(cpu.Avx2 || cpu.Avx512Core);
            Assert.Equal("", cpu.Vendor);
        }
    }
}
