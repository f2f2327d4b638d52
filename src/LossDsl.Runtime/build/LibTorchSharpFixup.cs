// Inline MSBuild task (RoslynCodeTaskFactory, see LossDsl.NativeFixup.targets) plus the pure ELF logic it uses.
//
// Why: TorchSharp's libLibTorchSharp.so is built with GCC 13 and so requires the symbol version
// GLIBCXX_3.4.32 from libstdc++.so.6, but only for std::ios_base_library_init(), a marker symbol
// that is never called. Older hosts (Debian 12, Ubuntu 22.04) lack that version and the dynamic
// loader refuses to load the library. Marking that one version requirement weak (VER_FLG_WEAK)
// makes the loader accept a libstdc++ without it.
//
// This file is compiled by RoslynCodeTaskFactory against netstandard2.0, so it sticks to APIs and
// language features available there (no Span, no File.Move overwrite, no records / init).
// Unit tests can compile it with LOSSDSL_ELF_ONLY defined to get only ElfVersionNeed and
// HostLibStdCxx, without a reference to MSBuild.
#nullable disable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

/// <summary>Malformed or unsupported ELF input.</summary>
public sealed class ElfFormatException : Exception
{
    public ElfFormatException(string message) : base(message) { }
}

/// <summary>One Elf64_Vernaux entry: a version that a DT_NEEDED library must provide.</summary>
public sealed class VersionNeed
{
    public string File;        // e.g. "libstdc++.so.6" (from the owning Elf64_Verneed)
    public string Name;        // e.g. "GLIBCXX_3.4.32"
    public ushort Flags;       // vna_flags
    public int FlagsOffset;    // file offset of vna_flags, for patching
    public bool IsWeak { get { return (Flags & ElfVersionNeed.VerFlgWeak) != 0; } }
}

public enum MarkWeakResult { NotRequired, AlreadyWeak, Patched }

/// <summary>Minimal reader/patcher for ELF64 little-endian symbol versioning sections.</summary>
public static class ElfVersionNeed
{
    public const ushort VerFlgWeak = 2;
    const uint ShtGnuVerdef = 0x6ffffffd;  // .gnu.version_d
    const uint ShtGnuVerneed = 0x6ffffffe; // .gnu.version_r
    public const ushort EmX86_64 = 62, EmAArch64 = 183;

    /// <summary>Throws ElfFormatException unless the bytes are an ELF64 little-endian file; returns e_machine.</summary>
    public static ushort CheckHeader(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new ElfFormatException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new ElfFormatException("not a 64-bit little-endian ELF file");
        return U16(elf, 18);
    }

    /// <summary>All version requirements (.gnu.version_r) of the file.</summary>
    public static List<VersionNeed> ReadNeeds(byte[] elf)
    {
        var result = new List<VersionNeed>();
        foreach (var sec in Sections(elf, ShtGnuVerneed))
        {
            // sh_info = number of Elf64_Verneed entries; all offsets are relative to the current entry.
            long vn = sec.Offset;
            for (uint i = 0; i < sec.Info; i++)
            {
                string file = Str(elf, sec.Link, U32(elf, vn + 4));
                long vna = vn + U32(elf, vn + 8);
                for (int j = 0, cnt = U16(elf, vn + 2); j < cnt; j++)
                {
                    result.Add(new VersionNeed
                    {
                        File = file,
                        Name = Str(elf, sec.Link, U32(elf, vna + 8)),
                        Flags = U16(elf, vna + 4),
                        FlagsOffset = checked((int)(vna + 4)),
                    });
                    uint vnaNext = U32(elf, vna + 12);
                    if (vnaNext == 0) break; // 0 marks the last entry; never loop on a bogus count
                    vna += vnaNext;
                }
                uint vnNext = U32(elf, vn + 12);
                if (vnNext == 0) break;
                vn += vnNext;
            }
        }
        return result;
    }

