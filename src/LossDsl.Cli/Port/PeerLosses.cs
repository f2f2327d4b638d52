using System;
using System.Collections.Generic;
using System.Linq;
namespace LossDsl.Cli.Port;

/// <summary>
/// The peer losses <c>lossdsl port</c> translates, by library and name: <c>monai.losses.DiceLoss</c>,
/// <c>smp.losses.DiceLoss</c> (or <c>segmentation_models_pytorch.losses...</c>), <c>kornia.losses.dice_loss</c> or
/// <c>DiceLoss</c>, <c>torchvision.ops.sigmoid_focal_loss</c>; module paths between library and name may be anything.
/// </summary>
internal static class PeerLosses
{
    private static readonly Dictionary<(string Library, string Name), Func<PeerCall, int?, PortedLoss>> Translators = new()
    {
        [("monai", "DiceLoss")] = MonaiLosses.DiceLoss,
        [("monai", "GeneralizedDiceLoss")] = MonaiLosses.GeneralizedDiceLoss,
        [("monai", "TverskyLoss")] = MonaiLosses.TverskyLoss,
        [("monai", "FocalLoss")] = MonaiLosses.FocalLoss,
        [("monai", "DiceCELoss")] = MonaiLosses.DiceCELoss,
        [("monai", "DiceFocalLoss")] = MonaiLosses.DiceFocalLoss,
        [("monai", "SSIMLoss")] = MonaiLosses.SSIMLoss,
        [("monai", "HausdorffDTLoss")] = MonaiLosses.HausdorffDTLoss,
        [("monai", "LogHausdorffDTLoss")] = MonaiLosses.LogHausdorffDTLoss,
        [("monai", "SoftclDiceLoss")] = MonaiLosses.SoftclDiceLoss,
        [("monai", "SoftDiceclDiceLoss")] = MonaiLosses.SoftDiceclDiceLoss,
        [("smp", "DiceLoss")] = SmpLosses.DiceLoss,
        [("smp", "JaccardLoss")] = SmpLosses.JaccardLoss,
        [("smp", "TverskyLoss")] = SmpLosses.TverskyLoss,
        [("smp", "FocalLoss")] = SmpLosses.FocalLoss,
        [("smp", "LovaszLoss")] = SmpLosses.LovaszLoss,
        [("smp", "SoftBCEWithLogitsLoss")] = SmpLosses.SoftBCEWithLogitsLoss,
        [("smp", "SoftCrossEntropyLoss")] = SmpLosses.SoftCrossEntropyLoss,
        [("smp", "MCCLoss")] = SmpLosses.MCCLoss,
        [("kornia", "dice_loss")] = (call, classes) => KorniaLosses.DiceLoss(call, classes, function: true),
        [("kornia", "DiceLoss")] = (call, classes) => KorniaLosses.DiceLoss(call, classes, function: false),
        [("kornia", "tversky_loss")] = (call, classes) => KorniaLosses.TverskyLoss(call, classes, function: true),
        [("kornia", "TverskyLoss")] = (call, classes) => KorniaLosses.TverskyLoss(call, classes, function: false),
        [("kornia", "focal_loss")] = (call, classes) => KorniaLosses.FocalLoss(call, classes, function: true),
        [("kornia", "FocalLoss")] = (call, classes) => KorniaLosses.FocalLoss(call, classes, function: false),
        [("kornia", "binary_focal_loss_with_logits")] = (call, classes) => KorniaLosses.BinaryFocalLossWithLogits(call, classes, function: true),
        [("kornia", "BinaryFocalLossWithLogits")] = (call, classes) => KorniaLosses.BinaryFocalLossWithLogits(call, classes, function: false),
        [("kornia", "ssim_loss")] = (call, classes) => KorniaLosses.SsimLoss(call, classes, function: true),
        [("kornia", "SSIMLoss")] = (call, classes) => KorniaLosses.SsimLoss(call, classes, function: false),
        [("torchvision", "sigmoid_focal_loss")] = TorchvisionLosses.SigmoidFocalLoss,
    };

    /// <summary>Where each library keeps its losses, for names as users write them.</summary>
    private static readonly Dictionary<string, string> Modules = new()
    {
        ["monai"] = "monai.losses", ["smp"] = "smp.losses", ["kornia"] = "kornia.losses", ["torchvision"] = "torchvision.ops",
    };

    /// <summary>Every peer loss the port knows, as users write them (<c>monai.losses.DiceLoss</c>).</summary>
    public static IEnumerable<string> Names => Translators.Keys.Select(k => $"{Modules[k.Library]}.{k.Name}").Order(StringComparer.Ordinal);

    /// <summary>Translates one call; a <see cref="PortException"/> when it cannot be read, is not known, or has no LossDsl form.</summary>
    public static PortedLoss Port(string text, int? classes)
    {
        var call = PeerCall.Parse(text);
        var parts = call.Callee.Split('.');
        var library = parts[0] switch
        {
            "segmentation_models_pytorch" => "smp",
            var other => other,
        };
        if (parts.Length < 2 || !Translators.TryGetValue((library, parts[^1]), out var translate))
        {
            var known = Names.Where(n => n.EndsWith("." + parts[^1], StringComparison.Ordinal)).ToList();
            throw new PortException(known.Count > 0
                ? $"'{call.Callee}': name the library, for example {string.Join(" or ", known)}"
                : $"'{call.Callee}' is not a loss the port knows; it knows {string.Join(", ", Names)}");
        }

        return translate(call, classes);
    }
}
