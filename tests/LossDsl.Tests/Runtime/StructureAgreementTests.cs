using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Numerics;
using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

[Loss("bce + ssim(11) + iou")]
public sealed partial class BasNetLoss;

[Loss("ssim(5) + lovasz_hinge + 0.5 * boundary + active_contour(weight: 1)")]
public sealed partial class AllStructureLoss;

/// <summary>Generated and run-time compiled structure losses run the same kernels, buffers included, so they agree.</summary>
public sealed class StructureAgreementTests
{
    [Theory]
    [InlineData("bce + ssim(11) + iou")]
    [InlineData("ssim(5) + lovasz_hinge + 0.5 * boundary + active_contour(weight: 1)")]
    public void Compiled_and_generated_losses_agree_on_values_and_gradients(string text)
    {
        long[] shape = { 2, 1, 7, 8 };
        var (x, t) = FixedInputs.Binary(2, 1, 7, 8);
        using nn.Module<Tensor, Tensor, Tensor> generated = text.StartsWith("bce") ? new BasNetLoss() : new AllStructureLoss();
        using var compiled = LossCompiler.Compile(text);

        var (generatedValue, generatedGradient) = LossRun.ValueAndGradient(generated, x, t, shape);
        var (compiledValue, compiledGradient) = LossRun.ValueAndGradient(compiled, x, t, shape);

        Tolerance.Close(generatedValue, compiledValue, 1e-12, text);
        Tolerance.CloseToLargest(generatedGradient, compiledGradient, 1e-12, "gradient of " + text);
        Assert.Equal(generated.named_buffers().Select(b => (b.name, b.buffer.shape)), compiled.named_buffers().Select(b => (b.name, b.buffer.shape)));
    }

    [Fact]
    public void Compiled_buffers_follow_module_to()
    {
        long[] shape = { 2, 1, 7, 8 };
        var (x, t) = FixedInputs.Binary(2, 1, 7, 8);
        using var compiled = LossCompiler.Compile("bce + ssim(11) + iou");
        var expected = LossRun.ValueAndGradient(compiled, x, t, shape).Value;

        compiled.to(ScalarType.Float32);

        Assert.Equal(ScalarType.Float32, compiled.get_buffer("ssimWindow")!.dtype);
        Tolerance.Close(expected, LossRun.ValueAndGradient(compiled, x, t, shape, ScalarType.Float32).Value, Tolerance.Float32, "after to(float32)");
    }

    [Fact]
    public void The_rank_check_names_the_compiled_loss()
    {
        using var compiled = LossCompiler.Compile("bce + ssim(11) + iou", new LossOptions { Name = "BasNet" });
        using var pred = zeros(2, 1, 8);

        var error = Assert.Throws<ArgumentException>(() => compiled.call(pred, pred));
        Assert.StartsWith("BasNet: pred must have 4 dims, [N, C, *, *] (2 spatial, as declared), got [2, 1, 8].", error.Message);
    }
}