    /// <summary>Version names the file defines (.gnu.version_d), e.g. what a libstdc++.so.6 provides.</summary>
    public static HashSet<string> ReadDefinitions(byte[] elf)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sec in Sections(elf, ShtGnuVerdef))
        {
            // sh_info = number of Elf64_Verdef entries; the first Elf64_Verdaux of each holds its name.
            long vd = sec.Offset;
            for (uint i = 0; i < sec.Info; i++)
            {
                long vda = vd + U32(elf, vd + 12);
                result.Add(Str(elf, sec.Link, U32(elf, vda)));
                uint vdNext = U32(elf, vd + 16);
                if (vdNext == 0) break; // 0 marks the last entry
                vd += vdNext;
            }
        }
        return result;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> from <paramref name="file"/>,
    /// in place in <paramref name="elf"/>. Returns what it found; the bytes change only for Patched.
    /// </summary>
    public static MarkWeakResult MarkWeak(byte[] elf, string file, string version)
    {
        var result = MarkWeakResult.NotRequired;
        foreach (var need in ReadNeeds(elf))
        {
            if (need.File != file || need.Name != version) continue;
            if (need.IsWeak) { if (result == MarkWeakResult.NotRequired) result = MarkWeakResult.AlreadyWeak; continue; }
            ushort flags = (ushort)(need.Flags | VerFlgWeak);
            elf[need.FlagsOffset] = (byte)flags;
            elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
            result = MarkWeakResult.Patched;
        }
        return result;
    }

    struct Section { public long Offset; public uint Link, Info; }

    static IEnumerable<Section> Sections(byte[] elf, uint type)
    {
        CheckHeader(elf);
        long shoff = checked((long)U64(elf, 0x28));
        int shentsize = U16(elf, 0x3a);
        long shnum = U16(elf, 0x3c);
        if (shoff == 0) yield break; // no section headers (stripped to the bone): nothing to find
        if (shentsize < 64) throw new ElfFormatException("bad section header size");
        if (shnum == 0) shnum = checked((long)U64(elf, shoff + 32)); // extended numbering: count in section 0's sh_size
        for (long i = 0; i < shnum; i++)
        {
            long sh = shoff + i * shentsize;
            if (U32(elf, sh + 4) != type) continue;
            yield return new Section { Offset = checked((long)U64(elf, sh + 24)), Link = U32(elf, sh + 40), Info = U32(elf, sh + 44) };
        }
    }

    // Reads NUL-terminated name at offset 'off' of the string table in section number 'strtab'.
    static string Str(byte[] elf, uint strtab, uint off)
    {
        long shoff = checked((long)U64(elf, 0x28));
        long sh = shoff + (long)strtab * U16(elf, 0x3a);
        long start = checked((long)U64(elf, sh + 24) + off), end = start;
        while (true) { Need(elf, end, 1); if (elf[end] == 0) break; end++; }
        return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
    }

    // Bounds-checked little-endian reads: any bad offset becomes an ElfFormatException, not an IndexOutOfRange.
    static void Need(byte[] b, long at, int n)
    {
        if (at < 0 || at > b.Length - n) throw new ElfFormatException("offset 0x" + at.ToString("x") + " is outside the file");
    }
    static ushort U16(byte[] b, long at) { Need(b, at, 2); return (ushort)(b[at] | b[at + 1] << 8); }
    static uint U32(byte[] b, long at) { Need(b, at, 4); return (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24); }
    static ulong U64(byte[] b, long at) { return U32(b, at) | (ulong)U32(b, at + 4) << 32; }
}

/// <summary>Finds the libstdc++.so.6 the dynamic loader would use for a given architecture.</summary>
public static class HostLibStdCxx
{
    /// <summary>Path of libstdc++.so.6 for the ELF machine, or null if none is found.</summary>
    public static string Find(ushort machine)
    {
        // The loader's default lookup goes through the ld.so.cache, which `ldconfig -p` prints as
        //   "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6".
        // LD_LIBRARY_PATH is deliberately ignored: the build's environment says little about the app's.
        string tag = machine == ElfVersionNeed.EmX86_64 ? "x86-64" : machine == ElfVersionNeed.EmAArch64 ? "AArch64" : null;
        string listing = RunLdconfig();
        if (tag != null && listing != null)
        {
            foreach (var raw in listing.Split('\n'))
            {
                string line = raw.Trim();
                int arrow = line.IndexOf("=> ", StringComparison.Ordinal);
                if (arrow > 0 && line.StartsWith("libstdc++.so.6 (", StringComparison.Ordinal)
                    && line.Substring(0, arrow).Contains("," + tag) && File.Exists(line.Substring(arrow + 3)))
                    return line.Substring(arrow + 3);
            }
        }
        // No ldconfig (containers, non-root PATH without /sbin): try the usual multiarch / lib64 locations,
        // keeping only a library built for the same machine.
        string triplet = machine == ElfVersionNeed.EmAArch64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        foreach (var dir in new[] { "/usr/lib/" + triplet, "/lib/" + triplet, "/usr/lib64", "/lib64", "/usr/lib", "/lib" })
        {
            string path = Path.Combine(dir, "libstdc++.so.6");
            try
            {
                if (File.Exists(path) && ElfVersionNeed.CheckHeader(ReadHeader(path)) == machine) return path;
            }
            catch (Exception) { /* unreadable or not ELF64 LE: not the one */ }
        }
        return null;
    }

