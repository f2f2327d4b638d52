using LossDsl.Language.Semantics;

namespace LossDsl;

/// <summary>
/// Whether a loss takes a per-pixel input (a pixel weight map or a valid mask; docs/language.md, "Pixel weight maps
/// and valid masks") and its shape.
/// </summary>
public enum LossPixelMap
{
    /// <summary>The loss takes no such input.</summary>
    None = 0,

    /// <summary>One value per pixel: <c>[N, 1, *spatial]</c> beside a mask (broadcast over the channels), <c>[N, *spatial]</c> beside labels.</summary>
    PerPixel = 1,

    /// <summary>One value per element of a mask, <c>[N, C, *spatial]</c> (masks only).</summary>
    PerChannel = 2,
}

/// <summary>The public <see cref="LossPixelMap"/> and the compiler's <see cref="PixelMap"/>, one for the other.</summary>
internal static class LossPixelMaps
{
    /// <summary>The compiler's form of a setting: null for <see cref="LossPixelMap.None"/>.</summary>
    public static PixelMap? ToSignature(this LossPixelMap map) => map switch
    {
        LossPixelMap.PerPixel => PixelMap.PerPixel,
        LossPixelMap.PerChannel => PixelMap.PerChannel,
        _ => null,
    };

    /// <summary>The public form of a signature's map: <see cref="LossPixelMap.None"/> for null.</summary>
    public static LossPixelMap ToPublic(this PixelMap? map) => map switch
    {
        PixelMap.PerPixel => LossPixelMap.PerPixel,
        PixelMap.PerChannel => LossPixelMap.PerChannel,
        _ => LossPixelMap.None,
    };
}
