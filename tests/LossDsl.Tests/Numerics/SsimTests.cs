using LossDsl.Kernels;
using LossDsl.Tests.Infrastructure;
using static LossDsl.Tests.Numerics.StructureReferences;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

[Loss("ssim(5, sigma: 1.2)")]
public sealed partial class SmallSsimLoss;

[Loss("ssim")]
public sealed partial class DefaultSsimLoss;

[Loss("ssim(7)", Input = LossInput.Probabilities, Classes = 2)]
public sealed partial class MultilabelSsimLoss;

/// <summary>SSIM against a direct 2-D-window loop (<see cref="StructureReferences.Ssim"/>), its gradient against central differences of that loop.</summary>
public sealed class SsimTests
{
    [Theory]
    [InlineData(ScalarType.Float64, Tolerance.Float64)]
    [InlineData(ScalarType.Float32, Tolerance.Float32)]
    public void Value_and_gradient_match_the_2d_window_definition(ScalarType dtype, double tolerance)
    {
        var (x, t) = FixedInputs.Binary(2, 1, 6, 7);
        long[] shape = { 2, 1, 6, 7 };
        double Reference(double[] logits) => Ssim(new Images(LossRun.Sigmoid(logits), 2, 1, 6, 7), new Images(t, 2, 1, 6, 7), 5, 1.2);

        using var loss = new SmallSsimLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, t, shape, dtype);