    static byte[] ReadHeader(string path)
    {
        using (var fs = File.OpenRead(path))
        {
            var b = new byte[64];
            int n = 0, r;
            while (n < b.Length && (r = fs.Read(b, n, b.Length - n)) > 0) n += r;
            return b;
        }
    }

    static string RunLdconfig()
    {
        foreach (var exe in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig" })
        {
            try
            {
                if (exe[0] == '/' && !File.Exists(exe)) continue;
                var psi = new ProcessStartInfo(exe, "-p") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                using (var p = Process.Start(psi))
                {
                    p.ErrorDataReceived += delegate { }; // drain stderr so a chatty ldconfig cannot block
                    p.BeginErrorReadLine();
                    string output = p.StandardOutput.ReadToEnd();
                    if (p.WaitForExit(10000) && p.ExitCode == 0) return output;
                }
            }
            catch (Exception) { /* not runnable here: try the next one */ }
        }
        return null;
    }
}

#if !LOSSDSL_ELF_ONLY
/// <summary>MSBuild task: marks libLibTorchSharp.so's GLIBCXX_3.4.32 requirement weak when the host needs it.</summary>
public class LibTorchSharpFixup : Microsoft.Build.Utilities.Task
{
    const string LibStdCxx = "libstdc++.so.6";
    const string Version = "GLIBCXX_3.4.32";

    /// <summary>The libLibTorchSharp.so copies in the output / publish directory.</summary>
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; }

    /// <summary>$(NuGetPackageRoot): files under it are never modified.</summary>
    public string NuGetPackageRoot { get; set; }

    /// <summary>Patch even where the build host's libstdc++ has the version: for output that runs on other machines.</summary>
    public bool AnyHost { get; set; }

    public override bool Execute()
    {
        // Host libstdc++ lookups are cached per machine type: usually all files are x86-64.
        var hostHasVersion = new Dictionary<ushort, string>();
        foreach (var item in Files)
        {
            string path = item.GetMetadata("FullPath");
            try
            {
                Fix(path, hostHasVersion);
            }
            catch (ElfFormatException e)
            {
                Log.LogWarning(null, "LDNATIVE001", null, path, 0, 0, 0, 0,
                    "Cannot patch '{0}': malformed or unsupported ELF file ({1}). It was left unchanged; if TorchSharp fails to load with '{2} not found', " +
                    "install a libstdc++ from GCC 13 or newer, or replace the file with a valid copy from the TorchSharp package.",
                    path, e.Message, Version);
            }
            catch (Exception e) // IO, permissions, ...: a build must never fail because of this best-effort fixup.
            {
                Log.LogWarning(null, "LDNATIVE002", null, path, 0, 0, 0, 0,
                    "Cannot patch '{0}': {1}: {2} It was left unchanged; fix the cause and rebuild, or set LossDslSkipNativeFixup=true " +
                    "and provide a libstdc++ with {3} (GCC 13 or newer).",
                    path, e.GetType().Name, e.Message, Version);
            }
        }
        return true;
    }

