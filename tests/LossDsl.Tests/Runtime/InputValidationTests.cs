using static TorchSharp.torch;

namespace LossDsl.Tests.Runtime;

/// <summary>Wrong inputs fail at the first kernel with a message that names the loss and says what was expected.</summary>
public sealed class InputValidationTests
{
    private static readonly LossOptions Labels = new() { Name = "OrganLoss", Target = LossTarget.Labels, Classes = 4, IgnoreIndex = 255 };

    [Fact]
    public void Labels_shaped_like_a_mask_are_rejected_with_a_hint()
    {
        var error = Run("dice", Labels, zeros(2, 4, 3, 3), zeros(new long[] { 2, 4, 3, 3 }, dtype: ScalarType.Int64));
        Assert.Equal(
            "OrganLoss: target labels must have pred's shape without the class dim, [2, 3, 3], got [2, 4, 3, 3] (that is a mask's shape: labels hold one class index per pixel). (Parameter 'target')",
            error.Message);
    }

    [Fact]
    public void Labels_of_another_size_are_rejected()
    {
        var error = Run("ce", Labels, zeros(2, 4, 3, 3), zeros(new long[] { 2, 3, 4 }, dtype: ScalarType.Int64));
        Assert.StartsWith("OrganLoss: target labels must have pred's shape without the class dim, [2, 3, 3], got [2, 3, 4].", error.Message);
    }

    [Fact]
    public void Float_labels_are_rejected()
    {
        var error = Run("ce", Labels, zeros(2, 4, 3, 3), zeros(2, 3, 3));
        Assert.StartsWith("OrganLoss: target labels must be an integer tensor of class indices (int64), got Float32.", error.Message);
    }

    [Theory]
    [InlineData(4L, "found 4")]
    [InlineData(-1L, "found -1")]
    [InlineData(254L, "found 254")]
    public void Labels_outside_the_classes_and_not_ignored_are_rejected(long label, string found)
    {
        var target = zeros(new long[] { 1, 2, 2 }, dtype: ScalarType.Int64);
        target[0, 1, 1] = tensor(label);
        target[0, 0, 1] = tensor(255L);
        var error = Run("dice + ce", Labels, zeros(1, 4, 2, 2), target);
        Assert.StartsWith($"OrganLoss: target labels must be class indices in [0, 3] or the ignore index 255, {found}.", error.Message);
    }

    [Fact]
    public void Without_an_ignore_index_255_is_just_out_of_range()
    {
        var target = full(new long[] { 1, 2, 2 }, 255L, dtype: ScalarType.Int64);
        var error = Run("focal", Labels with { IgnoreIndex = null }, zeros(1, 4, 2, 2), target);
        Assert.StartsWith("OrganLoss: target labels must be class indices in [0, 3], found 255.", error.Message);
    }

    [Fact]
    public void A_pred_with_another_class_count_than_declared_is_rejected()
    {
        var error = Run("ce", Labels, zeros(2, 3, 3, 3), zeros(new long[] { 2, 3, 3 }, dtype: ScalarType.Int64));
        Assert.StartsWith("OrganLoss: pred must have 4 channel(s) in dim 1 (declared [N, 4, ...]), got [2, 3, 3, 3].", error.Message);
    }

    [Fact]
    public void Labels_need_two_classes_when_the_count_is_not_declared()
    {
        var error = Run("ce", Labels with { Classes = null }, zeros(2, 1, 3, 3), zeros(new long[] { 2, 3, 3 }, dtype: ScalarType.Int64));
        Assert.StartsWith("OrganLoss: class labels need pred with at least 2 classes in dim 1, got [2, 1, 3, 3].", error.Message);
    }

    [Fact]
    public void Pred_without_a_class_dim_or_of_integers_is_rejected()
    {
        var rank = Run("ce", Labels with { Classes = null }, zeros(4), zeros(new long[] { 4 }, dtype: ScalarType.Int64));
        Assert.StartsWith("OrganLoss: pred must have shape [N, C, *spatial], got [4].", rank.Message);

        var integers = Run("dice", Labels, zeros(new long[] { 1, 4, 2, 2 }, dtype: ScalarType.Int64), zeros(new long[] { 1, 2, 2 }, dtype: ScalarType.Int64));
        Assert.StartsWith("OrganLoss: pred must be a floating-point tensor, got Int64.", integers.Message);
    }

