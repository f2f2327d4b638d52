using System.Runtime.CompilerServices;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// <see cref="SoftmaxStatisticsPass"/>'s loops for plain ce (no class weights, no smoothing) on 2 to
/// <see cref="MaxClasses"/> classes, with the loop over the classes written out: each class's logit, exponential, p and
/// sums are locals the JIT keeps in registers, where the general loop keeps them in arrays on the stack, computes each
/// class's address and index again and reloads its constants. The same operations in the same order as the general loop,
/// so the same bits. Forward, whole groups of <see cref="SoftmaxStatisticsPass.VectorsPerWidening"/> vectors
/// (<see cref="Groups"/>); backward from the kept p, whole vectors (<see cref="Gradient{TLanes, T}"/>); the general loop
/// takes the rest of a block.
/// </summary>
/// <remarks>
/// Each group runs in two methods, the softmax (writing p) and then the classes' sums (reading p back from L1): in one,
/// the lane operations the JIT inlines passed its limit of 512 locals, and it left the last ones as calls.
/// </remarks>
internal static unsafe class UnrolledCrossEntropySums
{
    /// <summary>The most classes written out.</summary>
    public const int MaxClasses = 5;

    private const int Vectors = SoftmaxStatisticsPass.VectorsPerWidening;

    /// <summary>Whether <see cref="Groups"/> takes this many classes.</summary>
    public static bool Takes(int classes) => classes is >= 2 and <= MaxClasses;

    /// <summary>
    /// Adds the sums of the whole groups at the start of a block of <paramref name="length"/> pixels to
    /// <paramref name="lanes"/> (TP, P and T of each class, the cross-entropy, then the value check's sum when
    /// <typeparamref name="TCheck"/> has one) and returns how many pixels it took; p written to
    /// <paramref name="probabilities"/> unless null; the labels' bits and largest label kept as the general loop keeps them.
    /// </summary>
    public static int Groups<TLanes, T, TCheck>(
        T* x, long* y, T* v, T* probabilities, long stride, int classes, int length, TLanes* lanes, ref TLanes labelBits, ref TLanes largestLabel)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TCheck : struct, IValueCheck
    {
        var group = Vectors * TLanes.Count;
        var taken = length - (length % group);
        // p of a group when none is kept: each class a group's length apart.
        var scratch = stackalloc T[probabilities is null ? MaxClasses * group : 0];
        for (var first = 0; first < taken; first += group)
        {
            var inputs = new GroupInputs<T>(x + first, y + first, v is null ? null : v + first, stride,
                probabilities is null ? scratch : probabilities + first, probabilities is null ? group : stride);
            switch (classes)
            {
                case 2: Group<TLanes, T, Two, TCheck>(inputs, lanes, ref labelBits, ref largestLabel); break;
                case 3: Group<TLanes, T, Three, TCheck>(inputs, lanes, ref labelBits, ref largestLabel); break;
                case 4: Group<TLanes, T, Four, TCheck>(inputs, lanes, ref labelBits, ref largestLabel); break;
                default: Group<TLanes, T, Five, TCheck>(inputs, lanes, ref labelBits, ref largestLabel); break;
            }
        }

        return taken;
    }

    /// <summary>
    /// The backward pass's whole vectors from the kept p at <paramref name="p"/> (which <paramref name="g"/> may be):
    /// <c>∂/∂x_c = p_c (G_c − Σ_k p_k G_k) + g_ℓ·v·(p_c − [c = y])</c> with <c>G_c = v·(g_P,c + g_TP,c·[c = y])</c>, as the
    /// general loop computes it for plain ce; returns how many pixels it took.
    /// </summary>
    public static int Gradient<TLanes, T>(T* p, long* y, T* v, T* g, long stride, int classes, int length, TLanes* gPredicted, TLanes* gTruePositive, TLanes gPixelSum)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        var taken = length - (length % TLanes.Count);
        switch (classes)
        {
            case 2: Gradient<TLanes, T, Two>(p, y, v, g, stride, taken, gPredicted, gTruePositive, gPixelSum); break;
            case 3: Gradient<TLanes, T, Three>(p, y, v, g, stride, taken, gPredicted, gTruePositive, gPixelSum); break;
            case 4: Gradient<TLanes, T, Four>(p, y, v, g, stride, taken, gPredicted, gTruePositive, gPixelSum); break;
            default: Gradient<TLanes, T, Five>(p, y, v, g, stride, taken, gPredicted, gTruePositive, gPixelSum); break;
        }

