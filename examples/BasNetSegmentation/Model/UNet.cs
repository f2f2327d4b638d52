using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace BasNetSegmentation.Model;

/// <summary>
/// A small U-Net: an encoder that halves the resolution and doubles the channels at each level, a decoder that
/// upsamples back and concatenates the encoder's features of the same resolution (the skip connections), and a 1×1
/// convolution to one logit per pixel. As in BASNet, every lower resolution of the decoder (and the bottleneck) also
/// predicts the mask through a 1×1 convolution of its own: the side outputs the loss supervises.
/// </summary>
public sealed class UNet : Module<Tensor, Tensor[]>
{
    private readonly ModuleList<Module<Tensor, Tensor>> encoder = new();
    private readonly Module<Tensor, Tensor> pool = MaxPool2d(kernel_size: 2);
    private readonly Module<Tensor, Tensor> bottleneck;
    private readonly ModuleList<Module<Tensor, Tensor>> upsample = new();
    private readonly ModuleList<Module<Tensor, Tensor>> decoder = new();
    private readonly Module<Tensor, Tensor> head;
    private readonly ModuleList<Module<Tensor, Tensor>> sideHeads = new();
    private readonly bool perImageNormalization;

    /// <summary>
    /// Builds a U-Net with <paramref name="levels"/> resolutions (the input and <paramref name="levels"/> − 1
    /// halvings, so the image side must be a multiple of 2^(levels − 1)) and <paramref name="baseChannels"/> channels
    /// at full resolution. <paramref name="perImageNormalization"/> normalizes each image's features on their own
    /// (InstanceNorm, per image and channel) instead of over the batch (BatchNorm): a model that computes the same on a shard of the
    /// batch as on the whole, as data-parallel training without synchronized batch statistics needs (examples/DataParallel).
    /// </summary>
    public UNet(int baseChannels, int levels, bool perImageNormalization = false) : base(nameof(UNet))
    {
        this.perImageNormalization = perImageNormalization;
        var channels = baseChannels;
        var input = 1;
        for (var level = 0; level < levels - 1; level++)
        {
            encoder.Add(ConvBlock(input, channels));
            input = channels;
            channels *= 2;
        }

        bottleneck = ConvBlock(input, channels);
        sideHeads.Add(Conv2d(channels, 1, kernel_size: 1));

        for (var level = 0; level < levels - 1; level++)
        {
            if (level > 0)
            {
                // The decoder's output at the resolution above the bottleneck's, and so on up to below the main one.
                sideHeads.Add(Conv2d(channels, 1, kernel_size: 1));
            }

            upsample.Add(ConvTranspose2d(channels, channels / 2, kernel_size: 2, stride: 2));
            // The upsampled features and the skip connection, side by side.
            decoder.Add(ConvBlock(channels, channels / 2));
            channels /= 2;
        }

        head = Conv2d(channels, 1, kernel_size: 1);
        RegisterComponents();
    }

    /// <summary>
    /// Logits for images [N, 1, H, W] at every level, the main output first: [N, 1, H, W], then [N, 1, H/2, W/2], ...,
    /// down to the bottleneck's resolution.
    /// </summary>
    public override Tensor[] forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var skips = new List<Tensor>();
        var x = images;
        foreach (var block in encoder)
        {
            x = block.call(x);
            skips.Add(x);
            x = pool.call(x);
        }

        x = bottleneck.call(x);
        // Lowest resolution first while decoding; returned main output first.
        var outputs = new List<Tensor> { sideHeads[0].call(x) };
        for (var i = 0; i < decoder.Count; i++)
        {
            var skip = skips[skips.Count - 1 - i];
            x = decoder[i].call(cat([upsample[i].call(x), skip], dim: 1));
            outputs.Add(i < decoder.Count - 1 ? sideHeads[i + 1].call(x) : head.call(x));
        }

        outputs.Reverse();
        return outputs.Select(o => o.MoveToOuterDisposeScope()).ToArray();
    }

    // Two 3×3 convolutions, each followed by batch normalisation and ReLU.
    private Sequential ConvBlock(int input, int output) => Sequential(
        Conv2d(input, output, kernel_size: 3, padding: 1, bias: false),
        Normalization(output),
        ReLU(inplace: true),
        Conv2d(output, output, kernel_size: 3, padding: 1, bias: false),
        Normalization(output),
        ReLU(inplace: true));

    private Module<Tensor, Tensor> Normalization(int channels) => perImageNormalization ? InstanceNorm2d(channels, affine: true) : BatchNorm2d(channels);
}