    [Fact]
    public void Pred_of_another_spatial_rank_than_declared_is_rejected()
    {
        var error = Run("ce", Labels, zeros(new long[] { 1, 4, 2, 2, 2 }), zeros(new long[] { 1, 2, 2, 2 }, dtype: ScalarType.Int64));
        Assert.StartsWith("OrganLoss: pred must have 4 dims, [N, C, *, *] (2 spatial, as declared), got [1, 4, 2, 2, 2].", error.Message);
    }

    [Fact]
    public void Nan_or_infinite_pred_is_rejected_unless_value_checks_are_off()
    {
        using var pred = zeros(1, 4, 2, 2);
        pred[0, 1, 0, 0] = tensor(double.NaN);
        pred[0, 2, 1, 1] = tensor(double.PositiveInfinity);
        using var target = zeros(new long[] { 1, 2, 2 }, dtype: ScalarType.Int64);
        using var loss = LossCompiler.Compile("ce", Labels);

        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, target));
        Assert.StartsWith("OrganLoss: pred contains NaN or infinite values (min NaN, max NaN): a diverged model or bad input. Set CheckValues = false to skip value checks.", error.Message);

        using var infinite = zeros(1, 4, 2, 2);
        infinite[0, 0, 1, 0] = tensor(double.NegativeInfinity);
        Assert.StartsWith("OrganLoss: pred contains NaN or infinite values (min -Infinity, max 0)", Assert.Throws<ArgumentException>(() => loss.call(infinite, target)).Message);

        loss.CheckValues = false;
        using var passedThrough = loss.call(pred, target);
        Assert.True(passedThrough.isnan().ToBoolean(), "with checks off the NaN flows through, as in plain TorchSharp");
    }

    [Fact]
    public void A_mask_outside_zero_one_is_rejected_unless_value_checks_are_off()
    {
        using var pred = zeros(1, 1, 2, 2);
        using var target = tensor(new float[] { 0, 1, 2, -0.5f }).reshape(1, 1, 2, 2);
        using var loss = LossCompiler.Compile("bce + dice", new LossOptions { Name = "MaskLoss" });

        var error = Assert.Throws<ArgumentException>(() => loss.call(pred, target));
        Assert.StartsWith("MaskLoss: target mask must hold values in [0, 1], found values from -0.5 to 2. Set CheckValues = false to skip value checks.", error.Message);

        loss.CheckValues = false;
        using var value = loss.call(pred, target);
        Assert.True(value.isfinite().ToBoolean());
    }

    /// <summary>
    /// With the statistics node on the logits the plan hands it the value checks (the checked target makes none): its
    /// one-pass kernel checks from the values it reads, the torch-operation path (here non-contiguous copies) first; both
    /// with the checked target's messages, at any element of a block, its main loop or its tail.
    /// </summary>
    [Theory]
    [InlineData("dice", true)]
    [InlineData("bce + dice", true)]
    [InlineData("focal + dice + iou", true)]
    [InlineData("bce + dice", false)]
    [InlineData("focal + dice + iou", false)]
    public void The_statistics_node_checks_pred_and_the_mask_as_the_checked_target_would(string text, bool contiguous)
    {
        using var scope = NewDisposeScope();
        using var loss = LossCompiler.Compile(text, new LossOptions { Name = "MaskLoss" });
        var shape = new long[] { 2, 1, 16, 40 };
        Tensor Input(Tensor values) => contiguous ? values : Numerics.FixedInputs.Strided(values);
        Tensor Pred() => (arange(2 * 16 * 40, dtype: ScalarType.Float32) % 7 - 3).reshape(shape);
        Tensor Mask() => (arange(2 * 16 * 40, dtype: ScalarType.Float32) % 3 / 2).reshape(shape);

        // Valid values pass: 0, 0.5 and 1 exactly.
        Assert.True(loss.call(Input(Pred()), Input(Mask())).isfinite().ToBoolean());
        foreach (var at in new[] { 0L, 700L, 1279L })
        {
            var nan = Pred();
            nan.view(-1)[at] = tensor(float.NaN);
            Assert.StartsWith("MaskLoss: pred contains NaN or infinite values (min NaN, max NaN)", Assert.Throws<ArgumentException>(() => loss.call(Input(nan), Input(Mask()))).Message);
            var infinite = Pred();
            infinite.view(-1)[at] = tensor(float.PositiveInfinity);
            Assert.StartsWith("MaskLoss: pred contains NaN or infinite values (min -3, max Infinity)", Assert.Throws<ArgumentException>(() => loss.call(Input(infinite), Input(Mask()))).Message);

            // Just outside [0, 1] either way, and NaN; the message gives the float32 values as float64 numbers.
            foreach (var (bad, range) in new[] { (1.0000001f, "0 to 1.0000001192092896"), (-1e-30f, ((double)-1e-30f).ToString(System.Globalization.CultureInfo.InvariantCulture) + " to 1"), (float.NaN, "NaN to NaN") })
            {
                var mask = Mask();
                mask.view(-1)[at] = tensor(bad);
                var message = Assert.Throws<ArgumentException>(() => loss.call(Input(Pred()), Input(mask))).Message;
                Assert.StartsWith($"MaskLoss: target mask must hold values in [0, 1], found values from {range}.", message);
            }
        }

        loss.CheckValues = false;
        var outside = Mask();
        outside.view(-1)[5] = tensor(2f);
        Assert.True(loss.call(Input(Pred()), Input(outside)).isfinite().ToBoolean(), "with checks off the values pass through");
    }

    /// <summary>
    /// On class indices the statistics node on the logits (ce or focal summed beside a region term) checks that pred is
    /// finite, which the checked labels then leave to it: on its one-pass kernel and on its fallback (strided logits),
    /// with the checked labels' message, for a NaN or an infinity in any class of any pixel.
    /// </summary>
    [Theory]
    [InlineData("ce + dice", true)]
    [InlineData("dice(include_background: false) + 0.5 * focal(gamma: 2)", true)]
    [InlineData("ce + dice", false)]
    public void The_class_index_statistics_node_checks_that_pred_is_finite(string text, bool contiguous)
    {
        using var scope = NewDisposeScope();
        using var loss = LossCompiler.Compile(text, Labels);
        Tensor Input(Tensor values) => contiguous ? values : Numerics.FixedInputs.Strided(values);
        var target = ClassIndexTarget();

        Assert.True(loss.call(Input(ClassIndexLogits()), target).isfinite().ToBoolean());
        foreach (var (at, bad, message) in new[]
        {
            (0L, double.NaN, "OrganLoss: pred contains NaN or infinite values (min NaN, max NaN)"),
            (7L, double.NegativeInfinity, "OrganLoss: pred contains NaN or infinite values (min -Infinity, max 2)"),
            (1279L, double.PositiveInfinity, "OrganLoss: pred contains NaN or infinite values (min -2, max Infinity)"),
        })
        {
            var pred = ClassIndexLogits();
            pred.view(-1)[at] = tensor(bad, dtype: ScalarType.Float32);
            Assert.StartsWith(message, Assert.Throws<ArgumentException>(() => loss.call(Input(pred), target)).Message);
        }

        loss.CheckValues = false;
        var passedThrough = ClassIndexLogits();
        passedThrough.view(-1)[3] = tensor(float.NaN);
        Assert.True(loss.call(Input(passedThrough), target).isnan().ToBoolean(), "with checks off the NaN flows through");
    }

    /// <summary>
    /// The statistics node of class indices checks the labels' range where it reads them first (ce or focal summed beside
    /// a region term), which the checked labels then leave to it: on its one-pass kernel and on its fallback (strided
    /// logits), with the checked labels' message, for labels below 0, at C, beyond the ignore index and beyond 2³² (which
    /// wrap to a class in 32 bits), at the first, a middle and the last pixel; with CheckValues off too.
    /// </summary>
    [Theory]
    [InlineData("ce + dice", true)]
    [InlineData("dice(include_background: false) + 0.5 * focal(gamma: 2)", true)]
    [InlineData("ce + dice", false)]
    public void The_class_index_statistics_node_checks_the_labels_range(string text, bool contiguous)
    {
        using var scope = NewDisposeScope();
        using var loss = LossCompiler.Compile(text, Labels);
        var pred = contiguous ? ClassIndexLogits() : Numerics.FixedInputs.Strided(ClassIndexLogits());
        Assert.True(loss.call(pred, ClassIndexTarget()).isfinite().ToBoolean());
        foreach (var checkValues in new[] { true, false })
        {
            loss.CheckValues = checkValues;
            foreach (var (at, label) in new[] { (0L, -1L), (155L, 4L), (319L, 256L), (170L, (1L << 32) + 1) })
            {
                var target = ClassIndexTarget();
                target.view(-1)[at] = tensor(label);
                var error = Assert.Throws<ArgumentException>(() => loss.call(pred, target));
                Assert.StartsWith($"OrganLoss: target labels must be class indices in [0, 3] or the ignore index 255, found {label}.", error.Message);
            }
        }
    }

    // The class-index node tests' inputs: logits [2, 4, 8, 20] from −2 to 2, and labels [2, 8, 20] through the four classes
    // with pixel 7 ignored.
    private static Tensor ClassIndexLogits() => (arange(2 * 4 * 8 * 20, dtype: ScalarType.Float32) % 5 - 2).reshape(2, 4, 8, 20);

    private static Tensor ClassIndexTarget()
    {
        var target = (arange(2 * 8 * 20, dtype: ScalarType.Int64) % 4).reshape(2, 8, 20);
        target.view(-1)[7] = tensor(255L);
        return target;
    }

    [Fact]
    public void A_target_on_another_device_is_rejected()
    {
        var error = Run("ce", Labels, zeros(1, 4, 2, 2), zeros(new long[] { 1, 2, 2 }, dtype: ScalarType.Int64, device: META));
        Assert.StartsWith("OrganLoss: pred is on cpu but target is on meta; move both to one device.", error.Message);
    }

    [Fact]
    public void A_class_weight_list_that_does_not_fit_the_run_time_class_count_is_rejected()
    {
        // With no declared class count the binder cannot check the list; the kernel does.
        var options = Labels with { Classes = null, IgnoreIndex = null };
        Tensor NewLabels() => zeros(new long[] { 1, 2, 2 }, dtype: ScalarType.Int64);
        Assert.StartsWith("weight has 2 entries but pred has 3 classes.", Run("ce(weight: [1, 2])", options, zeros(1, 3, 2, 2), NewLabels()).Message);
        Assert.StartsWith("weight has 2 entries but pred has 3 channel(s).", Run("dice(weight: [1, 2])", options, zeros(1, 3, 2, 2), NewLabels()).Message);
    }

    [Fact]
    public void Uint8_label_images_and_int32_labels_are_accepted()
    {
        using var loss = LossCompiler.Compile("ce + dice", Labels);
        using var pred = zeros(1, 4, 2, 2);
        using var asInt64 = tensor(new long[] { 0, 3, 255, 1 }).reshape(1, 2, 2);
        using var expected = loss.call(pred, asInt64);
        using var asByte = asInt64.to_type(ScalarType.Byte);
        using var asInt32 = asInt64.to_type(ScalarType.Int32);

        Assert.Equal(expected.ToDouble(), loss.call(pred, asByte).ToDouble());
        Assert.Equal(expected.ToDouble(), loss.call(pred, asInt32).ToDouble());
    }

    private static ArgumentException Run(string text, LossOptions options, Tensor pred, Tensor target)
    {
        using var loss = LossCompiler.Compile(text, options);
        using (pred)
        using (target)
        {
            return Assert.Throws<ArgumentException>(() => loss.call(pred, target));
        }
    }
}
