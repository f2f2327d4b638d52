using LossDsl.Tests.Infrastructure;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// ms_ssim beyond its fixtures (tests/reference, pytorch_msssim's steps): the identities that tie it to ssim, the
/// default five scales at the smallest size they accept, and the run-time size rule when sizes are symbolic.
/// </summary>
public sealed class MsSsimTests
{
    [Theory]
    [InlineData(2, 1, 9, 11)]
    [InlineData(1, 2, 6, 7, 8)]
    public void One_scale_is_ssim_over_the_valid_positions(params int[] shape)
    {
        // Π relu(ssim)^1 over one scale is the valid-border SSIM mean of each (n, c), as long as each mean is positive.
        var (noise, t) = FixedInputs.Binary(shape[0], shape[1], shape[2], shape.Skip(3).Aggregate(1, (a, b) => a * b));
        // Logits that follow the mask, so that every (n, c) has a positive SSIM mean.
        var x = noise.Select((z, i) => (0.3 * z) + (2 * ((2 * t[i]) - 1))).ToArray();
        var dims = shape.Select(d => (long)d).ToArray();
        using var oneScale = LossCompiler.Compile("ms_ssim(5, scale_weights: [1])", new LossOptions { Spatial = Symbolic(shape.Length - 2), Classes = shape[1] });
        using var ssim = LossCompiler.Compile("ssim(5, border: valid)", new LossOptions { Spatial = Symbolic(shape.Length - 2), Classes = shape[1] });

        var (value, gradient) = LossRun.ValueAndGradient(oneScale, x, t, dims);
        var (expected, expectedGradient) = LossRun.ValueAndGradient(ssim, x, t, dims);

        Tolerance.Close(expected, value, Tolerance.Float64, "ms_ssim(5, scale_weights: [1])");
        Tolerance.Gradient(expectedGradient, gradient, ScalarType.Float64, "d ms_ssim / dx");
        Assert.InRange(value, 0.01, 0.9);
    }

    [Fact]
    public void The_default_five_scales_start_at_161_pixels_a_side()
    {
        // (11 − 1)·2⁴ = 160: a 161 × 163 image is the smallest the defaults accept. Equal images give MS-SSIM 1.
        var (_, t) = FixedInputs.Binary(1, 1, 161, 163);
        using var loss = LossCompiler.Compile("ms_ssim", new LossOptions { Input = LossInput.Probabilities });
        var (value, gradient) = LossRun.ValueAndGradient(loss, t, t, new long[] { 1, 1, 161, 163 });

        Assert.Equal(0.0, value, 12);
        Assert.All(gradient, g => Assert.Equal(0.0, g, 9));

        using var pred = zeros(1, 1, 170, 160);
        using var target = zeros(1, 1, 170, 160);
        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, target));
        Assert.StartsWith(
            "loss: ms_ssim's window of 11 over 5 scales needs every spatial side above (11 − 1)·2^4 = 160, got 170×160; use a smaller window or fewer scale_weights.",
            error.Message);
    }

    [Fact]
    public void Depth_counts_as_a_side()
    {
        using var loss = LossCompiler.Compile("ms_ssim(3, scale_weights: [0.5, 0.5])", new LossOptions { Spatial = Symbolic(3) });
        using var pred = zeros(new long[] { 1, 1, 4, 9, 9 });
        using var target = zeros(new long[] { 1, 1, 4, 9, 9 });

        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, target));
        Assert.Contains("needs every spatial side above (3 − 1)·2^1 = 4, got 4×9×9", error.Message);
    }

    [Fact]
    public void Ssim_and_ms_ssim_with_one_window_share_its_buffer()
    {
        using var loss = LossCompiler.Compile("ssim(7) + ms_ssim(7, scale_weights: [0.5, 0.5])");
        var buffer = Assert.Single(loss.named_buffers());
        Assert.Equal("ssimWindow", buffer.name);
        Assert.Equal(new long[] { 7 }, buffer.buffer.shape);
    }

    private static int?[] Symbolic(int rank) => new int?[rank];
}
