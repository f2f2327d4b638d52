using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security;
using System.Xml.Linq;

using LossDsl.Platform;
using LossDsl.Tests.Infrastructure;

namespace LossDsl.Tests.Packaging;

/// <summary>
/// The LossDsl package as a user gets it: packed, then referenced by a fresh project outside this repository (so none
/// of the repository's Directory.Build.* files help it), restored from a package source, built, run, and broken.
/// </summary>
public sealed class PackageConsumeTests(PackedLossDsl packed) : IClassFixture<PackedLossDsl>
{
    // Known inputs: logits for one 2×2 image and its mask, float64.
    private static readonly double[] Logits = [2, -1, 0.5, -3];
    private static readonly double[] Mask = [1, 0, 1, 1];

    [Fact]
    public void The_package_holds_the_runtime_the_generator_and_its_compiler_as_analyzers_and_the_build_files()
    {
        using var package = ZipFile.OpenRead(packed.PackagePath);
        var files = package.Entries.Select(e => e.FullName)
            .Where(name => !name.StartsWith("_rels/", StringComparison.Ordinal) && !name.StartsWith("package/", StringComparison.Ordinal) && name != "[Content_Types].xml")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(
            [
                "LossDsl.nuspec",
                "README.md",
                "analyzers/dotnet/cs/LossDsl.CodeFixes.dll",
                "analyzers/dotnet/cs/LossDsl.Generator.dll",
                "analyzers/dotnet/cs/LossDsl.Language.dll",
                "build/LibTorchSharpFixup.cs",
                "build/LossDsl.NativeFixup.targets",
                "build/LossDsl.NativeSetup.cs",
                "build/LossDsl.targets",
                "buildTransitive/LossDsl.targets",
                "docs/diagnostics.md",
                "lib/net10.0/LossDsl.Language.dll",
                "lib/net10.0/LossDsl.Runtime.dll",
                "lib/net10.0/LossDsl.Runtime.xml",
            ],
            files);

        // The very files this build made: the netstandard2.0 generator and compiler (they load in any current compiler;
        // the runtime's LossCompiler runs the same compiler) and the runtime.
        var root = RepositoryRoot.Path;
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, "src", "LossDsl.Generator", "bin", Dotnet.Configuration, "netstandard2.0", "LossDsl.Generator.dll")),
            Read(package, "analyzers/dotnet/cs/LossDsl.Generator.dll"));
        var compiler = File.ReadAllBytes(Path.Combine(root, "src", "LossDsl.Language", "bin", Dotnet.Configuration, "netstandard2.0", "LossDsl.Language.dll"));
        Assert.Equal(compiler, Read(package, "analyzers/dotnet/cs/LossDsl.Language.dll"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, "src", "LossDsl.CodeFixes", "bin", Dotnet.Configuration, "netstandard2.0", "LossDsl.CodeFixes.dll")),
            Read(package, "analyzers/dotnet/cs/LossDsl.CodeFixes.dll"));
        Assert.Equal(compiler, Read(package, "lib/net10.0/LossDsl.Language.dll"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, "src", "LossDsl.Runtime", "bin", Dotnet.Configuration, "net10.0", "LossDsl.Runtime.dll")),
            Read(package, "lib/net10.0/LossDsl.Runtime.dll"));
        // The page the diagnostics' help links open when the project names no other.
        Assert.Equal(File.ReadAllBytes(Path.Combine(root, "docs", "diagnostics.md")), Read(package, "docs/diagnostics.md"));

        var nuspec = XDocument.Load(package.GetEntry("LossDsl.nuspec")!.Open()).Root!;
        var ns = nuspec.Name.Namespace;
        var metadata = nuspec.Element(ns + "metadata")!;
        Assert.Equal("LossDsl", metadata.Element(ns + "id")!.Value);
        Assert.Equal(packed.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        // TorchSharp only: Roslyn, PolySharp and the generator and compiler projects stay out; the app chooses its TorchSharp runtime package.
        Assert.Equal(["TorchSharp 0.107.0"],
            metadata.Descendants(ns + "dependency").Select(d => $"{d.Attribute("id")!.Value} {d.Attribute("version")!.Value}").ToArray());
    }

    [Fact]
    public void A_fresh_project_gets_the_generator_its_loss_files_and_the_native_fixup_and_sees_mistakes_on_the_right_character()
    {
        var app = Path.Combine(packed.Root, "app");
        Directory.CreateDirectory(app);
        Assert.False(app.StartsWith(RepositoryRoot.Path, StringComparison.Ordinal), "the consumer must be outside the repository");
        WriteConsumer(app);
        // A packages folder of its own, so this package is extracted there and nowhere else; TorchSharp and libtorch
        // (hundreds of MB) are read from the folder the tests were restored from instead of being restored again.
        // Outputs hard-linked to those folders, as in this repository's own builds (Directory.Build.props): the fix-up
        // must replace its copy, never write through the link into the shared cache (asserted below).
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(packed.Root, "packages"),
            ["CreateHardLinksForCopyLocalIfPossible"] = "true",
        };

        var (exitCode, output) = Dotnet.Run(app, ["run"], environment);

        // That it runs at all on a host with an old libstdc++ (Debian 12) shows the fix-up worked.
        Assert.True(exitCode == 0, $"dotnet run failed (exit code {exitCode}):\n{output}");
        var printed = output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("loss ", StringComparison.Ordinal))
            .Select(line => line.Split(' ')).ToDictionary(parts => parts[1], parts => parts[2]);
        Assert.Equal(3, printed.Count);
        Tolerance.Close(ExpectedBce() + ExpectedDice(), double.Parse(printed["AttributeLoss"], CultureInfo.InvariantCulture), Tolerance.Float64, "bce + dice");
        // The same text compiled at run time, by the compiler the package carries beside the runtime.
        Tolerance.Close(ExpectedBce() + ExpectedDice(), double.Parse(printed["LossCompiler"], CultureInfo.InvariantCulture), Tolerance.Float64, "LossCompiler: bce + dice");
        // The .loss file was never named in the project, and its class lives in $(LossDslNamespace).
        Tolerance.Close(0.5 * ExpectedIou(), double.Parse(printed["Consumer.Losses.FromFile"], CultureInfo.InvariantCulture), Tolerance.Float64, "0.5 * iou");

        // A model's convolution, run before any LossDsl type is touched, gets float64's gradients with two threads: the
        // package's module initializer capped oneDNN where this CPU needs it, and nothing in the project file asked.
        var convolution = ReadConvolutionError(output);
        Assert.True(convolution < 1e-3, $"the consumer's convolution gradient is off by {convolution} (relative):\n{output}");
        var expectedIsa = Environment.GetEnvironmentVariable(OneDnnIsaFixup.Variable) ?? (CpuFeatures.Current.Avx512Core ? OneDnnIsaFixup.Cap : "unset");
        Assert.Contains($"oneDNN {expectedIsa}\n", output.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var copied = Path.Combine(app, "bin", "Debug", "net10.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            Assert.Equal(!TorchSharpNative.HostHasRequiredVersion(), TorchSharpNative.RequirementIsWeak(copied));
            Assert.False(TorchSharpNative.RequirementIsWeak(TorchSharpNative.PristineLibrary), "the NuGet cache's copy must stay pristine");
        }

        File.WriteAllText(Path.Combine(app, "mistake.loss"), "// added after the first build\nloss Bad = dice(smooth: -1);\n");
        (exitCode, output) = Dotnet.Run(app, ["build", "--no-restore", "-clp:NoSummary"], environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"{Path.Combine(app, "mistake.loss")}(2,25): error LOSS0105: Parameter 'smooth' of 'dice' must be a number ≥ 0, not -1", output);
    }

    private void WriteConsumer(string app)
    {
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{SecurityElement.Escape(packed.Feed)}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="tests" value="{SecurityElement.Escape(TorchSharpNative.PackagesFolder)}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RootNamespace>Consumer</RootNamespace>
                <LossDslNamespace>Consumer.Losses</LossDslNamespace>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LossDsl" Version="[{packed.Version}]" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "segmentation.loss"), "loss FromFile = 0.5 * iou;\n");
        File.WriteAllText(Path.Combine(app, "Program.cs"), $$"""
            using System;
            using System.Globalization;
            using LossDsl;
            using static TorchSharp.torch;

            Console.WriteLine($"convolution {ConvolutionError().ToString("R", CultureInfo.InvariantCulture)}");
            Console.WriteLine($"oneDNN {LossDsl.Platform.NativeEnvironment.Get("ONEDNN_MAX_CPU_ISA") ?? "unset"}");
            var logits = tensor(new double[] { {{Literals(Logits)}} }, new long[] { 1, 1, 2, 2 });
            var mask = tensor(new double[] { {{Literals(Mask)}} }, new long[] { 1, 1, 2, 2 });
            Print(typeof(AttributeLoss), new AttributeLoss().call(logits, mask));
            Print(typeof(Consumer.Losses.FromFile), new Consumer.Losses.FromFile().call(logits, mask));
            Console.WriteLine($"loss LossCompiler {LossCompiler.Compile("bce + dice").call(logits, mask).item<double>().ToString("R", CultureInfo.InvariantCulture)}");

            static void Print(Type loss, Tensor value) =>
                Console.WriteLine($"loss {loss.FullName} {value.item<double>().ToString("R", CultureInfo.InvariantCulture)}");

            // The input gradient of a 3×3 convolution with 8 output channels, float32 on two threads against float64.
            static double ConvolutionError()
            {
                set_num_threads(2);
                var generator = new Generator(5);
                var images = randn(new long[] { 16, 8, 32, 32 }, ScalarType.Float64, generator: generator);
                var weight = randn(new long[] { 8, 8, 3, 3 }, ScalarType.Float64, generator: generator) * 0.2;
                Tensor Gradient(ScalarType type)
                {
                    var x = images.to_type(type).requires_grad_();
                    var y = nn.functional.conv2d(x, weight.to_type(type), padding: new long[] { 1, 1 });
                    return autograd.grad(new[] { (y * y).sum() }, new[] { x })[0].to_type(ScalarType.Float64);
                }

                var expected = Gradient(ScalarType.Float64);
                return ((Gradient(ScalarType.Float32) - expected).abs().max() / expected.abs().max()).item<double>();
            }

            [Loss("bce + dice")]
            public sealed partial class AttributeLoss;
            """);
    }

    private static double ReadConvolutionError(string output) =>
        output.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("convolution ", StringComparison.Ordinal))
            .Select(line => double.Parse(line["convolution ".Length..], CultureInfo.InvariantCulture)).Single();

    private static string Literals(double[] values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    private static byte[] Read(ZipArchive package, string name)
    {
        using var stream = package.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    // LOSSES.md by hand: bce = mean of −[t·log p + (1−t)·log(1−p)], in the stable form max(x, 0) − x·t + log(1 + e^−|x|).
    private static double ExpectedBce() =>
        Logits.Zip(Mask, (x, t) => Math.Max(x, 0) - x * t + Math.Log(1 + Math.Exp(-Math.Abs(x)))).Average();

    // dice = 1 − (2·TP + 1) / (P + T + 1) and iou = 1 − (TP + 1) / (P + T − TP + 1), smooth 1, p = sigmoid(x).
    private static double ExpectedDice()
    {
        var (tp, p, t) = Statistics();
        return 1 - (2 * tp + 1) / (p + t + 1);
    }

    private static double ExpectedIou()
    {
        var (tp, p, t) = Statistics();
        return 1 - (tp + 1) / (p + t - tp + 1);
    }

    private static (double TP, double P, double T) Statistics()
    {
        var p = Logits.Select(x => 1 / (1 + Math.Exp(-x))).ToArray();
        return (p.Zip(Mask, (pi, ti) => pi * ti).Sum(), p.Sum(), Mask.Sum());
    }
}
