using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Primitives;
using LossDsl.Language.Semantics;

namespace LossDsl.Cli.Port;

/// <summary>
/// segmentation_models_pytorch 0.4 and 0.5's losses (segmentation_models_pytorch/losses) as LossDsl text; docs/porting.md
/// explains each mapping.
/// </summary>
internal static class SmpLosses
{
    private static readonly string[] Region = ["mode", "classes", "log_loss", "from_logits", "smooth", "ignore_index", "eps"];

    /// <summary>
    /// smp ≥ 0.4 computes Dice as Tversky with α = β = 1/2, <c>(I + s) / ((P + T)/2 + s)</c>, which is the usual
    /// <c>(2I + 2s) / (P + T + 2s)</c>: its smooth counts twice.
    /// </summary>
    public static PortedLoss DiceLoss(PeerCall call, int? classes) =>
        Overlap(Catalog.DiceText, new PortDraft(new PeerArguments(call, "smp.losses.DiceLoss", [.. Region, "class_weights"]), classes), gamma: 1, smoothFactor: 2);

    public static PortedLoss JaccardLoss(PeerCall call, int? classes) =>
        Overlap(Catalog.IouText, new PortDraft(new PeerArguments(call, "smp.losses.JaccardLoss", [.. Region, "class_weights"]), classes), gamma: 1, smoothFactor: 1);