        return taken;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Gradient<TLanes, T, TClasses>(T* p, long* y, T* v, T* g, long stride, int length, TLanes* gPredicted, TLanes* gTruePositive, TLanes gPixelSum)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TClasses : struct, IClassCount
    {
        var classes = TClasses.Count;
        var zero = TLanes.Zero;
        var one = TLanes.One;
        TLanes gP0 = gPredicted[0], gP1 = gPredicted[1], gP2 = classes > 2 ? gPredicted[2] : zero, gP3 = classes > 3 ? gPredicted[3] : zero, gP4 = classes > 4 ? gPredicted[4] : zero;
        TLanes gT0 = gTruePositive[0], gT1 = gTruePositive[1], gT2 = classes > 2 ? gTruePositive[2] : zero, gT3 = classes > 3 ? gTruePositive[3] : zero, gT4 = classes > 4 ? gTruePositive[4] : zero;
        for (var i = 0; i < length; i += TLanes.Count)
        {
            var label = TLanes.LoadIndices(y + i);
            var keep = v is null ? one : TLanes.Load(v + i);
            var p0 = TLanes.Load(p + i);
            var p1 = TLanes.Load(p + stride + i);
            var p2 = classes > 2 ? TLanes.Load(p + (2 * stride) + i) : zero;
            var p3 = classes > 3 ? TLanes.Load(p + (3 * stride) + i) : zero;
            var p4 = classes > 4 ? TLanes.Load(p + (4 * stride) + i) : zero;
            var isY0 = TLanes.EqualTo(label, zero);
            var isY1 = TLanes.EqualTo(label, one);
            var isY2 = TLanes.EqualTo(label, TLanes.Create(2));
            var isY3 = TLanes.EqualTo(label, TLanes.Create(3));
            var isY4 = TLanes.EqualTo(label, TLanes.Create(4));
            // G_c and Σ_k p_k G_k in class order, as the general loop adds them.
            var pull0 = keep * (gP0 + TLanes.Select(isY0, gT0, zero));
            var pull1 = keep * (gP1 + TLanes.Select(isY1, gT1, zero));
            var pull2 = keep * (gP2 + TLanes.Select(isY2, gT2, zero));
            var pull3 = keep * (gP3 + TLanes.Select(isY3, gT3, zero));
            var pull4 = keep * (gP4 + TLanes.Select(isY4, gT4, zero));
            var dot = TLanes.MultiplyAdd(p1, pull1, TLanes.MultiplyAdd(p0, pull0, zero));
            dot = classes > 2 ? TLanes.MultiplyAdd(p2, pull2, dot) : dot;
            dot = classes > 3 ? TLanes.MultiplyAdd(p3, pull3, dot) : dot;
            dot = classes > 4 ? TLanes.MultiplyAdd(p4, pull4, dot) : dot;
            var scale = gPixelSum * keep;
            ((p0 * (pull0 - dot)) + (scale * (p0 - TLanes.Select(isY0, one, zero)))).Store(g + i);
            ((p1 * (pull1 - dot)) + (scale * (p1 - TLanes.Select(isY1, one, zero)))).Store(g + stride + i);
            if (classes > 2)
            {
                ((p2 * (pull2 - dot)) + (scale * (p2 - TLanes.Select(isY2, one, zero)))).Store(g + (2 * stride) + i);
            }

            if (classes > 3)
            {
                ((p3 * (pull3 - dot)) + (scale * (p3 - TLanes.Select(isY3, one, zero)))).Store(g + (3 * stride) + i);
            }

            if (classes > 4)
            {
                ((p4 * (pull4 - dot)) + (scale * (p4 - TLanes.Select(isY4, one, zero)))).Store(g + (4 * stride) + i);
            }
        }
    }

    // One group: the softmax, then each class's sums, widened into lanes.
    private static void Group<TLanes, T, TClasses, TCheck>(GroupInputs<T> inputs, TLanes* lanes, ref TLanes labelBits, ref TLanes largestLabel)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TClasses : struct, IClassCount
        where TCheck : struct, IValueCheck
    {
        var labels = stackalloc TLanes[Vectors];
        var keeps = stackalloc TLanes[Vectors];
        var (loss, notFinite) = Softmax<TLanes, T, TClasses, TCheck>(inputs, labels, keeps, ref labelBits, ref largestLabel);
        ClassSums<TLanes, T, TClasses>(inputs.P, inputs.PStride, labels, keeps, lanes);
        var classes = TClasses.Count;
        lanes[3 * classes] = TLanes.Accumulate(lanes[3 * classes], loss);
        if (TCheck.Present)
        {
            lanes[(3 * classes) + 1] = TLanes.Accumulate(lanes[(3 * classes) + 1], notFinite);
        }
    }

