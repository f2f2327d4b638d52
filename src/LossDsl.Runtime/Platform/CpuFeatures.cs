using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace LossDsl.Platform;

/// <summary>
/// What this process's CPU says of itself through <c>cpuid</c>: the facts that decide which oneDNN kernels libtorch
/// runs. Read from the instruction itself, not from .NET's <c>IsSupported</c> flags, which the runtime's own settings
/// (<c>DOTNET_EnableAVX512=0</c> on .NET 10, <c>DOTNET_EnableAVX512F=0</c> before it) can turn off while oneDNN still
/// sees the hardware.
/// </summary>
public sealed record CpuFeatures
{
    /// <summary>The vendor string, such as <c>AuthenticAMD</c> or <c>GenuineIntel</c>; empty off x86.</summary>
    public required string Vendor { get; init; }

    /// <summary>The brand string, such as <c>AMD EPYC</c>; the architecture's name off x86.</summary>
    public required string Model { get; init; }

    /// <summary>The display family (base plus extended), such as 26 for AMD Zen 5; 0 off x86.</summary>
    public required int Family { get; init; }

    /// <summary>The display model number within the family; 0 off x86.</summary>
    public required int ModelNumber { get; init; }

    /// <summary>AVX2 and FMA: what oneDNN's <c>avx2</c> kernels need.</summary>
    public required bool Avx2 { get; init; }

    /// <summary>AVX-512 F, BW, DQ and VL: what oneDNN's <c>avx512_core</c> kernels (and every later x86 level) need.</summary>
    public required bool Avx512Core { get; init; }

    /// <summary>The features of the CPU running this process.</summary>
    public static CpuFeatures Current { get; } = Read();

    private static CpuFeatures Read()
    {
        if (!X86Base.IsSupported)
        {
            return new CpuFeatures
            {
                Vendor = "",
                Model = RuntimeInformation.ProcessArchitecture.ToString(),
                Family = 0,
                ModelNumber = 0,
                Avx2 = false,
                Avx512Core = false,
            };
        }

        var (maxLeaf, vendorB, vendorC, vendorD) = X86Base.CpuId(0, 0);
        var (signature, _, features1, _) = X86Base.CpuId(1, 0);
        var (_, extended, _, _) = maxLeaf >= 7 ? X86Base.CpuId(7, 0) : default;

        var baseFamily = (signature >> 8) & 0xF;
        var family = baseFamily == 0xF ? baseFamily + ((signature >> 20) & 0xFF) : baseFamily;
        var model = (signature >> 4) & 0xF;
        if (baseFamily is 0x6 or 0xF)
        {
            model |= ((signature >> 16) & 0xF) << 4;
        }

        const int Fma = 12, Avx2 = 5, Avx512F = 16, Avx512DQ = 17, Avx512BW = 30, Avx512VL = 31;
        return new CpuFeatures
        {
            Vendor = Ascii(vendorB, vendorD, vendorC),
            Model = BrandString(),
            Family = family,
            ModelNumber = model,
            Avx2 = Bit(extended, Avx2) && Bit(features1, Fma),
            Avx512Core = Bit(extended, Avx512F) && Bit(extended, Avx512DQ) && Bit(extended, Avx512BW) && Bit(extended, Avx512VL),
        };
    }

    private static bool Bit(int register, int bit) => (register & (1 << bit)) != 0;

    private static string BrandString()
    {
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((uint)maxExtended < 0x80000004)
        {
            return "";
        }

        var text = new StringBuilder();
        for (var leaf = 0x80000002; leaf <= 0x80000004; leaf++)
        {
            var (a, b, c, d) = X86Base.CpuId(unchecked((int)leaf), 0);
            text.Append(Ascii(a, b, c, d));
        }

        return text.ToString().Trim();
    }

    private static string Ascii(params int[] registers)
    {
        var bytes = new byte[registers.Length * 4];
        for (var i = 0; i < registers.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), registers[i]);
        }

        return Encoding.ASCII.GetString(bytes).TrimEnd('\0');
    }
}