    void Fix(string path, Dictionary<ushort, string> hostCache)
    {
        string nugetRoot = UnderNuGetCache(path);
        if (nugetRoot != null)
        {
            Log.LogWarning(null, "LDNATIVE003", null, path, 0, 0, 0, 0,
                "Not patching '{0}': it resolves into the NuGet package folder '{1}', which must stay pristine. " +
                "Make sure the output directory is outside the NuGet package folder.", path, nugetRoot);
            return;
        }

        byte[] elf = File.ReadAllBytes(path);
        ushort machine = ElfVersionNeed.CheckHeader(elf);

        // Only patch when needed: if the host's libstdc++ already provides the version, the original loads fine.
        string lib;
        if (!hostCache.TryGetValue(machine, out lib))
            hostCache[machine] = lib = HostLibStdCxx.Find(machine);
        bool sameArch = machine == HostMachine();
        if (!AnyHost && sameArch && lib != null && ElfVersionNeed.ReadDefinitions(File.ReadAllBytes(lib)).Contains(Version))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "LossDsl: '{0}' left unchanged: the host libstdc++ '{1}' provides {2}.", path, lib, Version);
            return;
        }

        var result = ElfVersionNeed.MarkWeak(elf, LibStdCxx, Version);
        if (result == MarkWeakResult.NotRequired)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "LossDsl: '{0}' does not require {1}; nothing to patch.", path, Version);
            return;
        }
        if (result == MarkWeakResult.AlreadyWeak)
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "LossDsl: '{0}' is already patched ({1} requirement is weak).", path, Version);
            return;
        }

        ReplaceAtomically(path, elf);
        string why = AnyHost ? "LossDslNativeFixupAnyHost is set: the output is meant for other machines"
                   : !sameArch ? "it targets another architecture, so the host libstdc++ says nothing about where it will run"
                   : lib == null ? "no libstdc++.so.6 was found on this host (patching anyway; a weak requirement is harmless)"
                   : "the host libstdc++ '" + lib + "' lacks it";
        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
            "LossDsl: marked the {0} requirement of '{1}' weak ({2}); only the never-called std::ios_base_library_init() needs it.",
            Version, path, why);
    }

    // The output copy may be a hard link or symlink into the NuGet cache (CreateHardLinksForCopyLocalIfPossible etc.),
    // so never write in place: write a sibling temp file and rename it over the original, which replaces the
    // directory entry and leaves whatever it pointed to untouched.
    static void ReplaceAtomically(string path, byte[] patched)
    {
        string tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            File.Copy(path, tmp);               // a copy keeps the file mode (exec bit) of the original
            File.WriteAllBytes(tmp, patched);   // truncates and rewrites, mode unchanged
            // Keep the original timestamp: MSBuild's incremental copy (SkipUnchangedFiles / PreserveNewest compares
            // size and time with the package file) then sees the patched copy as up to date instead of recopying it.
            File.SetLastWriteTimeUtc(tmp, File.GetLastWriteTimeUtc(path));
            File.Replace(tmp, path, null);      // rename(2) on Unix: atomic
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    // Returns the NuGet folder the file's directory (symlinks resolved) lies in, or null.
    string UnderNuGetCache(string path)
    {
        string dir = RealPath(Path.GetDirectoryName(path));
        string home = Environment.GetEnvironmentVariable("HOME");
        var roots = new[] { NuGetPackageRoot, Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
                            string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".nuget", "packages") };
        foreach (var root in roots)
        {
            if (string.IsNullOrEmpty(root)) continue;
            string r = RealPath(root).TrimEnd('/') + "/";
            if ((dir + "/").StartsWith(r, StringComparison.Ordinal)) return root;
        }
        return null;
    }

    [DllImport("libc", SetLastError = true)]
    static extern IntPtr realpath(string path, IntPtr resolved);
    [DllImport("libc")]
    static extern void free(IntPtr p);

    // netstandard2.0 has no API to resolve symlinks; ask libc. Falls back to the lexical full path.
    static string RealPath(string path)
    {
        string full = Path.GetFullPath(path).TrimEnd('/');
        try
        {
            IntPtr p = realpath(full, IntPtr.Zero);
            if (p == IntPtr.Zero) return full;
            try { return Marshal.PtrToStringAnsi(p); } finally { free(p); }
        }
        catch (Exception) { return full; }
    }

    static ushort HostMachine()
    {
        switch (RuntimeInformation.OSArchitecture)
        {
            case Architecture.X64: return ElfVersionNeed.EmX86_64;
            case Architecture.Arm64: return ElfVersionNeed.EmAArch64;
            default: return 0;
        }
    }
}
#endif