    // Each vector's softmax: p written out, its labels and kept pixels kept for ClassSums; returns the group's
    // cross-entropy (its log Σ e as one logarithm of the product) and the value check's sum. A class at or past
    // TClasses.Count is never read: the JIT drops its code.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static (TLanes Loss, TLanes NotFinite) Softmax<TLanes, T, TClasses, TCheck>(
        GroupInputs<T> inputs, TLanes* labels, TLanes* keeps, ref TLanes labelBits, ref TLanes largestLabel)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TClasses : struct, IClassCount
        where TCheck : struct, IValueCheck
    {
        var classes = TClasses.Count;
        var zero = TLanes.Zero;
        var one = TLanes.One;
        T* x = inputs.X, p = inputs.P;
        var stride = inputs.Stride;
        var pStride = inputs.PStride;
        TLanes loss = zero, notFinite = zero, product = one;
        var bits = labelBits;
        var largest = largestLabel;
        for (var g = 0; g < Vectors; g++)
        {
            var i = g * TLanes.Count;
            var label = TLanes.LoadIndices(inputs.Y + i, ref bits);
            largest = TLanes.Max(largest, label);
            var keep = inputs.V is null ? one : TLanes.Load(inputs.V + i);
            labels[g] = label;
            keeps[g] = keep;
            var a0 = TLanes.Load(x + i);
            var a1 = TLanes.Load(x + stride + i);
            var a2 = classes > 2 ? TLanes.Load(x + (2 * stride) + i) : zero;
            var a3 = classes > 3 ? TLanes.Load(x + (3 * stride) + i) : zero;
            var a4 = classes > 4 ? TLanes.Load(x + (4 * stride) + i) : zero;
            var max = TLanes.Max(a0, a1);
            max = classes > 2 ? TLanes.Max(max, a2) : max;
            max = classes > 3 ? TLanes.Max(max, a3) : max;
            max = classes > 4 ? TLanes.Max(max, a4) : max;
            a0 -= max;
            a1 -= max;
            a2 -= max;
            a3 -= max;
            a4 -= max;
            if (TCheck.Present)
            {
                notFinite = LaneFunctions<TLanes, T>.AddNotFinite(LaneFunctions<TLanes, T>.AddNotFinite(notFinite, a0), a1);
                notFinite = classes > 2 ? LaneFunctions<TLanes, T>.AddNotFinite(notFinite, a2) : notFinite;
                notFinite = classes > 3 ? LaneFunctions<TLanes, T>.AddNotFinite(notFinite, a3) : notFinite;
                notFinite = classes > 4 ? LaneFunctions<TLanes, T>.AddNotFinite(notFinite, a4) : notFinite;
            }

            var e0 = LaneFunctions<TLanes, T>.ExpOfNonPositive(a0);
            var e1 = LaneFunctions<TLanes, T>.ExpOfNonPositive(a1);
            var e2 = classes > 2 ? LaneFunctions<TLanes, T>.ExpOfNonPositive(a2) : zero;
            var e3 = classes > 3 ? LaneFunctions<TLanes, T>.ExpOfNonPositive(a3) : zero;
            var e4 = classes > 4 ? LaneFunctions<TLanes, T>.ExpOfNonPositive(a4) : zero;
            // Σ e from 0 in class order, and x_y − max selected in class order, as the general loop has them.
            var sum = zero + e0 + e1;
            sum = classes > 2 ? sum + e2 : sum;
            sum = classes > 3 ? sum + e3 : sum;
            sum = classes > 4 ? sum + e4 : sum;
            var inverse = one / sum;
            product *= inputs.V is null ? sum : TLanes.MultiplyAdd(keep, sum - one, one);
            var shiftedY = TLanes.Select(TLanes.EqualTo(label, one), a1, TLanes.Select(TLanes.EqualTo(label, zero), a0, zero));
            shiftedY = classes > 2 ? TLanes.Select(TLanes.EqualTo(label, TLanes.Create(2)), a2, shiftedY) : shiftedY;
            shiftedY = classes > 3 ? TLanes.Select(TLanes.EqualTo(label, TLanes.Create(3)), a3, shiftedY) : shiftedY;
            shiftedY = classes > 4 ? TLanes.Select(TLanes.EqualTo(label, TLanes.Create(4)), a4, shiftedY) : shiftedY;
            loss += (zero - shiftedY) * keep;
            (e0 * inverse).Store(p + i);
            (e1 * inverse).Store(p + pStride + i);
            if (classes > 2)
            {
                (e2 * inverse).Store(p + (2 * pStride) + i);
            }

            if (classes > 3)
            {
                (e3 * inverse).Store(p + (3 * pStride) + i);
            }

            if (classes > 4)
            {
                (e4 * inverse).Store(p + (4 * pStride) + i);
            }
        }

        labelBits = bits;
        largestLabel = largest;
        return (loss + LaneFunctions<TLanes, T>.LogOfNormal(product), notFinite);
    }

    // TP, P and T of each class over the group from the p just written, in registers, then widened into lanes: the
    // general loop's sums in its order.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ClassSums<TLanes, T, TClasses>(T* p, long pStride, TLanes* labels, TLanes* keeps, TLanes* lanes)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
        where TClasses : struct, IClassCount
    {
        var classes = TClasses.Count;
        var zero = TLanes.Zero;
        TLanes tp0 = zero, tp1 = zero, tp2 = zero, tp3 = zero, tp4 = zero;
        TLanes s0 = zero, s1 = zero, s2 = zero, s3 = zero, s4 = zero;
        TLanes t0 = zero, t1 = zero, t2 = zero, t3 = zero, t4 = zero;
        for (var g = 0; g < Vectors; g++)
        {
            var at = p + (g * TLanes.Count);
            var label = labels[g];
            var keep = keeps[g];
            Add<TLanes, T>(TLanes.Load(at), keep, TLanes.EqualTo(label, zero), ref tp0, ref s0, ref t0);
            Add<TLanes, T>(TLanes.Load(at + pStride), keep, TLanes.EqualTo(label, TLanes.One), ref tp1, ref s1, ref t1);
            if (classes > 2)
            {
                Add<TLanes, T>(TLanes.Load(at + (2 * pStride)), keep, TLanes.EqualTo(label, TLanes.Create(2)), ref tp2, ref s2, ref t2);
            }

            if (classes > 3)
            {
                Add<TLanes, T>(TLanes.Load(at + (3 * pStride)), keep, TLanes.EqualTo(label, TLanes.Create(3)), ref tp3, ref s3, ref t3);
            }

            if (classes > 4)
            {
                Add<TLanes, T>(TLanes.Load(at + (4 * pStride)), keep, TLanes.EqualTo(label, TLanes.Create(4)), ref tp4, ref s4, ref t4);
            }
        }

        Widen<TLanes, T>(lanes, classes, 0, tp0, s0, t0);
        Widen<TLanes, T>(lanes, classes, 1, tp1, s1, t1);
        Widen<TLanes, T>(lanes, classes, 2, tp2, s2, t2);
        Widen<TLanes, T>(lanes, classes, 3, tp3, s3, t3);
        Widen<TLanes, T>(lanes, classes, 4, tp4, s4, t4);
    }

    // One class's p added to its TP, P and T, as the general loop adds it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add<TLanes, T>(TLanes p, TLanes keep, TLanes isY, ref TLanes truePositive, ref TLanes predicted, ref TLanes target)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        var kept = p * keep;
        truePositive += TLanes.Select(isY, kept, TLanes.Zero);
        predicted += kept;
        target += TLanes.Select(isY, keep, TLanes.Zero);
    }

    // Class c's three sums widened into lanes (TP at c, P at C + c, T at 2·C + c), for a class the group has.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Widen<TLanes, T>(TLanes* lanes, int classes, int c, TLanes truePositive, TLanes predicted, TLanes target)
        where TLanes : unmanaged, ILanes<TLanes, T>
        where T : unmanaged
    {
        if (c < classes)
        {
            lanes[c] = TLanes.Accumulate(lanes[c], truePositive);
            lanes[classes + c] = TLanes.Accumulate(lanes[classes + c], predicted);
            lanes[(2 * classes) + c] = TLanes.Accumulate(lanes[(2 * classes) + c], target);
        }
    }

    // A group's inputs: its logits (classes stride apart), labels, kept pixels (or null), and where its p goes (classes
    // PStride apart).
    private readonly struct GroupInputs<T>(T* x, long* y, T* v, long stride, T* p, long pStride)
        where T : unmanaged
    {
        public T* X { get; } = x;

        public long* Y { get; } = y;

        public T* V { get; } = v;

        public long Stride { get; } = stride;

        public T* P { get; } = p;

        public long PStride { get; } = pStride;
    }

    /// <summary>A class count the JIT knows: each count is its own instantiation, with the classes past it left out.</summary>
    private interface IClassCount
    {
        static abstract int Count { get; }
    }

    private readonly struct Two : IClassCount
    {
        public static int Count => 2;
    }

    private readonly struct Three : IClassCount
    {
        public static int Count => 3;
    }

    private readonly struct Four : IClassCount
    {
        public static int Count => 4;
    }

    private readonly struct Five : IClassCount
    {
        public static int Count => 5;
    }
}
