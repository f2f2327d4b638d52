using System;
using System.Linq;
using static TorchSharp.torch;

namespace LossDsl.Kernels.Cpu;

/// <summary>
/// A contiguous <c>[N, C, *spatial]</c> CPU tensor seen as N·C rows of one image and channel each, and the work of a
/// fused pass cut into blocks of at most <see cref="BlockLength"/> elements of one row. Each block's sums are kept apart
/// and added in row and block order afterwards, so the result is the same bits for any thread count.
/// </summary>
internal readonly record struct CpuRows(long Images, long Channels, long RowLength, long ScaleChannels, bool PerImage)
{
    /// <summary>Elements per block: large enough that a block's bookkeeping is noise, small enough to share out.</summary>
    public const int BlockLength = 8192;

    /// <summary>
    /// Whether the passes run on 512-bit lanes (<see cref="Lanes512{T}"/>): where the JIT reports them accelerated, which
    /// it does not on CPUs that slow down for them. 256-bit lanes otherwise; tests set it to run either width anywhere.
    /// </summary>
    public bool Wide { get; init; } = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    /// <summary>N·C.</summary>
    public long Rows => Images * Channels;

    /// <summary>Blocks per row.</summary>
    public int BlocksPerRow => (int)((RowLength + BlockLength - 1) / BlockLength);

    /// <summary>The channel of a row.</summary>
    public long Channel(long row) => row % Channels;

    /// <summary>The statistic a row adds into: its (image, channel) per image, its channel otherwise.</summary>
    public long Statistic(long row) => PerImage ? row : Channel(row);

    /// <summary>How many statistics there are: N·C per image, C otherwise.</summary>
    public long Statistics => PerImage ? Rows : Channels;

    /// <summary>
    /// Where element <paramref name="start"/> of row <paramref name="row"/> is, in pred (and the target) and in the
    /// element scale ([N, 1 or C, *spatial]: one row per image when it has one channel).
    /// </summary>
    public (long Element, long Scale) Offsets(long row, long start) =>
        ((row * RowLength) + start, ((ScaleChannels == 1 ? row / Channels : row) * RowLength) + start);

    /// <summary>
    /// The rows of <paramref name="logits"/> when it and every other tensor are CPU tensors of its dtype (float32 or
    /// float64), contiguous, the target of its shape, the scale <c>[N, 1 or C, *spatial]</c>, and the sums run over the
    /// spatial dims (and the batch unless per image); null otherwise: the caller takes the torch-operation path.
    /// </summary>
    public static CpuRows? Of(Tensor logits, Tensor target, Tensor? scale, long[] reduce)
    {
        // Each .shape is a call into native code that allocates its array (0.65 µs against 0.02 µs for .size(dim) on an
        // AVX-512 Xeon): every shape is read once.
        var shape = logits.shape;
        if (shape.Length < 2 || !Fits(logits, logits) || !Fits(target, logits) || !target.shape.SequenceEqual(shape))
        {
            return null;
        }

        if (SumsPerImage(logits, reduce) is not { } perImage)
        {
            return null;
        }

        var scaleChannels = 0L;
        if (scale is not null)
        {
            var scaleShape = scale.shape;
            if (!Fits(scale, logits) || scaleShape.Length != shape.Length || scaleShape[0] != shape[0]
                || (scaleShape[1] != 1 && scaleShape[1] != shape[1]) || !scaleShape.Skip(2).SequenceEqual(shape.Skip(2)))
            {
                return null;
            }

            scaleChannels = scaleShape[1];
        }

        return new CpuRows(shape[0], shape[1], RowLengthOf(shape), scaleChannels, perImage);
    }

    /// <summary>
    /// The images of <paramref name="logits"/> as rows of pixels, each pixel's classes read together, for a pass over class
    /// indices: one channel per row (<see cref="Channels"/> 1), <see cref="Statistic"/> an image's index per image and 0
    /// otherwise, and <see cref="Offsets"/> a pixel's place in the labels and the valid mask ([N, 1, *spatial]); channel c
    /// of the logits is c·RowLength further. Null unless the logits are as for <see cref="Of"/>, at most
    /// <see cref="MaxClasses"/> classes, the labels contiguous int64 CPU indices [N, 1, *spatial], the valid mask (if any)
    /// of the labels' shape and the logits' dtype, contiguous, and the sums over the spatial dims (and the batch unless per
    /// image).
    /// </summary>
    public static CpuRows? OfLabels(Tensor logits, Tensor labels, Tensor? valid, long[] reduce)
    {
        var shape = logits.shape;
        if (shape.Length < 2 || shape[1] > MaxClasses || !Fits(logits, logits) || labels.device_type != TorchSharp.DeviceType.CPU
            || labels.dtype != ScalarType.Int64 || !labels.is_contiguous())
        {
            return null;
        }

        var pixelShape = shape.Take(1).Append(1L).Concat(shape.Skip(2)).ToArray();
        if (!labels.shape.SequenceEqual(pixelShape) || (valid is not null && (!Fits(valid, logits) || !valid.shape.SequenceEqual(pixelShape))))
        {
            return null;
        }

        if (SumsPerImage(logits, reduce) is not { } perImage)
        {
            return null;
        }

        return new CpuRows(shape[0], 1, RowLengthOf(shape), valid is null ? 0 : 1, perImage);
    }

    /// <summary>
    /// The most classes a pass over class indices takes: each pixel's exponentials are kept on the stack, and a product of
    /// a group's sums of them (at most 64⁸ = 2⁴⁸) stays a normal float32. A power of two: the pass's check of the labels'
    /// range tests their bits against it first (<see cref="ILanes{TSelf, T}.AllBelow"/>).
    /// </summary>
    public const int MaxClasses = 64;

    /// <summary>Runs <paramref name="block"/> for every (row, block) pair, numbered row-major, on torch's thread count.</summary>
    public void ForEachBlock(Action<int, long, long, int> block)
    {
        var blocksPerRow = BlocksPerRow;
        var count = checked((int)(Rows * blocksPerRow));
        var rowLength = RowLength;
        void Run(int item)
        {
            var (row, index) = Math.DivRem(item, blocksPerRow);
            var start = (long)index * BlockLength;
            block(item, row, start, (int)Math.Min(BlockLength, rowLength - start));
        }

        TorchThreads.For(count, Run);
    }

    /// <summary>The first element of a contiguous CPU tensor: native memory, which does not move.</summary>
    public static unsafe nint Address(Tensor tensor) =>
        (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(tensor.bytes));

    // The elements of one image and channel: the product of the spatial sizes.
    private static long RowLengthOf(long[] shape) => shape.Skip(2).Aggregate(1L, (a, b) => a * b);

    // Whether the sums run over the spatial dims only (per image) or the batch too; null for any other dims.
    private static bool? SumsPerImage(Tensor logits, long[] reduce) =>
        reduce.SequenceEqual(RegionStatistics.ReducedDims(logits, perImage: true)) ? true
        : reduce.SequenceEqual(RegionStatistics.ReducedDims(logits, perImage: false)) ? false
        : null;

    // A CPU tensor of the logits' dtype, float32 or float64, contiguous, whose bytes a span can hold.
    private static bool Fits(Tensor tensor, Tensor logits) =>
        tensor.device_type == TorchSharp.DeviceType.CPU && tensor.dtype == logits.dtype
        && (tensor.dtype == ScalarType.Float32 || tensor.dtype == ScalarType.Float64)
        && tensor.is_contiguous() && tensor.numel() * tensor.element_size() <= int.MaxValue;
}
