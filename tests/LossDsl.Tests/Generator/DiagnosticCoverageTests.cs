using LossDsl.Language.Diagnostics;
using LossDsl.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LossDsl.Tests.Generator;

/// <summary>
/// One case per diagnostic ID, through the real generator: the ID, its severity and the exact characters it marks.
/// A test below fails when an ID has no case here, so a new check cannot ship untested.
/// </summary>
public sealed class DiagnosticCoverageTests
{
    /// <summary>
    /// C# source (attribute form) or, when it starts with "loss ", a .loss file; markup marks the expected span. Lines of
    /// "---" separate .loss files that come before the marked one.
    /// </summary>
    public static TheoryData<string, string> Cases { get; } = new()
    {
        { "LOSS0001", """[Loss("bce {|LOSS0001:&|} iou")]""" },
        { "LOSS0002", """[Loss("bce + {|LOSS0002:)|}")]""" },
        { "LOSS0003", """[Loss("{|LOSS0003:2x|} * bce")]""" },
        { "LOSS0004", "[Loss(\"" + new string('(', 200) + "{|LOSS0004:(|}" + new string('(', 99) + "bce\")]" },
        { "LOSS0100", """[Loss("bce + {|LOSS0100:ioo|}")]""" },
        { "LOSS0101", """[Loss("dice({|LOSS0101:smoth|}: 1)")]""" },
        { "LOSS0102", """[Loss("bce(1, 0, kept, {|LOSS0102:2|})")]""" },
        { "LOSS0103", """[Loss("dice(1, {|LOSS0103:smooth: 2|})")]""" },
        { "LOSS0104", """[Loss("dice(per_image: {|LOSS0104:1|})")]""" },
        { "LOSS0105", """[Loss("dice(smooth: {|LOSS0105:-1|})")]""" },
        { "LOSS0106", """[Loss("dice(smooth: 1, {|LOSS0106:true|})")]""" },
        { "LOSS0107", """[Loss("{|LOSS0107:lg|}(bce)")]""" },
        { "LOSS0108", """[Loss("{|LOSS0108:pow(bce)|}")]""" },
        { "LOSS0109", """[Loss("pow(bce, {|LOSS0109:k|}: 2)")]""" },
        { "LOSS0110", """[Loss("bce + {|LOSS0110:[1, 2]|}")]""" },
        { "LOSS0111", """[Loss("bce / {|LOSS0111:0|}")]""" },
        { "LOSS0112", """[Loss("{|LOSS0112:1 + 2|}")]""" },
        { "LOSS0113", "loss A = {|LOSS0113:A|};" },
        { "LOSS0114", "loss A = bce;\nloss B(target: labels[N, H, W]) = dice + {|LOSS0114:A|};" },
        { "LOSS0115", "loss A = bce;\nloss B = {|LOSS0115:A(1)|};" },
        { "LOSS0116", "loss A = ioo;\nloss B = {|LOSS0116:A|};" },
        { "LOSS0117", """[Loss("dice(average: micro, weight: {|LOSS0117:[1, 2]|})", Classes = 2)]""" },
        { "LOSS0118", """[Loss("(1 - a) * dice + {|LOSS0118:a(0.5)|} * boundary_dist", Scalars = new[] { "a" })]""" },
        { "LOSS0200", """[Loss("{|LOSS0200:ce|}")]""" },
        { "LOSS0300", """[Loss("bce")] public sealed class {|LOSS0300:NotPartial|};""" },
        { "LOSS0301", """public class Base; [Loss("bce")] public partial class Derived : {|LOSS0301:Base|};""" },
        { "LOSS0302", """[Loss({|LOSS0302:null|})]""" },
        { "LOSS0303", """[Loss("bce", {|LOSS0303:IgnoreIndex = 255|})]""" },
        { "LOSS0304", """[Loss("bce")] public abstract partial class {|LOSS0304:Abstract|};""" },
        { "LOSS0305", "loss A = bce;\nloss {|LOSS0305:A|} = dice;" },
        { "LOSS0306", "loss {|LOSS0306:bce|} = dice;" },
        { "LOSS0307", "loss A = bce;\n---\nloss B = iou;\nloss {|LOSS0307:A|} = dice;" },
        { "LOSS0900", """[Loss("bce + {|LOSS0900:0 * dice|}")]""" },
        { "LOSS0901", """[Loss("dice(weight: {|LOSS0901:[0]|})")]""" },
        { "LOSS0902", """[Loss("dice + {|LOSS0902:dice|}")]""" },
        { "LOSS0904", """[Loss("dice(activation: {|LOSS0904:none|}) + ce", Target = LossTarget.Labels, Classes = 4)]""" },
        { "LOSS0903", """[Loss("bce", Levels = 2, {|LOSS0903:LevelWeightList = new double[] { 0, 0 }|})]""" },
        { "LOSS0905", """[Loss("bce + log({|LOSS0905:dice|})")]""" },
        { "LOSS0906", """[Loss("bce / {|LOSS0906:dice|}")]""" },
        { "LOSS0907", """[Loss("bce + {|LOSS0907:pow(dice, 0)|}")]""" },
        { "LOSS0908", """[Loss("bce + dice - {|LOSS0908:dice|}")]""" },
        { "LOSS0909", """[Loss("bce + {|LOSS0909:1e-9 * dice|}")]""" },
        { "LOSS0910", """[Loss("dice + {|LOSS0910:hausdorff_dt|}", Spatial = new[] { 256, 256 }, Dtype = LossDtype.Float16)]""" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_diagnostic_has_its_id_severity_and_span(string id, string markup)
    {
        var isFile = markup.StartsWith("loss ", StringComparison.Ordinal);
        var wrapped = isFile || markup.Contains(" class ", StringComparison.Ordinal) ? markup : markup + " public sealed partial class Case;";
        var files = wrapped.Split("\n---\n");
        var (text, expected) = DiagnosticMarkup.Parse(isFile ? files[^1] : "using LossDsl;\n" + wrapped);
        var lossFiles = files.SkipLast(1).Select((file, i) => ($"/src/before{i}.loss", file)).Append(("/src/case.loss", text)).ToArray();
        var (result, _) = isFile ? GeneratorHarness.Run(string.Empty, lossFiles) : GeneratorHarness.Run(text);

        var diagnostic = Assert.Single(Assert.Single(result.Results).Diagnostics, d => d.Id == id);
        var descriptor = LossDiagnostics.All.Single(d => d.Id == id);
        var severity = descriptor.Severity switch
        {
            LossSeverity.Error => DiagnosticSeverity.Error,
            LossSeverity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        };
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal(Assert.Single(expected).Span, diagnostic.Location.SourceSpan);
        Assert.Equal(isFile ? "/src/case.loss" : GeneratorHarness.SourcePath, diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void Every_id_has_a_case() =>
        Assert.Equal(LossDiagnostics.All.Select(d => d.Id).Order(), Cases.Select(c => (string)c[0]).Order());
}