    public static PortedLoss TverskyLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "smp.losses.TverskyLoss", [.. Region, "alpha", "beta", "gamma", "class_weights"]), classes);
        var a = draft.Arguments;
        var (alpha, beta) = (a.Number("alpha", 0.5), a.Number("beta", 0.5));
        return Overlap(o => Catalog.TverskyText(alpha == 0.5 ? null : alpha, beta == 0.5 ? null : beta, o), draft, a.Number("gamma", 1), smoothFactor: 1);
    }

    public static PortedLoss FocalLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "smp.losses.FocalLoss",
            "mode", "alpha", "gamma", "ignore_index", "reduction", "normalized", "reduced_threshold", "from_logits", "class_weights"), classes);
        var a = draft.Arguments;
        var mode = Mode(draft);
        if (mode == "multiclass")
        {
            throw new PortException($"{a.Peer}('multiclass') averages one-versus-rest sigmoid focal losses of each class's logits; LossDsl's focal on labels is the softmax focal loss");
        }

        if (a.Bool("normalized", false) || a.Given("reduced_threshold"))
        {
            throw new PortException($"{a.Peer}: normalized and reduced_threshold (the focal term normalised or cut) have no LossDsl form");
        }

        if (!a.Bool("from_logits", true))
        {
            draft.Differs("from_logits=False: smp clamps the probabilities to [eps, 1 − eps] and takes their logit; LossDsl's focal on probabilities uses them as they are (with log clamped at −100)");
            draft.Input = LossInput.Probabilities;
        }

        if (a.NumberList("class_weights") is not null)
        {
            draft.Differs("class_weights (a weighted mean of the channels' focal losses) has no LossDsl form on a mask yet");
        }

        IgnoreOnMask(draft);
        draft.MeanReduction();
        var gamma = a.Number("gamma", 2);
        var alpha = a.OptionalNumber("alpha");
        draft.Note("smp's p_t is exp(−bce), LossDsl's pt + (1 − p)(1 − t): the same on {0, 1} targets, not on soft ones");
        return draft.Build(PortText.MaskFocal(alpha, gamma));
    }

    public static PortedLoss LovaszLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "smp.losses.LovaszLoss", "mode", "per_image", "ignore_index", "from_logits"), classes);
        var a = draft.Arguments;
        var mode = Mode(draft);
        var perImage = a.Bool("per_image", false);
        var fromLogits = a.Bool("from_logits", true);
        if (mode == "multiclass")
        {
            // smp applies the softmax whatever from_logits says.
            if (!fromLogits)
            {
                draft.Note("smp applies a softmax even with from_logits=False: the input is read as logits");
            }

            draft.IgnoreIndex = IgnoreIndex(a);
            return draft.Build(Catalog.LovaszSoftmaxText(perImage ? true : null));
        }

        if (draft.RequireClasses("smp pools every channel of a mask into one hinge") != 1)
        {
            throw new PortException($"{a.Peer}('{mode}') on several channels pools them into one Lovász hinge; LossDsl's lovasz_hinge takes one channel");
        }

        if (!fromLogits)
        {
            draft.Note("smp's hinge reads the input as scores whatever from_logits says: the input is read as logits");
        }

        IgnoreOnMask(draft);
        return draft.Build(Catalog.LovaszHingeText(perImage ? null : false));
    }

    public static PortedLoss SoftBCEWithLogitsLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "smp.losses.SoftBCEWithLogitsLoss", "weight", "ignore_index", "reduction", "smooth_factor", "pos_weight", "dim"), classes);
        var a = draft.Arguments;
        a.Get("dim");
        if (a.Given("weight"))
        {
            draft.Note("weight multiplies each element and the mean keeps every element: pass it as the loss's pixel weight map");
        }

        // smp smooths t → t(1 − s) + (1 − t)s, which is LossDsl's (Keras's) t(1 − ε) + ε/2 with ε = 2s.
        var smoothing = a.OptionalNumber("smooth_factor") is { } s && s != 0 ? 2 * s : (double?)null;
        if (smoothing > 1)
        {
            throw new PortException($"{a.Peer}: smooth_factor {NumberText.Format(smoothing.Value / 2)} above 0.5 swaps the classes; LossDsl's label_smoothing is at most 1 (smooth_factor 0.5)");
        }

        // smp zeroes the ignored elements and still divides by every element: a valid mask and mean_over: all.
        var ignoring = a.OptionalNumber("ignore_index") is { } ignore && ignore != -100;
        if (ignoring)
        {
            IgnoreOnMask(draft);
        }

        draft.MeanReduction();
        var posWeight = a.OptionalNumber("pos_weight");
        return draft.Build(Catalog.BinaryCrossEntropyText(posWeight, smoothing, overAllElements: ignoring));
    }

    public static PortedLoss SoftCrossEntropyLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "smp.losses.SoftCrossEntropyLoss", "reduction", "smooth_factor", "ignore_index", "dim"), classes);
        var a = draft.Arguments;
        a.Get("dim");
        draft.Target = LossTarget.Labels;
        var smoothing = a.OptionalNumber("smooth_factor")
            ?? throw new PortException($"{a.Peer} needs smooth_factor: with the default None it raises a TypeError (None / C in label_smoothed_nll_loss)");
        // smp divides by every pixel, ignored ones included: mean_over: all (the same as the default when none is ignored).
        draft.IgnoreIndex = a.OptionalNumber("ignore_index") is { } ignore && ignore != -100 ? (int)ignore : null;
        draft.MeanReduction();
        return draft.Build(Catalog.CrossEntropyText(null, smoothing == 0 ? null : smoothing, overAllPixels: draft.IgnoreIndex is not null));
    }

    /// <summary>MCCLoss: binary, on probabilities, the whole batch pooled, eps on each confusion sum: LossDsl's mcc.</summary>
    public static PortedLoss MCCLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "smp.losses.MCCLoss", "eps"), classes) { Input = LossInput.Probabilities, Target = LossTarget.Mask };
        if (draft.RequireClasses("smp's MCCLoss takes one channel") != 1)
        {
            throw new PortException($"{draft.Arguments.Peer} is binary only (one channel); LossDsl's mcc takes more, channel by channel");
        }

        var eps = draft.Arguments.Number("eps", 1e-5);
        return draft.Build(Catalog.MccText(eps == 1e-5 ? null : eps));
    }

    /// <summary>
    /// DiceLoss, JaccardLoss and TverskyLoss: the whole batch pooled, smooth 0 by default, empty channels zero; classes
    /// and class_weights become LossDsl's channel weights; TverskyLoss's gamma is a power of the mean.
    /// </summary>
    private static PortedLoss Overlap(Func<Catalog.OverlapText, string> primitive, PortDraft draft, double gamma, double smoothFactor)
    {
        var a = draft.Arguments;
        var mode = Mode(draft);
        draft.Input = a.Bool("from_logits", true) ? LossInput.Logits : LossInput.Probabilities;
        if (mode == "multiclass")
        {
            draft.IgnoreIndex = IgnoreIndex(a);
        }
        else
        {
            IgnoreOnMask(draft);
        }

        var logLoss = a.Bool("log_loss", false);
        if (logLoss && a.Number("eps", 1e-7) != 1e-7)
        {
            draft.Differs($"eps={NumberText.Format(a.Number("eps", 1e-7))}: LossDsl's log_loss floor is smp's default, 1e-7");
        }

        var (weight, background) = ChannelWeights(draft, a.NumberList("classes"), a.NumberList("class_weights"));
        // smp ≥ 0.4's overlap is (Σp + Σt − Σ|p − t|) / 2; one-hot labels are {0, 1}, where it is Σp·t, so only masks say so.
        var term = primitive(new Catalog.OverlapText(Smooth: smoothFactor * a.Number("smooth", 0), LogLoss: logLoss ? true : null, ZeroWhenEmpty: true,
            Weight: weight, IncludeBackground: background, SoftLabel: draft.Target == LossTarget.Mask));
        return draft.Build(gamma == 1 ? term : $"pow({term}, {NumberText.Format(gamma)})");
    }

    /// <summary>
    /// smp's classes (the losses kept before the mean) and class_weights (a weighted mean) as LossDsl's weight list, or
    /// include_background: false when the kept classes are all but 0 and unweighted.
    /// </summary>
    private static (IReadOnlyList<double>? Weight, bool? Background) ChannelWeights(PortDraft draft, IReadOnlyList<double>? kept, IReadOnlyList<double>? weights)
    {
        if (kept is null && weights is null)
        {
            return (null, null);
        }

        var count = draft.RequireClasses("classes and class_weights are per channel");
        var list = Enumerable.Range(0, count).Select(c => (weights is null ? 1.0 : weights[c]) * (kept is null || kept.Contains(c) ? 1 : 0)).ToList();
        if (weights is null && list[0] == 0 && list.Skip(1).All(w => w == 1))
        {
            return (null, false);
        }

        return (list, null);
    }

    private static string Mode(PortDraft draft)
    {
        var mode = draft.Arguments.Word("mode", string.Empty);
        draft.Target = mode switch
        {
            "binary" or "multilabel" => LossTarget.Mask,
            "multiclass" => LossTarget.Labels,
            _ => throw new PortException($"{draft.Arguments.Peer}: mode is 'binary', 'multiclass' or 'multilabel', not '{mode}'"),
        };
        return mode;
    }

    private static int? IgnoreIndex(PeerArguments a) => a.OptionalNumber("ignore_index") is { } ignore ? (int)ignore : null;

    /// <summary>smp's ignore_index on a mask leaves those elements out: LossDsl's valid mask does the same (the mean is the term's to choose).</summary>
    private static void IgnoreOnMask(PortDraft draft)
    {
        if (draft.Arguments.OptionalNumber("ignore_index") is { } ignore)
        {
            draft.ValidMask = true;
            draft.Note($"pass valid = (target != {NumberText.Format(ignore)}) as the loss's valid mask, and the target with those elements set to 0");
        }
    }
}
