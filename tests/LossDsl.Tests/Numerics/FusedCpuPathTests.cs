using CsCheck;
using LossDsl.Kernels;
using LossDsl.Kernels.Cpu;
using LossDsl.Tests.Infrastructure;
using LossDsl.Tests.Properties;
using static TorchSharp.torch;

namespace LossDsl.Tests.Numerics;

/// <summary>
/// The one-pass CPU kernel of the statistics node against its torch-operation path, on random shapes, dtypes and
/// options: the same TP, P, T and pixel term's sum (bce or focal), and the same gradient of a function of all of them. The torch path
/// runs on the same values made non-contiguous (every row followed by a copy of itself), which the kernel refuses.
/// </summary>
public sealed class FusedCpuPathTests
{
    /// <summary>How an element scale (a weight map times the kept pixels) is shaped: none, one per pixel, one per element.</summary>
    public enum ScaleShape
    {
        None,
        PerPixel,
        PerElement,
    }

    /// <summary>
    /// 2 to 3 images, 1 to 4 channels, 0 to 3 spatial dims: rows from 1 element to past a block (8192), so rows with a
    /// partial vector, one block and several. Logits from a few units to ±200 (σ and softplus saturate), a mask or soft
    /// targets, a pixel term or none (bce with a positive weight, 1 or another; focal with α none, 0 to 1 and γ whole or
    /// not, with channel weights in [0, 3] or none), an element scale or none (the scale multiplies the pixel term's
    /// elements too).
    /// </summary>
    private static readonly Gen<Case> Cases =
        from shape in Shapes(maxChannels: 4)
        from dtype in Dtypes
        from perImage in Gen.Bool
        from logitScale in LogitScales
        from softTarget in Gen.Bool
        from scale in Gen.Enum<ScaleShape>()
        from positiveWeight in Gen.OneOf(Gen.Const(1.0), Gen.Double[0.2, 4.0])
        from term in Gen.Enum<SigmoidPixelTerm>()
        from alpha in Gen.OneOf(Gen.Const(-1.0), Gen.Const(0.0), Gen.Const(1.0), Gen.Double[0, 1])
        from gamma in Gen.OneOf(Gen.Const(0.0), Gen.Const(1.0), Gen.Const(2.0), Gen.Const(3.0), Gen.Double[0.1, 4])
        from channelWeights in Gen.OneOf(Gen.Const((double[]?)null), Gen.Double[0, 3].Array[(int)shape[1]].Select(w => (double[]?)w))
        from seed in Gen.Int[0, 1 << 20]
        select new Case(shape, dtype, perImage, logitScale, softTarget, scale,
            term switch
            {
                SigmoidPixelTerm.Focal => SigmoidPixelSum.Focal(alpha, gamma, channelWeights),
                SigmoidPixelTerm.CrossEntropy => SigmoidPixelSum.CrossEntropy,
                _ => SigmoidPixelSum.None,
            }, positiveWeight, seed);

    /// <summary>
    /// [N, C, *spatial] with 2 or 3 images (one image of one pixel has no non-contiguous view), 1 to
    /// <paramref name="maxChannels"/> channels and 0 to 3 spatial dims: rows from 1 element to past a block (8192).
    /// </summary>
    internal static Gen<long[]> Shapes(int maxChannels) =>
        from spatialRank in Gen.Int[0, 3]
        from spatial in Gen.Int[1, spatialRank switch { 1 => 20000, 2 => 100, _ => 12 }].Array[spatialRank]
        from images in Gen.Int[2, 3]
        from channels in Gen.Int[1, maxChannels]
        select new long[] { images, channels }.Concat(spatial.Select(d => (long)d)).ToArray();

    /// <summary>The dtypes the passes take.</summary>
    internal static Gen<ScalarType> Dtypes => Gen.OneOf(Gen.Const(ScalarType.Float32), Gen.Const(ScalarType.Float64));

    /// <summary>Logits of a few units to ±200, where σ, softplus and the softmax saturate.</summary>
    internal static Gen<double> LogitScales => Gen.OneOf(Gen.Const(1.0), Gen.Const(8.0), Gen.Const(200.0));

