using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace LossDsl.Platform;

/// <summary>Applies the native fix-ups when this assembly loads, for apps the package's own initializer does not reach.</summary>
internal static class RuntimeModuleInitializer
{
    // The package adds an initializer to C# applications (build/LossDsl.NativeSetup.cs), which runs before Main; this
    // one covers the rest (an F# app, an app that opted out of the compile item), as early as a library can.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "oneDNN reads its ISA limit once, at its first primitive: the variable must be set before any loss or model runs.")]
    internal static void Initialize() => OneDnnIsaFixup.Apply();
}
