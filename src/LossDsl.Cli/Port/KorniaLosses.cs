using System.Linq;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;
using static LossDsl.Cli.Port.PortText;

namespace LossDsl.Cli.Port;

/// <summary>kornia's segmentation losses (kornia/losses/dice.py, tversky.py, focal.py) as LossDsl text; docs/porting.md explains each mapping.</summary>
internal static class KorniaLosses
{
    public static PortedLoss DiceLoss(PeerCall call, int? classes, bool function)
    {
        var draft = Labels(call, classes, function ? "kornia.losses.dice_loss" : "kornia.losses.DiceLoss", function, "average", "eps", "weight", "ignore_index");
        var a = draft.Arguments;
        var average = a.Word("average", "micro");
        var weight = a.NumberList("weight");
        if (average == "micro" && weight is not null)
        {
            throw new PortException($"{a.Peer}(average='micro', weight=...) weighs p and the one-hot target before pooling (w² in the intersection); LossDsl has no such form");
        }

        if (average is not ("micro" or "macro"))
        {
            throw new PortException($"{a.Peer}: average is 'micro' or 'macro', not '{average}'");
        }

        if (average == "macro")
        {
            draft.Note("kornia 0.7's macro mean keeps every class; later kornia leaves classes absent from an image out of its mean, which LossDsl does not");
        }

        return draft.Build(Catalog.DiceText(new Catalog.OverlapText(SmoothNumerator: 0.0, SmoothDenominator: a.Number("eps", 1e-8), PerImage: true, Weight: weight,
            Micro: average == "micro")));
    }

    public static PortedLoss TverskyLoss(PeerCall call, int? classes, bool function)
    {
        var draft = Labels(call, classes, function ? "kornia.losses.tversky_loss" : "kornia.losses.TverskyLoss", function, "alpha", "beta", "eps", "ignore_index");
        var a = draft.Arguments;
        var alpha = a.Number("alpha", double.NaN);
        var beta = a.Number("beta", double.NaN);
        if (double.IsNaN(alpha) || double.IsNaN(beta))
        {
            throw new PortException($"{a.Peer} needs alpha and beta (kornia has no defaults for them)");
        }

        return draft.Build(Catalog.TverskyText(alpha == 0.5 ? null : alpha, beta == 0.5 ? null : beta,
            new Catalog.OverlapText(SmoothNumerator: 0.0, SmoothDenominator: a.Number("eps", 1e-8), PerImage: true, Micro: true)));
    }

    /// <summary>
    /// focal_loss: the softmax focal loss of the one-hot target, summed over the classes and averaged over every element,
    /// channels included: LossDsl's labels focal divided by C, alpha as class weights [1 − α, α, ...] times weight.
    /// </summary>
    public static PortedLoss FocalLoss(PeerCall call, int? classes, bool function)
    {
        var draft = Labels(call, classes, function ? "kornia.losses.focal_loss" : "kornia.losses.FocalLoss", function, "alpha", "gamma", "reduction", "eps", "weight", "ignore_index");
        var a = draft.Arguments;
        if (a.Get("alpha") is null)
        {
            throw new PortException($"{a.Peer} needs alpha (a number, or None for no class balance)");
        }

        var alpha = a.OptionalNumber("alpha");
        var gamma = a.Number("gamma", 2);
        var weight = a.NumberList("weight");
        if (a.Given("eps"))
        {
            draft.Note("eps is deprecated in kornia and unused");
        }

        draft.MeanReduction(peerDefault: "none");
        var count = draft.RequireClasses("kornia's focal loss averages over the classes too (a factor 1/C)");
        var classWeights = Enumerable.Range(0, count).Select(c => (alpha is { } value ? (c == 0 ? 1 - value : value) : 1.0) * (weight?[c] ?? 1)).ToList();
        return draft.Build(Sum((1.0 / count, Catalog.LabelsFocalText(gamma == 2 ? null : gamma, classWeights.All(w => w == 1) ? null : classWeights))));
    }

