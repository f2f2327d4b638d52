using System.Runtime.InteropServices;

using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Build;

/// <summary>
/// The ELF logic of the TorchSharp native fix-up (src/LossDsl.Runtime/build/LibTorchSharpFixup.cs), on the real
/// libLibTorchSharp.so of this test's output. That these tests run at all shows the build step made it loadable.
/// </summary>
public sealed class NativeFixupTests
{
    private const string Version = TorchSharpNative.RequiredVersion;

    [Fact]
    public void The_requirement_is_marked_weak_once_and_nothing_else_changes()
    {
        var original = File.ReadAllBytes(TorchSharpNative.PristineLibrary);
        var patched = (byte[])original.Clone();

        Assert.Equal(MarkWeakResult.Patched, ElfVersionNeed.MarkWeak(patched, "libstdc++.so.6", Version));
        Assert.Equal(MarkWeakResult.AlreadyWeak, ElfVersionNeed.MarkWeak(patched, "libstdc++.so.6", Version));

        var need = ElfVersionNeed.ReadNeeds(patched).Single(n => n.Name == Version);
        Assert.True(need.IsWeak);
        Assert.Equal("libstdc++.so.6", need.File);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Equal(new[] { need.FlagsOffset }, changed);
        Assert.Equal(original[need.FlagsOffset] | ElfVersionNeed.VerFlgWeak, patched[need.FlagsOffset]);
    }

    [Fact]
    public void A_version_the_library_does_not_need_is_left_alone()
    {
        var bytes = File.ReadAllBytes(TorchSharpNative.PristineLibrary);
        Assert.Equal(MarkWeakResult.NotRequired, ElfVersionNeed.MarkWeak(bytes, "libstdc++.so.6", "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Non_elf_input_is_a_format_error()
    {
        var error = Assert.Throws<ElfFormatException>(() => ElfVersionNeed.MarkWeak(new byte[100], "libstdc++.so.6", Version));
        Assert.Equal("not an ELF file", error.Message);
    }

    [Fact]
    public void The_copy_in_the_build_output_loads_and_computes()
    {
        // The output copy is the patched one where the host needs it; TorchSharp loading it is the point of the fix-up.
        using var x = torch.arange(4, dtype: torch.float32);
        Assert.Equal(6f, x.sum().ToSingle());
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !TorchSharpNative.HostHasRequiredVersion())
        {
            Assert.True(TorchSharpNative.RequirementIsWeak(output));
        }
    }
}
