using LossDsl.Language.Primitives;

namespace LossDsl.Cli.Port;

/// <summary>torchvision.ops.sigmoid_focal_loss as LossDsl text: LOSSES.md's mask focal is its formula, with its mean.</summary>
internal static class TorchvisionLosses
{
    public static PortedLoss SigmoidFocalLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "torchvision.ops.sigmoid_focal_loss", "inputs", "targets", "alpha", "gamma", "reduction"), classes);
        var a = draft.Arguments;
        a.Get("inputs");
        a.Get("targets");
        draft.MeanReduction(peerDefault: "none");
        var alpha = a.Number("alpha", 0.25);
        var gamma = a.Number("gamma", 2);
        // torchvision skips alpha_t for a negative alpha; LossDsl writes that alpha: -1.
        return draft.Build(PortText.MaskFocal(alpha < 0 ? null : alpha, gamma));
    }
}
