using System;
using System.Runtime.InteropServices;

namespace LossDsl.Platform;

/// <summary>
/// The C library's environment, which native libraries such as libtorch, OpenMP and oneDNN read with <c>getenv</c>.
/// </summary>
/// <remarks>
/// On Unix, .NET keeps its own copy of the environment: <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// changes that copy and child processes, not what <c>getenv</c> returns in this process. A native library reads
/// most such variables once, at its first use, so a variable must be set here before that.
/// </remarks>
public static class NativeEnvironment
{
    private static readonly CLibrary? Library = CLibrary.Load();

    /// <summary>Whether this platform's C environment can be changed from here (Linux and macOS; not Windows).</summary>
    public static bool IsSupported => Library is not null;

    /// <summary>The variable's value as native code sees it, or null when it is unset.</summary>
    public static string? Get(string name) =>
        Library is null ? Environment.GetEnvironmentVariable(name) : Marshal.PtrToStringUTF8(Library.Getenv(name));

    /// <summary>
    /// Sets the variable for native code in this process unless it is set already, natively or in .NET's copy; returns
    /// whether it was set here. .NET's copy, which child processes inherit, is left as it is: a child decides for itself.
    /// </summary>
    public static bool SetIfUnset(string name, string value) =>
        Library is not null && Get(name) is null && Environment.GetEnvironmentVariable(name) is null && Library.Setenv(name, value, 0) == 0;

    // The C library by its real file name: "libc" alone needs the libc.so linker script of a development package.
    private sealed class CLibrary
    {
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate IntPtr GetenvFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int SetenvFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

        public required GetenvFunction Getenv { get; init; }

        public required SetenvFunction Setenv { get; init; }

        public static CLibrary? Load()
        {
            var file = OperatingSystem.IsLinux() ? "libc.so.6" : OperatingSystem.IsMacOS() ? "/usr/lib/libSystem.B.dylib" : null;
            if (file is null || !NativeLibrary.TryLoad(file, out var handle)
                || !NativeLibrary.TryGetExport(handle, "getenv", out var getenv) || !NativeLibrary.TryGetExport(handle, "setenv", out var setenv))
            {
                return null;
            }

            return new CLibrary
            {
                Getenv = Marshal.GetDelegateForFunctionPointer<GetenvFunction>(getenv),
                Setenv = Marshal.GetDelegateForFunctionPointer<SetenvFunction>(setenv),
            };
        }
    }
}