        Tolerance.Close(Reference(x), value, tolerance, "ssim(5, sigma: 1.2)");
        Tolerance.CloseToLargest(NumericGradient(Reference, x), gradient, Math.Max(tolerance, 1e-7), "d ssim / dx");
    }

    [Fact]
    public void Default_window_is_11_with_sigma_1_5_and_larger_than_the_image_still_works()
    {
        // 9 × 12 with an 11-wide window: zero padding keeps every pixel's statistics defined.
        var (x, t) = FixedInputs.Binary(1, 1, 9, 12);
        double Reference(double[] logits) => Ssim(new Images(LossRun.Sigmoid(logits), 1, 1, 9, 12), new Images(t, 1, 1, 9, 12), 11, 1.5);

        using var loss = new DefaultSsimLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, x, t, new long[] { 1, 1, 9, 12 });

        Tolerance.Close(Reference(x), value, Tolerance.Float64, "ssim");
        Tolerance.CloseToLargest(NumericGradient(Reference, x), gradient, 1e-7, "d ssim / dx");
    }

    [Fact]
    public void Channels_are_compared_separately_and_averaged()
    {
        var (x, t) = FixedInputs.Binary(2, 2, 5, 6);
        var p = LossRun.Sigmoid(x);
        double Reference(double[] probabilities) => Ssim(new Images(probabilities, 2, 2, 5, 6), new Images(t, 2, 2, 5, 6), 7, 1.5);

        using var loss = new MultilabelSsimLoss();
        var (value, gradient) = LossRun.ValueAndGradient(loss, p, t, new long[] { 2, 2, 5, 6 });

        Tolerance.Close(Reference(p), value, Tolerance.Float64, "ssim(7), C = 2");
        Tolerance.CloseToLargest(NumericGradient(Reference, p), gradient, 1e-7, "d ssim / dp");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_target_that_asks_for_a_gradient_gets_its_own_and_the_prediction_keeps_its(bool predAsks)
    {
        // SSIM is symmetric in its two images: the node writes the target's gradient with the roles swapped, from the
        // same filtered slopes, only when the target requires one.
        using var scope = NewDisposeScope();
        var (x, soft) = FixedInputs.Binary(2, 2, 6, 7);
        var p = LossRun.Sigmoid(x);
        var t = soft.Select((value, i) => (0.8 * value) + (0.1 * Math.Cos(i))).ToArray();
        long[] shape = { 2, 2, 6, 7 };
        double Reference(double[] pred, double[] target) => Ssim(new Images(pred, 2, 2, 6, 7), new Images(target, 2, 2, 6, 7), 5, 1.5);
        using var window = ConstantBuffers.GaussianWindow(5, 1.5);
        var pred = tensor(p, dtype: ScalarType.Float64).reshape(shape).requires_grad_(predAsks);
        var target = tensor(t, dtype: ScalarType.Float64).reshape(shape).requires_grad_();

        var value = StructureLosses.Ssim("Test", pred, target, window, 1e-4, 9e-4, 0, reflect: false, validOnly: false);
        var gradients = autograd.grad(new[] { value }, predAsks ? new[] { pred, target } : new[] { target });

        Tolerance.Close(Reference(p, t), value.ToDouble(), Tolerance.Float64, "ssim(5) of two soft images");
        Tolerance.CloseToLargest(NumericGradient(u => Reference(p, u), t), gradients[^1].data<double>().ToArray(), 1e-7, "d ssim / dt");
        if (predAsks)
        {
            Tolerance.CloseToLargest(NumericGradient(q => Reference(q, t), p), gradients[0].data<double>().ToArray(), 1e-7, "d ssim / dp");
        }
    }

    [Fact]
    public void A_retained_graph_gives_the_same_gradient_twice()
    {
        // The backward pass reads what the forward pass saved without writing over it.
        using var scope = NewDisposeScope();
        var (x, t) = FixedInputs.Binary(2, 1, 9, 8);
        using var window = ConstantBuffers.GaussianWindow(7, 1.5);
        var pred = tensor(LossRun.Sigmoid(x), dtype: ScalarType.Float64).reshape(2, 1, 9, 8).requires_grad_();
        var target = tensor(t, dtype: ScalarType.Float64).reshape(2, 1, 9, 8);
        var value = StructureLosses.Ssim("Test", pred, target, window, 1e-4, 9e-4, 1e-12, reflect: true, validOnly: false);

        var first = autograd.grad(new[] { value }, new[] { pred }, retain_graph: true)[0].data<double>().ToArray();
        var second = autograd.grad(new[] { value }, new[] { pred })[0].data<double>().ToArray();

        Assert.Equal(first, second);
        Assert.Contains(first, g => g != 0);
    }

    [Fact]
    public void A_prediction_equal_to_the_target_has_zero_loss()
    {
        var (_, t) = FixedInputs.Binary(2, 2, 5, 6);
        using var loss = new MultilabelSsimLoss();
        var (value, _) = LossRun.ValueAndGradient(loss, t, t, new long[] { 2, 2, 5, 6 });

        Assert.Equal(0.0, value, 15);
    }

    [Theory]
    [InlineData(8, 10)]     // both sides banded
    [InlineData(256, 3)]    // the largest banded side
    [InlineData(257, 9)]    // one side past it: the separable convolution
    public void Every_formulation_of_the_filter_equals_the_2d_convolution_with_the_outer_product_window(int height, int width)
    {
        using var scope = NewDisposeScope();
        var images = sin(arange(2 * 5 * height * width, dtype: ScalarType.Float64) * 0.37).reshape(2, 5, height, width);
        using var window = ConstantBuffers.GaussianWindow(7, 1.3);
        var plane = outer(window, window).expand(5, 1, 7, 7);
        var direct = nn.functional.conv2d(images, plane, padding: new long[] { 3, 3 }, groups: 5);

        foreach (var (name, filtered) in new[]
        {
            ("banded", StructureLosses.BandedFilter(images, window)),
            ("separable", StructureLosses.SeparableFilter(images, window)),
            ("chosen", StructureLosses.GaussianFilter(images, window)),
        })
        {
            Assert.Equal(direct.shape, filtered.shape);
            var difference = (direct - filtered).abs().max().ToDouble();
            Assert.True(difference <= 1e-14, $"{name} and 2-D filters differ by {difference:E2} at {height} x {width}");
        }
    }

    [Fact]
    public void The_banded_filter_back_propagates_the_transposed_filter()
    {
        // The filter is linear and symmetric in its window, so d Σ(g ⊙ F(x)) / dx = Fᵀ(g) = the same zero-padded filter of g.
        using var scope = NewDisposeScope();
        var images = (cos(arange(1 * 2 * 9 * 11, dtype: ScalarType.Float64) * 0.91)).reshape(1, 2, 9, 11).requires_grad_();
        var weights = sin(arange(1 * 2 * 9 * 11, dtype: ScalarType.Float64) * 0.53).reshape(1, 2, 9, 11);
        using var window = ConstantBuffers.GaussianWindow(5, 0.9);

        var gradient = autograd.grad(new[] { (StructureLosses.BandedFilter(images, window) * weights).sum() }, new[] { images })[0];

        var expected = StructureLosses.SeparableFilter(weights, window);
        var difference = (gradient - expected).abs().max().ToDouble();
        Assert.True(difference <= 1e-14, $"gradient differs from the filtered weights by {difference:E2}");
    }

    [Theory]
    [InlineData(new long[] { 2, 1, 64, 48 })]          // banded matrices
    [InlineData(new long[] { 1, 2, 300, 20 })]         // separable convolutions
    [InlineData(new long[] { 1, 1, 12, 10, 9 })]       // a volume, banded
    [InlineData(new long[] { 1, 1, 4, 300, 6 })]       // a volume, separable
    public void Filtering_leaves_only_its_result_in_the_callers_dispose_scope(long[] shape)
    {
        // The banded matrices' index tensors (n² int64s each, 0.5 MiB at 256) were left to the caller's scope and outlived
        // the step: eight filterings a step of ssim kept 16 MiB that way.
        using var window = ConstantBuffers.GaussianWindow(5, 1.5);
        using var images = rand(shape, dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();
        var filtered = StructureLosses.GaussianFilter(images, window);
        Assert.Equal(1, scope.DisposablesCount);
        Assert.Equal(shape, filtered.shape);
    }

    [Theory]
    [InlineData(new long[] { 2, 1, 64, 48 })]          // banded matrices, built once
    [InlineData(new long[] { 1, 2, 300, 20 })]         // separable convolutions
    [InlineData(new long[] { 1, 1, 12, 10, 9 })]       // a volume, banded
    public void A_filter_built_for_a_shape_filters_every_map_of_it_as_the_filter_built_per_call(long[] shape)
    {
        // SSIM's node builds the banded matrices once for its nine filterings; the same bits as building them each time.
        using var scope = NewDisposeScope();
        using var window = ConstantBuffers.GaussianWindow(5, 1.5);
        var maps = new[] { rand(shape, dtype: ScalarType.Float64), randn(shape, dtype: ScalarType.Float64) };
        using var filter = new GaussianFilterOfShape(maps[0], window);

        foreach (var map in maps)
        {
            Assert.Equal(FixedInputs.ToArray(StructureLosses.GaussianFilter(map, window)), FixedInputs.ToArray(filter.Apply(map)));
        }

        var other = shape.ToArray();
        other[^1] += 1;
        var error = Assert.Throws<ArgumentException>(() => filter.Apply(rand(other, dtype: ScalarType.Float64)));
        Assert.Contains("built for maps of", error.Message);
    }

    [Fact]
    public void Gaussian_window_is_normalised_and_centred()
    {
        using var window = ConstantBuffers.GaussianWindow(11, 1.5);
        var values = FixedInputs.ToArray(window);
        var expected = Enumerable.Range(-5, 11).Select(i => Math.Exp(-(i * i) / (2 * 1.5 * 1.5))).ToArray();

        Assert.Equal(ScalarType.Float64, window.dtype);
        Tolerance.CloseToLargest(expected.Select(e => e / expected.Sum()).ToArray(), values, 1e-15, "window");
        Assert.Equal(1.0, values.Sum(), 14);
    }

    [Fact]
    public void The_window_is_a_buffer_built_once_that_module_to_converts()
    {
        var (x, t) = FixedInputs.Binary(2, 1, 6, 7);
        long[] shape = { 2, 1, 6, 7 };
        var expected = Ssim(new Images(LossRun.Sigmoid(x), 2, 1, 6, 7), new Images(t, 2, 1, 6, 7), 5, 1.2);

        // Made inside a dispose scope that ends at once: the window must outlive it, as the module does.
        SmallSsimLoss loss;
        using (NewDisposeScope())
        {
            loss = new SmallSsimLoss();
        }

        using (loss)
        {
            var (name, window) = Assert.Single(loss.named_buffers());
            Assert.Equal("ssimWindow", name);
            Assert.Equal(ScalarType.Float64, window.dtype);
            Assert.Equal(new long[] { 5 }, window.shape);

            Tolerance.Close(expected, LossRun.ValueAndGradient(loss, x, t, shape).Value, Tolerance.Float64, "before to()");
            Assert.Same(window, Assert.Single(loss.buffers()));

            // module.to replaces (and disposes) the buffer: the field the generated code reads must follow.
            loss.to(ScalarType.Float32);
            Assert.Equal(ScalarType.Float32, Assert.Single(loss.buffers()).dtype);
            Tolerance.Close(expected, LossRun.ValueAndGradient(loss, x, t, shape, ScalarType.Float32).Value, Tolerance.Float32, "float32 window, float32 input");
            Tolerance.Close(expected, LossRun.ValueAndGradient(loss, x, t, shape).Value, Tolerance.Float32, "float32 window, float64 input");
        }
    }

    [Fact]
    public void Two_ssim_terms_with_one_window_share_one_buffer()
    {
        using var loss = LossCompiler.Compile("ssim + ssim(11, sigma: 1.5) + ssim(7)");
        Assert.Equal(new[] { "ssimWindow", "ssimWindow2" }, loss.named_buffers().Select(b => b.name));
        Assert.Equal(new long[] { 7 }, loss.get_buffer("ssimWindow2")!.shape);
    }

    [Fact]
    public void Pred_without_two_spatial_dims_is_rejected_naming_the_loss()
    {
        using var pred = zeros(2, 1, 8);
        using var target = zeros(2, 1, 8);
        using var loss = new SmallSsimLoss();

        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, target));
        Assert.StartsWith("SmallSsimLoss: pred must have 4 dims, [N, C, *, *] (2 spatial, as declared), got [2, 1, 8].", error.Message);
    }
}