    /// <summary>
    /// binary_focal_loss_with_logits: the sigmoid focal loss, alpha 0.25 by default, mean over every element; its weight
    /// multiplies each channel's elements and keeps the plain mean, as mask focal's weight does.
    /// </summary>
    public static PortedLoss BinaryFocalLossWithLogits(PeerCall call, int? classes, bool function)
    {
        var parameters = new[] { "alpha", "gamma", "reduction", "pos_weight", "weight", "ignore_index" };
        var draft = new PortDraft(function
            ? new PeerArguments(call, "kornia.losses.binary_focal_loss_with_logits", ["pred", "target", .. parameters])
            : new PeerArguments(call, "kornia.losses.BinaryFocalLossWithLogits", parameters), classes);
        var a = draft.Arguments;
        a.Get("pred");
        a.Get("target");
        if (a.Given("pos_weight"))
        {
            draft.Differs("pos_weight (a per-channel factor of the positive term) has no LossDsl form on focal");
        }

        if (a.OptionalNumber("ignore_index") is { } ignore && ignore != -100)
        {
            draft.ValidMask = true;
            draft.Note($"pass valid = (target != {NumberText.Format(ignore)}) as the loss's valid mask");
            draft.Differs("ignore_index: kornia zeroes the ignored elements' loss and still divides by every element; LossDsl's focal divides by the kept ones");
        }

        draft.MeanReduction(peerDefault: "none");
        var alpha = a.Get("alpha") is PeerNone ? (double?)null : a.Number("alpha", 0.25);
        var gamma = a.Number("gamma", 2);
        return draft.Build(MaskFocal(alpha, gamma, a.NumberList("weight")));
    }

    /// <summary>
    /// ssim_loss: <c>clamp((1 − SSIM) / 2, 0, 1)</c> averaged, SSIM with reflection padding and eps in the denominator;
    /// on [−1, 1] the clamp does nothing, so it is half LossDsl's ssim. On the images as they are.
    /// </summary>
    public static PortedLoss SsimLoss(PeerCall call, int? classes, bool function)
    {
        var parameters = new[] { "window_size", "max_val", "eps", "reduction", "padding" };
        var draft = new PortDraft(function
            ? new PeerArguments(call, "kornia.losses.ssim_loss", ["img1", "img2", .. parameters])
            : new PeerArguments(call, "kornia.losses.SSIMLoss", parameters), classes)
        {
            Input = LossInput.Probabilities,
            Target = LossTarget.Mask,
        };
        var a = draft.Arguments;
        a.Get("img1");
        a.Get("img2");
        var window = a.OptionalNumber("window_size") ?? throw new PortException($"{a.Peer} needs window_size (kornia has no default for it)");
        var padding = a.Word("padding", "same");
        if (padding is not ("same" or "valid"))
        {
            throw new PortException($"{a.Peer}: padding is 'same' or 'valid', not '{padding}'");
        }

        draft.MeanReduction();
        draft.Note("LossDsl's target is a mask in [0, 1]: with max_val other than 1, scale both images into [0, 1] and keep data_range 1");
        var range = a.Number("max_val", 1);
        var ssim = Catalog.SsimText((int)window, null, range == 1 ? null : range, null, null, padding == "valid" ? "valid" : "reflect", a.Number("eps", 1e-12));
        return draft.Build(Sum((0.5, ssim)));
    }

    /// <summary>The losses on softmax over [N, C, H, W] logits against labels; the function forms start with pred and target.</summary>
    private static PortDraft Labels(PeerCall call, int? classes, string peer, bool function, params string[] parameters)
    {
        var draft = new PortDraft(new PeerArguments(call, peer, function ? ["pred", "target", .. parameters] : parameters), classes)
        {
            Input = LossInput.Logits,
            Target = LossTarget.Labels,
        };
        draft.Arguments.Get("pred");
        draft.Arguments.Get("target");
        if (draft.Arguments.OptionalNumber("ignore_index") is { } ignore && ignore != -100)
        {
            draft.IgnoreIndex = (int)ignore;
        }

        return draft;
    }
}