    [Fact]
    public void The_one_pass_kernel_and_the_torch_operations_agree() => PropertyRun.ForAll(Cases, sample =>
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator((ulong)sample.Seed);
        var logits = randn(sample.Shape, dtype: sample.Dtype, generator: generator) * sample.LogitScale;
        var uniform = rand(sample.Shape, dtype: sample.Dtype, generator: generator);
        var target = sample.SoftTarget ? uniform : uniform.gt(0.5).to_type(sample.Dtype);
        var scale = sample.Scale switch
        {
            ScaleShape.None => null,
            ScaleShape.PerPixel => rand(sample.Shape.Take(1).Append(1L).Concat(sample.Shape.Skip(2)).ToArray(), dtype: sample.Dtype, generator: generator).mul(2),
            _ => rand(sample.Shape, dtype: sample.Dtype, generator: generator).mul(2),
        };
        var positiveWeight = sample.PixelSum.Term == SigmoidPixelTerm.CrossEntropy && sample.PositiveWeight != 1.0 ? tensor(sample.PositiveWeight, dtype: sample.Dtype) : null;
        var reduce = RegionStatistics.ReducedDims(logits, sample.PerImage);
        var weights = randn(4, dtype: ScalarType.Float64, generator: generator);

        var (fusedValues, fusedGradient) = Run(logits, target, scale, reduce, sample.PixelSum, positiveWeight, weights);
        Assert.NotNull(CpuRows.Of(logits, target, scale, reduce));
        var (strided, stridedTarget, stridedScale) = (FixedInputs.Strided(logits), FixedInputs.Strided(target), scale is null ? null : FixedInputs.Strided(scale));
        Assert.Null(CpuRows.Of(strided, stridedTarget, stridedScale, reduce));
        var (torchValues, torchGradient) = Run(strided, stridedTarget, stridedScale, reduce, sample.PixelSum, positiveWeight, weights);

        var tolerance = Tolerance.For(sample.Dtype);
        var what = $"{sample}";
        var statistics = sample.PixelSum.Term == SigmoidPixelTerm.None ? torchValues.Length : torchValues.Length - 1;
        Tolerance.CloseToLargest(torchValues[..statistics], fusedValues[..statistics], tolerance, what + ": TP, P, T");
        if (statistics < torchValues.Length)
        {
            var (expected, actual) = (torchValues[statistics], fusedValues[statistics]);
            var allowed = (tolerance * Math.Max(Math.Abs(expected), 1e-3)) + PixelSumFloor(sample.Dtype, logits.numel());
            Assert.True(Math.Abs(expected - actual) <= allowed, $"{what}: pixel sum: expected {expected:R}, got {actual:R} (allowed {allowed:E2})");
        }

        Tolerance.Gradient(torchGradient, fusedGradient, sample.Dtype, what + ": d/dx", CancellingFloor(sample.Dtype));
    }, iterations: 150, seed: 18, print: sample => sample.ToString());

    // The torch path's cross-entropy is libtorch's BCE-with-logits, which loses up to half an ulp of x per element where
    // the loss is small beside x (in float32 x = −8.3, t = 0 gives 2.48909e-4 against 2.48486e-4: 4.2e-7 off, 1.7e-3
    // relative; the fused pass's log1p(e^−|x|) is not). That is at most 2^−21 per element in float32 (|x| in [8, 16);
    // below, a smaller ulp; above, a loss below e^−16), 2^−50 in float64, times a scale below 2 (focal's factors are at
    // most 1). A sum of a few confident elements is no larger than that error (0.0014 against 1.6e-8 apart over 2
    // elements, a seed of 2026-12-07).
    private static double PixelSumFloor(ScalarType dtype, long elements) =>
        elements * (dtype == ScalarType.Float32 ? Math.ScaleB(1, -20) : Math.ScaleB(1, -49));

    [Theory]
    [InlineData("bce", ScalarType.Float64)]
    [InlineData("bce(pos_weight: auto)", ScalarType.Float64)]
    [InlineData("bce(pos_weight: 3)", ScalarType.Float32)]
    [InlineData("focal", ScalarType.Float64)]
    [InlineData("focal(alpha: -1, gamma: 1.5)", ScalarType.Float32)]
    [InlineData("focal(weight: [0.5, 2])", ScalarType.Float64)]
    public void Bce_and_focal_alone_take_the_pass_and_agree_with_their_own_kernels(string text, ScalarType dtype)
    {
        // Alone, the term's kernel sums it in the statistics node's pass on contiguous CPU tensors; libtorch's
        // BCE-with-logits and focal's node run on the same values made non-contiguous.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(19);
        var logits = (randn(new long[] { 3, 2, 21, 35 }, dtype: dtype, generator: generator) * 4).detach();
        var target = rand(new long[] { 3, 2, 21, 35 }, dtype: dtype, generator: generator).gt(0.6).to_type(dtype);
        using var loss = LossCompiler.Compile(text, new LossOptions { Classes = 2 });
        Assert.NotNull(CpuRows.Of(logits, target, null, RegionStatistics.ReducedDims(logits, perImage: false)));

        var (value, gradient) = ValueAndGradient(loss, logits, target);
        var (torchValue, torchGradient) = ValueAndGradient(loss, FixedInputs.Strided(logits), FixedInputs.Strided(target));

        Tolerance.Close(torchValue, value, Tolerance.For(dtype), text);
        Tolerance.Gradient(torchGradient, gradient, dtype, text + ": d/dx");
    }

    [Theory]
    [InlineData("focal", "focal", "dice", ScalarType.Float64)]
    [InlineData("focal", "focal(alpha: -1, gamma: 1.5)", "iou", ScalarType.Float32)]
    [InlineData("focal", "focal(weight: [2, 0.5])", "dice", ScalarType.Float64)]
    [InlineData("focal", "focal(gamma: 3, weight: [0, 1.5])", "iou(per_image: true)", ScalarType.Float32)]
    [InlineData("bce", "bce(pos_weight: auto)", "dice", ScalarType.Float64)]
    [InlineData("bce", "bce(pos_weight: 3)", "dice(per_image: true)", ScalarType.Float32)]
    public void A_pixel_term_summed_in_the_statistics_node_with_maps_is_the_term_of_its_own_kernel(string name, string term, string region, ScalarType dtype)
    {
        // With a weight map and a valid mask, the node beside a region term sums Σ valid·w·ℓ and the plan divides by the
        // kept elements; the term alone on the same values made non-contiguous runs libtorch's kernel or focal's node.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(23);
        var logits = (randn(new long[] { 3, 2, 21, 35 }, dtype: dtype, generator: generator) * 4).detach();
        var target = rand(new long[] { 3, 2, 21, 35 }, dtype: dtype, generator: generator).gt(0.6).to_type(dtype);
        var weight = rand(new long[] { 3, 1, 21, 35 }, dtype: dtype, generator: generator) * 3;
        var valid = rand(new long[] { 3, 1, 21, 35 }, dtype: dtype, generator: generator).gt(0.25).to_type(dtype);
        var options = new LossOptions { Classes = 2, PixelWeight = LossPixelMap.PerPixel, ValidMask = LossPixelMap.PerPixel };
        using var fused = LossCompiler.Compile($"{term} + {region}", options);
        using var own = LossCompiler.Compile(term, options);
        Assert.Contains(LossCompiler.Plan($"{term} + {region}", options, out _).Steps, step => step.Call.Kernel.StartsWith("RegionStatistics.ComputeWith", StringComparison.Ordinal));

        (double Value, Tensor Gradient) TermOf(CompiledLoss loss, Tensor x0, Tensor t, Tensor w, Tensor v)
        {
            var x = x0.detach().requires_grad_();
            using var terms = loss.Terms(new LossInputs(x, t) { PixelWeight = w, ValidMask = v });
            return (terms[name].to_type(ScalarType.Float64).item<double>(), autograd.grad(new[] { terms[name] }, new[] { x })[0]);
        }

        var (value, gradient) = TermOf(fused, logits, target, weight, valid);
        var (ownValue, ownGradient) = TermOf(own, FixedInputs.Strided(logits), FixedInputs.Strided(target), FixedInputs.Strided(weight), FixedInputs.Strided(valid));
        Assert.True(ownValue > 0.01, $"{term}: {ownValue}");
        Tolerance.Close(ownValue, value, Tolerance.For(dtype), term);
        Tolerance.Gradient(FixedInputs.ToArray(ownGradient), FixedInputs.ToArray(gradient), dtype, term + ": d/dx");
        // Left-out pixels get no gradient.
        Assert.Equal(0.0, gradient.mul(valid.neg().add(1)).abs().max().ToDouble());
    }

    private static (double Value, double[] Gradient) ValueAndGradient(CompiledLoss loss, Tensor logits, Tensor target)
    {
        var x = logits.detach().requires_grad_();
        var value = loss.call(x, target);
        var gradient = autograd.grad(new[] { value }, new[] { x })[0];
        return (value.to_type(ScalarType.Float64).item<double>(), FixedInputs.ToArray(gradient));
    }

    [Fact]
    public void A_contiguous_view_into_a_larger_tensor_is_read_from_its_own_first_element()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(11);
        // Images 1 and 2 of 4: contiguous, 2 images past the start of their storage.
        var logits = (randn(new long[] { 4, 2, 9, 13 }, dtype: ScalarType.Float64, generator: generator) * 3).narrow(0, 1, 2);
        var target = rand(new long[] { 4, 2, 9, 13 }, dtype: ScalarType.Float64, generator: generator).gt(0.5).to_type(ScalarType.Float64).narrow(0, 2, 2);
        long[] reduce = { 0, 2, 3 };
        var weights = tensor(new[] { 0.7, -1.1, 0.3, 1.9 });
        Assert.True(logits.is_contiguous() && target.is_contiguous());
        Assert.NotNull(CpuRows.Of(logits, target, null, reduce));

        var (fusedValues, fusedGradient) = Run(logits, target, null, reduce, SigmoidPixelSum.CrossEntropy, positiveWeight: null, weights);
        var (torchValues, torchGradient) = Run(FixedInputs.Strided(logits), FixedInputs.Strided(target), null, reduce, SigmoidPixelSum.CrossEntropy, positiveWeight: null, weights);

        Tolerance.CloseToLargest(torchValues, fusedValues, 1e-12, "TP, P, T, cross-entropy");
        Tolerance.CloseToLargest(torchGradient, fusedGradient, 1e-12, "d/dx");
    }

    [Theory]
    [InlineData(ScalarType.Float32, false)]
    [InlineData(ScalarType.Float32, true)]
    [InlineData(ScalarType.Float64, false)]
    [InlineData(ScalarType.Float64, true)]
    public void The_gradient_from_stored_probabilities_is_the_same_bits_as_from_the_logits(ScalarType dtype, bool scaled)
    {
        using var scope = NewDisposeScope();
        var (logits, target, scale, rows) = MaskInputs(new long[] { 2, 3, 37, 41 }, dtype, spread: 30, scaled, seed: 23);
        // One soft value: its row's block keeps p flipped by t, the binary ones keep t in p's sign.
        target[0, 1, 5, 7] = tensor(0.25, dtype: dtype);
        var pixelSum = scaled ? SigmoidPixelSum.None : SigmoidPixelSum.CrossEntropy;
        double[] truePositiveGrad = { 0.3, -1.2, 2.5 }, predictedGrad = { -0.7, 0.4, 1.1 };

        var (sums, probabilities, keptTerm, maskInSign) = SigmoidStatisticsPass.Forward(rows, logits, target, scale, pixelSum, positiveWeight: 1.7, keep: true);
        Assert.Equal(SigmoidStatisticsPass.Forward(rows, logits, target, scale, pixelSum, positiveWeight: 1.7).Sums, sums);
        Tolerance.CloseToLargest(FixedInputs.ToArray(logits.sigmoid()), Unflipped(probabilities!, target), Tolerance.For(dtype), "stored p");
        Assert.Null(keptTerm);
        Assert.Equal(Enumerable.Range(0, 6).Select(item => item != 1), maskInSign!);
        var fromLogits = FixedInputs.ToArray(SigmoidStatisticsPass.Backward(rows, logits, target, scale, truePositiveGrad, predictedGrad, pixelSum, 0.3, positiveWeight: 1.7));
        // Without the blocks' flags every block reads t and flips p back: the same bits.
        var everyBlockFromTarget = SigmoidStatisticsPass.Backward(rows, logits, target, scale, truePositiveGrad, predictedGrad, pixelSum, 0.3, positiveWeight: 1.7, probabilities!.clone());
        var fromProbabilities = SigmoidStatisticsPass.Backward(rows, logits, target, scale, truePositiveGrad, predictedGrad, pixelSum, 0.3, positiveWeight: 1.7, probabilities, maskInSign: maskInSign);

        Assert.Same(probabilities, fromProbabilities);
        Assert.Equal(fromLogits, FixedInputs.ToArray(fromProbabilities));
        Assert.Equal(fromLogits, FixedInputs.ToArray(everyBlockFromTarget));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void A_binary_block_keeps_its_mask_in_the_sign_of_p_and_its_backward_pass_reads_no_mask(ScalarType dtype)
    {
        // Rows of 10,000 elements: two blocks each, the second partly a tail. The mask handed to the backward pass is all
        // NaN: a block whose mask was binary must not read it, so its gradient is the same bits as from the logits.
        using var scope = NewDisposeScope();
        var (logits, target, _, rows) = MaskInputs(new long[] { 2, 1, 100, 100 }, dtype, spread: 6, scaled: false, seed: 41);
        target[1, 0, 99, 99] = tensor(0.5, dtype: dtype);
        var (_, kept, _, maskInSign) = SigmoidStatisticsPass.Forward(rows, logits, target, null, SigmoidPixelSum.CrossEntropy, positiveWeight: 1, keep: true);
        Assert.Equal(new[] { true, true, true, false }, maskInSign!);
        Tolerance.CloseToLargest(FixedInputs.ToArray(logits.sigmoid()), Unflipped(kept!, target), Tolerance.For(dtype), "kept p");
        var fromLogits = FixedInputs.ToArray(SigmoidStatisticsPass.Backward(rows, logits, target, null, new[] { 0.3 }, new[] { -0.7 }, SigmoidPixelSum.CrossEntropy, 0.4, positiveWeight: 1));

        var unread = full_like(target, double.NaN);
        var fromKept = FixedInputs.ToArray(SigmoidStatisticsPass.Backward(rows, logits, unread, null, new[] { 0.3 }, new[] { -0.7 }, SigmoidPixelSum.CrossEntropy, 0.4, positiveWeight: 1, kept,
            maskInSign: maskInSign));

        Assert.Equal(fromLogits.Take(10_000 + 8192), fromKept.Take(10_000 + 8192));
        Assert.All(fromKept.Skip(10_000 + 8192), value => Assert.True(double.IsNaN(value)));
    }

    [Theory]
    [InlineData(ScalarType.Float32, 2.0, false, false)]
    [InlineData(ScalarType.Float32, 1.5, true, false)]
    [InlineData(ScalarType.Float64, 2.0, true, false)]
    [InlineData(ScalarType.Float64, 0.5, false, false)]
    [InlineData(ScalarType.Float32, 0.0, false, false)]
    [InlineData(ScalarType.Float32, 2.0, false, true)]    // soft targets: the backward pass reads t, and flips p back by it
    [InlineData(ScalarType.Float64, 3.0, true, true)]
    public void Focal_keeps_ce_or_its_slope_beside_p_and_the_gradient_from_them_is_the_same_bits_as_from_the_logits(ScalarType dtype, double gamma, bool scaled, bool soft)
    {
        // Focal's slope reads ce = softplus(x) − t·x, which p alone does not give: the forward pass keeps ce beside p
        // where γ is a power by products (the backward pass takes the slope from t, p and ce), else ∂ℓ/∂x itself.
        using var scope = NewDisposeScope();
        var (logits, binaryTarget, scale, rows) = MaskInputs(new long[] { 2, 1, 29, 33 }, dtype, spread: 8, scaled, seed: 31);
        var target = soft ? (binaryTarget * 0.8) + 0.1 : binaryTarget;
        var pixelSum = SigmoidPixelSum.Focal(0.25, gamma);

        var (sums, probabilities, keptTerm, maskInSign) = SigmoidStatisticsPass.Forward(rows, logits, target, scale, pixelSum, positiveWeight: 1, keep: true);
        Assert.All(maskInSign!, binary => Assert.Equal(!soft, binary));
        Assert.Equal(SigmoidStatisticsPass.Forward(rows, logits, target, scale, pixelSum, positiveWeight: 1).Sums, sums);
        Tolerance.CloseToLargest(FixedInputs.ToArray(logits.sigmoid()), Unflipped(probabilities!, target), Tolerance.For(dtype), "kept p");
        var x = logits.detach().requires_grad_();
        using (var crossEntropy = nn.functional.binary_cross_entropy_with_logits(x, target, reduction: nn.Reduction.None))
        {
            var slope = autograd.grad(new[] { PixelLosses.FocalElements(x.sigmoid(), target, crossEntropy, 0.25, gamma).sum() }, new[] { x })[0];
            var (expected, what) = gamma == Math.Floor(gamma) ? (crossEntropy.detach(), "kept ce") : (slope, "kept ∂ℓ/∂x");
            Tolerance.CloseToLargest(FixedInputs.ToArray(expected), FixedInputs.ToArray(keptTerm!), Tolerance.For(dtype), what);
        }

        var fromLogits = FixedInputs.ToArray(SigmoidStatisticsPass.Backward(rows, logits, target, scale, new[] { 0.3 }, new[] { -0.7 }, pixelSum, 0.4, positiveWeight: 1));
        var fromKept = SigmoidStatisticsPass.Backward(rows, logits, target, scale, new[] { 0.3 }, new[] { -0.7 }, pixelSum, 0.4, positiveWeight: 1, probabilities, keptTerm, maskInSign);

        Assert.Same(probabilities, fromKept);
        Assert.Equal(fromLogits, FixedInputs.ToArray(fromKept));
    }

    [Theory]
    [InlineData(ScalarType.Float32, 2.0, false)]
    [InlineData(ScalarType.Float64, 1.5, true)]
    public void Where_the_statistics_take_no_gradient_focal_keeps_its_slope_alone_and_writes_the_gradient_over_it(ScalarType dtype, double gamma, bool scaled)
    {
        // Focal alone (its kernel disposes TP and P): one kept stream instead of two, and the same bits of gradient.
        using var scope = NewDisposeScope();
        var (logits, target, scale, rows) = MaskInputs(new long[] { 2, 1, 29, 33 }, dtype, spread: 8, scaled, seed: 41);
        var pixelSum = SigmoidPixelSum.Focal(0.25, gamma);

        var (sums, probabilities, keptTerm, maskInSign) = SigmoidStatisticsPass.Forward(rows, logits, target, scale, pixelSum, positiveWeight: 1, keep: true, statisticsTakeGradients: false);
        Assert.Equal(SigmoidStatisticsPass.Forward(rows, logits, target, scale, pixelSum, positiveWeight: 1).Sums, sums);
        Assert.Null(probabilities);
        Assert.Null(maskInSign);
        var fromLogits = FixedInputs.ToArray(SigmoidStatisticsPass.Backward(rows, logits, target, scale, new[] { 0.0 }, new[] { 0.0 }, pixelSum, 0.4, positiveWeight: 1));
        var fromSlope = SigmoidStatisticsPass.Backward(rows, logits, target, scale, new[] { 0.0 }, new[] { 0.0 }, pixelSum, 0.4, positiveWeight: 1, null, keptTerm, null);

        Assert.Same(keptTerm, fromSlope);
        Assert.Equal(fromLogits, FixedInputs.ToArray(fromSlope));
        Assert.Contains(fromLogits, g => g != 0);

        // bce's slope is p − t: it keeps p, as before.
        var bce = SigmoidStatisticsPass.Forward(rows, logits, target, scale, SigmoidPixelSum.CrossEntropy, positiveWeight: 1, keep: true, statisticsTakeGradients: false);
        Assert.NotNull(bce.Probabilities);
        Assert.Null(bce.KeptTerm);
    }

    [Fact]
    public void A_slope_kept_alone_refuses_gradients_through_TP_and_P()
    {
        using var scope = NewDisposeScope();
        var logits = randn(new long[] { 2, 1, 8, 8 });
        var target = rand(new long[] { 2, 1, 8, 8 }).gt(0.5).to_type(ScalarType.Float32);
        var rows = CpuRows.Of(logits, target, null, new long[] { 0, 2, 3 })!.Value;
        var (_, _, keptTerm, _) = SigmoidStatisticsPass.Forward(rows, logits, target, null, SigmoidPixelSum.Focal(0.25, 2), positiveWeight: 1, keep: true, statisticsTakeGradients: false);

        var error = Assert.Throws<ArgumentException>(() =>
            SigmoidStatisticsPass.Backward(rows, logits, target, null, new[] { 0.0 }, new[] { 0.5 }, SigmoidPixelSum.Focal(0.25, 2), 1.0, positiveWeight: 1, null, keptTerm, null));

        Assert.Contains("TP and P", error.Message);
    }

    [Fact]
    public void Focal_from_kept_p_alone_is_refused_its_slope_reads_the_logits()
    {
        using var scope = NewDisposeScope();
        var logits = randn(new long[] { 2, 1, 8, 8 });
        var target = rand(new long[] { 2, 1, 8, 8 }).gt(0.5).to_type(ScalarType.Float32);
        var rows = CpuRows.Of(logits, target, null, new long[] { 0, 2, 3 })!.Value;

        var error = Assert.Throws<InvalidOperationException>(() =>
            SigmoidStatisticsPass.Backward(rows, logits, target, null, new[] { 1.0 }, new[] { 1.0 }, SigmoidPixelSum.Focal(0.25, 2), 1.0, positiveWeight: 1, logits.sigmoid()));

        Assert.Contains("slope reads the logits", error.Message);
    }

    [Fact]
    public void A_kept_slope_adds_nothing_when_the_focal_sum_has_no_gradient()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(37);
        var logits = randn(new long[] { 2, 1, 8, 8 }, generator: generator) * 4;
        var target = rand(new long[] { 2, 1, 8, 8 }, generator: generator).gt(0.5).to_type(ScalarType.Float32);
        var rows = CpuRows.Of(logits, target, null, new long[] { 0, 2, 3 })!.Value;
        var (_, probabilities, keptTerm, maskInSign) = SigmoidStatisticsPass.Forward(rows, logits, target, null, SigmoidPixelSum.Focal(0.25, 2), positiveWeight: 1, keep: true);

        var gradient = SigmoidStatisticsPass.Backward(rows, logits, target, null, new[] { 1.5 }, new[] { -0.5 }, SigmoidPixelSum.Focal(0.25, 2), 0.0, positiveWeight: 1, probabilities, keptTerm, maskInSign);

        var p = logits.sigmoid();
        var expected = p * (1 - p) * (target * 1.5 - 0.5);
        Tolerance.CloseToLargest(FixedInputs.ToArray(expected), FixedInputs.ToArray(gradient), Tolerance.For(ScalarType.Float32), "d/dx of TP and P only");
    }

    [Theory]
    [InlineData("bce + dice + iou", LossTarget.Mask)]
    [InlineData("focal + dice", LossTarget.Mask)]
    [InlineData("focal", LossTarget.Mask)]
    [InlineData("ce + dice", LossTarget.Labels)]
    [InlineData("dice + focal", LossTarget.Labels)]
    public void A_second_backward_pass_of_a_retained_graph_computes_again_from_the_logits(string text, LossTarget task)
    {
        // The first backward pass writes the gradient over the p the forward pass kept (focal keeps its slope beside it,
        // or alone without a region term); a second one must not read it as p or as the slope.
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(29);
        long[] shape = { 2, 3, 17, 19 };
        var x = (randn(shape, dtype: ScalarType.Float64, generator: generator) * 3).requires_grad_();
        var target = task == LossTarget.Labels
            ? randint(0, 3, new long[] { 2, 17, 19 }, dtype: ScalarType.Int64, generator: generator)
            : rand(shape, dtype: ScalarType.Float64, generator: generator).gt(0.5).to_type(ScalarType.Float64);
        using var loss = LossCompiler.Compile(text, new LossOptions { Classes = 3, Target = task });
        var value = loss.call(x, target);

        var first = FixedInputs.ToArray(autograd.grad(new[] { value }, new[] { x }, retain_graph: true)[0]);
        var second = FixedInputs.ToArray(autograd.grad(new[] { value }, new[] { x })[0]);

        Assert.Equal(first, second);
        Assert.Contains(first, g => g != 0);
    }

    [Fact]
    public void The_sums_are_the_same_bits_for_every_thread_count()
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        long[] shape = { 3, 2, 50, 70 };
        var logits = randn(shape, generator: generator) * 5;
        var target = rand(shape, generator: generator).gt(0.5).to_type(ScalarType.Float32);
        var rows = CpuRows.Of(logits, target, null, new long[] { 0, 2, 3 })!.Value;
        var threads = get_num_threads();
        try
        {
            var sums = new[] { 1, 2, 3 }.Select(count =>
            {
                set_num_threads(count);
                return SigmoidStatisticsPass.Forward(rows, logits, target, null, SigmoidPixelSum.Focal(0.25, 1.5), positiveWeight: 1).Sums;
            }).ToArray();

            Assert.Equal(sums[0], sums[1]);
            Assert.Equal(sums[0], sums[2]);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    // Seeded logits (standard normal times spread), a {0, 1} mask, a per-pixel scale in [0, 1) when scaled, and their
    // rows summed over the batch and the spatial dims.
    // The kept p: its bits flipped back by the mask's, as the backward pass does for a block whose mask is not binary.
    private static double[] Unflipped(Tensor kept, Tensor target) => kept.dtype == ScalarType.Float64
        ? kept.data<double>().ToArray().Zip(target.data<double>().ToArray(), (k, t) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(k) ^ (BitConverter.DoubleToInt64Bits(t) << 11))).ToArray()
        : kept.data<float>().ToArray().Zip(target.data<float>().ToArray(), (k, t) => (double)BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(k) ^ (BitConverter.SingleToInt32Bits(t) << 8))).ToArray();

    private static (Tensor Logits, Tensor Target, Tensor? Scale, CpuRows Rows) MaskInputs(long[] shape, ScalarType dtype, double spread, bool scaled, long seed)
    {
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        var logits = randn(shape, dtype: dtype, generator: generator) * spread;
        var target = rand(shape, dtype: dtype, generator: generator).gt(0.5).to_type(dtype);
        var scale = scaled ? rand(new[] { shape[0], 1, shape[2], shape[3] }, dtype: dtype, generator: generator) : null;
        return (logits, target, scale, CpuRows.Of(logits, target, scale, new long[] { 0, 2, 3 })!.Value);
    }

    // TP, P, T (and the pixel term's sum), and the gradient of a weighted function of them, as float64 arrays.
    private static (double[] Values, double[] Gradient) Run(
        Tensor logits, Tensor target, Tensor? scale, long[] reduce, SigmoidPixelSum pixelSum, Tensor? positiveWeight, Tensor weights)
    {
        var x = logits.detach().requires_grad_();
        var (truePositive, predicted, targetSum, pixelSumValue, _) = SigmoidStatistics.Compute(x, target, reduce, pixelSum, positiveWeight, scale);
        var w = weights.data<double>().ToArray();
        var objective = ((truePositive * w[0]) + (predicted * w[1]) + (truePositive * predicted * w[2] / ElementsPerStatistic(x, predicted))).sum();
        if (pixelSumValue is not null)
        {
            objective = objective + (pixelSumValue * w[3]);
        }

        var gradient = autograd.grad(new[] { objective }, new[] { x })[0];
        var values = new[] { truePositive, predicted, targetSum }.Concat(pixelSumValue is null ? Array.Empty<Tensor>() : new[] { pixelSumValue })
            .SelectMany(FixedInputs.ToArray).ToArray();
        return (values, FixedInputs.ToArray(gradient));
    }

    // A float32 gradient element here is a difference of larger terms (p·(G_c − Σ p_k G_k), g·(p − t)), each computed to
    // a few ulps by either path: the floor is the dtype's tolerance of the largest element, as for ssim's fixtures.
    internal static double CancellingFloor(ScalarType dtype) => dtype == ScalarType.Float32 ? 1.0 : Tolerance.FloorFraction;

    // The elements summed into each statistic: TP·P over it keeps the product's gradients (P/S and TP/S) of order 1, as
    // a loss's are; over the number of statistics they grew with the image and turned float32's last bits of TP and P
    // into gradient errors beyond the dtype's tolerance.
    private static double ElementsPerStatistic(Tensor x, Tensor statistic) => (double)x.numel() / statistic.numel();

    internal sealed record Case(long[] Shape, ScalarType Dtype, bool PerImage, double LogitScale, bool SoftTarget, ScaleShape Scale, SigmoidPixelSum PixelSum, double PositiveWeight, int Seed)
    {
        public override string ToString() =>
            $"[{string.Join(", ", Shape)}] {Dtype}{(PerImage ? " per image" : string.Empty)}, logits ×{LogitScale}, {(SoftTarget ? "soft" : "mask")} target, "
            + $"scale {Scale}, {PixelSum}, pos weight {PositiveWeight}, seed {Seed}";
    }
}
