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
