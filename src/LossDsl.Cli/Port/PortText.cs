using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli.Port;

/// <summary>Loss text the translators combine terms with (the terms themselves come from the catalog, <c>Catalog.DiceText</c>, ...).</summary>
internal static class PortText
{
    /// <summary><c>a + 0.5 * b</c>: each term times its factor (left out when 1), terms with factor 0 dropped.</summary>
    public static string Sum(params (double Factor, string Term)[] terms) =>
        string.Join(" + ", terms.Where(t => t.Factor != 0).Select(t => t.Factor == 1 ? t.Term : $"{NumberText.Format(t.Factor)} * {t.Term}"));

    /// <summary>
    /// Mask focal with a peer's alpha, where null is none (MONAI, smp, kornia, torchvision's negative alpha): LossDsl's
    /// <c>alpha: -1</c>; alpha 0.25 and gamma 2, the defaults, are left out.
    /// </summary>
    public static string MaskFocal(double? alpha, double gamma, IReadOnlyList<double>? weight = null) =>
        Catalog.MaskFocalText(alpha is { } value ? (value == 0.25 ? null : value) : -1.0, gamma == 2 ? null : gamma, weight);
}
