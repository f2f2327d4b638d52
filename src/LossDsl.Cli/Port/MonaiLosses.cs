using System.Collections.Generic;
using System.Linq;
using LossDsl.Language.Primitives;
using static LossDsl.Cli.Port.PortText;

namespace LossDsl.Cli.Port;

/// <summary>
/// MONAI 1.3's losses (monai/losses/dice.py, focal_loss.py) as LossDsl text: docs/porting.md explains each mapping, and
/// its table holds this translation to the rows checked against MONAI's formulas.
/// </summary>
internal static class MonaiLosses
{
    private static readonly string[] Activation = ["include_background", "to_onehot_y", "sigmoid", "softmax", "other_act"];
    private static readonly string[] Overlap = ["squared_pred", "jaccard", "reduction", "smooth_nr", "smooth_dr", "batch"];

    public static PortedLoss DiceLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "monai.losses.DiceLoss", [.. Activation, .. Overlap, "weight", "soft_label"]), classes);
        Inputs(draft);
        var dice = Dice(draft, draft.Arguments.Get("weight"));
        draft.MeanReduction();
        return draft.Build(dice);
    }

    public static PortedLoss GeneralizedDiceLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "monai.losses.GeneralizedDiceLoss",
            [.. Activation, "w_type", "reduction", "smooth_nr", "smooth_dr", "batch", "soft_label"]), classes);
        var a = draft.Arguments;
        Inputs(draft);
        // MONAI takes one sigmoid channel as one class; generalized_dice adds a background to it unless told not to.
        var background = a.Bool("include_background", true);
        var oneClass = draft.Target == LossTarget.Mask && draft.RequireClasses("on a mask, MONAI's classes are its channels (one channel is one class)") == 1;
        var weightType = a.Word("w_type", "square");
        if (weightType is not ("square" or "simple" or "uniform"))
        {
            throw new PortException($"{a.Peer}: w_type '{weightType}' is not one of MONAI's (square, simple, uniform)");
        }

        var text = Catalog.GeneralizedDiceText(0.0, a.Number("smooth_nr", 1e-5), a.Number("smooth_dr", 1e-5), a.Bool("batch", false) ? null : true,
            weightType == "square" ? null : weightType, oneClass || !background ? false : null, draft.RegionActivation, SoftLabel(draft) ? true : null);
        draft.Note("MONAI computes the class weights in float32 (ground_o.float()); in float64 its numbers carry that rounding, LossDsl's do not");
        draft.MeanReduction();
        return draft.Build(text);
    }

    /// <summary>HausdorffDTLoss, whose include_background is false by default.</summary>
    public static PortedLoss HausdorffDTLoss(PeerCall call, int? classes) => Hausdorff(call, classes, "monai.losses.HausdorffDTLoss", log: false);

    /// <summary>LogHausdorffDTLoss: <c>log(HausdorffDTLoss + 1)</c>, which the language writes as it is.</summary>
    public static PortedLoss LogHausdorffDTLoss(PeerCall call, int? classes) => Hausdorff(call, classes, "monai.losses.LogHausdorffDTLoss", log: true);

    private static PortedLoss Hausdorff(PeerCall call, int? classes, string peer, bool log)
    {
        var draft = new PortDraft(new PeerArguments(call, peer, [.. Activation, "alpha", "reduction", "batch"]), classes);
        var a = draft.Arguments;
        Inputs(draft);
        if (draft.RegionActivation is not null)
        {
            throw new PortException($"{a.Peer}: other_act=torch.tanh; hausdorff_dt reads the signature's probabilities and takes no activation");
        }

        // Every image-channel has the same number of elements, so the mean is the same with or without batch.
        a.Get("batch");
        var alpha = a.Number("alpha", 2);
        var text = Catalog.HausdorffDtText(alpha == 2 ? null : alpha, Background(draft, peerDefault: false));
        draft.Note("MONAI rounds the distance fields to float32 (.float()); in float64 its numbers carry that rounding, LossDsl's do not");
        draft.MeanReduction();
        return draft.Build(log ? $"log({text} + 1)" : text);
    }

    /// <summary>
    /// SoftclDiceLoss: on the input as given (no activation), every channel but 0, the sums pooled over batch, channels
    /// and space: cldice(include_background: false). One channel leaves nothing, and MONAI's loss is then always 0.
    /// </summary>
    public static PortedLoss SoftclDiceLoss(PeerCall call, int? classes)
    {
        var draft = ClDiceDraft(new PeerArguments(call, "monai.losses.SoftclDiceLoss", "iter_", "smooth"), classes);
        return draft.Build(ClDiceText(draft.Arguments));
    }

    /// <summary>
    /// SoftDiceclDiceLoss: <c>(1 − α)·dice + α·clDice</c>, its Dice pooled over batch and the channels but 0 as one ratio,
    /// which LossDsl's per-channel dice is only with one channel left (C = 2).
    /// </summary>
    public static PortedLoss SoftDiceclDiceLoss(PeerCall call, int? classes)
    {
        var draft = ClDiceDraft(new PeerArguments(call, "monai.losses.SoftDiceclDiceLoss", "iter_", "alpha", "smooth"), classes);
        var a = draft.Arguments;
        if (draft.Classes != 2)
        {
            throw new PortException($"{a.Peer} pools its Dice over every channel but 0 into one ratio; LossDsl's dice averages per channel, which is the same only for C = 2");
        }

        var alpha = a.Number("alpha", 0.5);
        var smooth = a.Number("smooth", 1);
        var dice = Catalog.DiceText(new Catalog.OverlapText(Smooth: smooth == 1 ? null : smooth, IncludeBackground: false));
        return draft.Build(Sum((1 - alpha, dice), (alpha, ClDiceText(a))));
    }

    private static PortDraft ClDiceDraft(PeerArguments arguments, int? classes)
    {
        var draft = new PortDraft(arguments, classes) { Input = LossInput.Probabilities, Target = LossTarget.Mask };
        if (draft.RequireClasses("MONAI's clDice drops channel 0 whatever the channel count") == 1)
        {
            throw new PortException($"{arguments.Peer} drops channel 0, so on one channel it is always 0 (MONAI issue #8239); write cldice on the mask itself");
        }

        draft.Note("MONAI's forward takes (y_true, y_pred), the target first, and applies no activation: pass probabilities and a one-hot or multilabel mask");
        return draft;
    }

    private static string ClDiceText(PeerArguments a)
    {
        var iterations = a.Number("iter_", 3);
        var smooth = a.Number("smooth", 1);
        return Catalog.ClDiceText(iterations == 3 ? null : iterations, smooth == 1 ? null : smooth, includeBackground: false);
    }

    public static PortedLoss TverskyLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "monai.losses.TverskyLoss",
            [.. Activation, "alpha", "beta", "reduction", "smooth_nr", "smooth_dr", "batch", "soft_label"]), classes);
        var a = draft.Arguments;
        Inputs(draft);
        var alpha = a.Number("alpha", 0.5);
        var beta = a.Number("beta", 0.5);
        var text = Catalog.TverskyText(alpha == 0.5 ? null : alpha, beta == 0.5 ? null : beta, new Catalog.OverlapText(
            SmoothNumerator: a.Number("smooth_nr", 1e-5), SmoothDenominator: a.Number("smooth_dr", 1e-5),
            PerImage: a.Bool("batch", false) ? null : true, IncludeBackground: Background(draft), SoftLabel: SoftLabel(draft),
            Activation: draft.RegionActivation));
        draft.MeanReduction();
        return draft.Build(text);
    }

    public static PortedLoss FocalLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "monai.losses.FocalLoss",
            "include_background", "to_onehot_y", "gamma", "alpha", "weight", "reduction", "use_softmax"), classes);
        var text = Focal(draft, draft.Arguments.Bool("use_softmax", false), draft.Arguments.Bool("to_onehot_y", false));
        draft.MeanReduction();
        return draft.Build(text);
    }

    public static PortedLoss DiceCELoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "monai.losses.DiceCELoss",
            [.. Activation, .. Overlap, "weight", "lambda_dice", "lambda_ce", "label_smoothing"]), classes);
        var a = draft.Arguments;
        Inputs(draft);
        RawDice(draft, "CE");
        var weight = a.Get("weight");
        var dice = Dice(draft, weight);
        string crossEntropy;
        if (draft.Target == LossTarget.Labels)
        {
            var smoothing = a.Number("label_smoothing", 0);
            crossEntropy = Catalog.CrossEntropyText(a.NumberList("weight"), smoothing == 0 ? null : smoothing);
        }
        else
        {
            if (draft.RequireClasses("on a mask, MONAI's CE part is BCE for one channel and a softmax cross-entropy over channels otherwise") != 1)
            {
                throw new PortException($"{a.Peer} on a multi-channel mask takes a softmax cross-entropy over the channels against the mask as class probabilities; LossDsl's ce takes labels");
            }

            crossEntropy = Catalog.BinaryCrossEntropyText(a.OptionalNumber("weight"));
            a.Get("label_smoothing");
        }

        draft.MeanReduction();
        return draft.Build(Sum((a.Number("lambda_dice", 1), dice), (a.Number("lambda_ce", 1), crossEntropy)));
    }

    public static PortedLoss DiceFocalLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "monai.losses.DiceFocalLoss",
            [.. Activation, .. Overlap, "gamma", "weight", "lambda_dice", "lambda_focal", "alpha"]), classes);
        var a = draft.Arguments;
        Inputs(draft);
        if (draft.Target == LossTarget.Labels)
        {
            throw new PortException($"{a.Peer} applies a sigmoid focal loss to each channel against the one-hot target whatever its Dice activation; LossDsl's focal on labels is the softmax focal loss");
        }

        RawDice(draft, "the focal loss");
        var dice = Dice(draft, a.Get("weight"));
        var focal = Focal(draft, softmax: false, oneHot: false);
        draft.MeanReduction();
        return draft.Build(Sum((a.Number("lambda_dice", 1), dice), (a.Number("lambda_focal", 1), focal)));
    }

    /// <summary>
    /// SSIMLoss (2-D): 1 − the SSIM of the valid window positions (no padding), MONAI's Gaussian window, C1 = (k1·L)²,
    /// C2 = (k2·L)², averaged per image then over the batch (equal counts: the overall mean). On the input as it is.
    /// </summary>
    public static PortedLoss SSIMLoss(PeerCall call, int? classes)
    {
        var draft = new PortDraft(new PeerArguments(call, "monai.losses.SSIMLoss",
            "spatial_dims", "data_range", "kernel_type", "win_size", "kernel_sigma", "k1", "k2", "reduction"), classes)
        {
            Input = LossInput.Probabilities,
            Target = LossTarget.Mask,
        };
        var a = draft.Arguments;
        if (a.Number("spatial_dims", 2) != 2)
        {
            throw new PortException($"{a.Peer}(spatial_dims=3): LossDsl's ssim takes 2-D images only (3-D is issue 15)");
        }

        if (a.Word("kernel_type", "gaussian") != "gaussian")
        {
            throw new PortException($"{a.Peer}: kernel_type='uniform' (a box window) has no LossDsl form; ssim's window is Gaussian");
        }

        draft.Note("MONAI computes SSIM in float32 (convert_data_type(..., dtype=torch.float)); in float64 its numbers carry that rounding");
        draft.Note("LossDsl's target is a mask in [0, 1]: with data_range other than 1, scale both images into [0, 1] and keep data_range 1");
        draft.MeanReduction();
        var (window, sigma, range, k1, k2) = (a.Number("win_size", 11), a.Number("kernel_sigma", 1.5), a.Number("data_range", 1), a.Number("k1", 0.01), a.Number("k2", 0.03));
        return draft.Build(Catalog.SsimText(window == 11 ? null : (int)window, sigma == 1.5 ? null : sigma, range == 1 ? null : range,
            k1 == 0.01 ? null : k1, k2 == 0.03 ? null : k2, "valid", null));
    }

    /// <summary>
    /// The activation and the target form: sigmoid is logits against a mask (a one-hot mask with to_onehot_y), softmax
    /// logits against labels, neither probabilities. MONAI refuses sigmoid with softmax and other_act with either.
    /// </summary>
    private static void Inputs(PortDraft draft)
    {
        var a = draft.Arguments;
        var (sigmoid, softmax, oneHot) = (a.Bool("sigmoid", false), a.Bool("softmax", false), a.Bool("to_onehot_y", false));
        if (sigmoid && softmax)
        {
            throw new PortException($"{a.Peer}: sigmoid=True and softmax=True together; MONAI refuses them too");
        }

        var tanh = false;
        if (a.Given("other_act"))
        {
            var act = a.Get("other_act")!.Text;
            if (sigmoid || softmax)
            {
                throw new PortException($"{a.Peer}: other_act with sigmoid or softmax; MONAI refuses them together too");
            }

            // torch.tanh, or the module torch.nn.Tanh(): the one other_act with a LossDsl form.
            tanh = act is "torch.tanh" or "torch.nn.Tanh()" or "nn.Tanh()";
            if (!tanh)
            {
                draft.Differs($"other_act={act}: LossDsl's region terms read sigmoid, softmax, tanh or the raw values; apply it in the model and declare probabilities");
            }
        }

        draft.Input = sigmoid || softmax || tanh ? LossInput.Logits : LossInput.Probabilities;
        draft.RegionActivation = tanh ? Language.Plan.Activation.Tanh : null;
        draft.Target = softmax || (oneHot && !sigmoid) ? LossTarget.Labels : LossTarget.Mask;
        if (sigmoid && oneHot)
        {
            draft.Note("MONAI one-hot encodes the labels and applies a sigmoid per channel: pass one_hot(labels) as the mask target");
        }
        else if (softmax && !oneHot)
        {
            draft.Note("MONAI takes a one-hot target here: pass its argmax, the labels [N, *spatial]");
        }
    }

    /// <summary>
    /// A combined loss without an activation: MONAI gives Dice the raw values and its pixel term the same values as
    /// logits, which is pred declared as logits with a Dice that reads them raw (the compiler warns: LOSS0904).
    /// </summary>
    private static void RawDice(PortDraft draft, string pixelTerm)
    {
        if (draft.Input == LossInput.Probabilities)
        {
            draft.Input = LossInput.Logits;
            draft.RegionActivation = Language.Plan.Activation.None;
            draft.Note($"without sigmoid or softmax MONAI computes Dice on the raw values and {pixelTerm} on them as logits; the text does the same, and the compiler warns (LOSS0904): pass sigmoid=True or softmax=True in the PyTorch script if that was not meant");
        }
    }

    /// <summary>
    /// DiceLoss's text, shared by DiceCELoss and DiceFocalLoss: jaccard=True doubles numerator and denominator (iou with
    /// half the smoothing), squared_pred=True is squared_pred: true, soft_label=True soft_label: true; MONAI's weight multiplies each class's loss before the plain mean, LossDsl's normalises, so
    /// the term carries the factor Σw/K (K the classes left).
    /// </summary>
    private static string Dice(PortDraft draft, PeerValue? weightValue)
    {
        var a = draft.Arguments;
        var jaccard = a.Bool("jaccard", false);
        var half = jaccard ? 0.5 : 1;
        var background = Background(draft);
        var weights = weightValue is null or PeerNone ? null : a.NumberList("weight");
        double factor = 1;
        IReadOnlyList<double>? list = null;
        if (weights is [var single])
        {
            factor = single;
        }
        else if (weights is not null)
        {
            // MONAI's list has an entry per class it keeps (no background entry without it); LossDsl's one per channel.
            factor = weights.Sum() / weights.Count;
            list = background == false ? weights.Prepend(0).ToList() : weights;
        }

        var overlap = new Catalog.OverlapText(
            SmoothNumerator: a.Number("smooth_nr", 1e-5) * half, SmoothDenominator: a.Number("smooth_dr", 1e-5) * half,
            PerImage: a.Bool("batch", false) ? null : true, Weight: list, IncludeBackground: background, SquaredPred: a.Bool("squared_pred", false),
            // With squared_pred MONAI forms the overlap from squares, (Σx² + Σy² − Σ(x − y)²) / 2, which is Σxy: soft_label
            // changes nothing there.
            SoftLabel: !a.Bool("squared_pred", false) && SoftLabel(draft),
            Activation: draft.RegionActivation);
        var text = jaccard ? Catalog.IouText(overlap) : Catalog.DiceText(overlap);
        return Sum((factor, text));
    }

    /// <summary>include_background=False drops channel 0, except on one channel, which MONAI keeps (with a warning).</summary>
    private static bool? Background(PortDraft draft, bool peerDefault = true)
    {
        if (draft.Arguments.Bool("include_background", peerDefault))
        {
            return null;
        }

        if (draft.Target == LossTarget.Mask && draft.RequireClasses("include_background=False on a mask depends on the channel count (MONAI ignores it for one)") == 1)
        {
            draft.Note("MONAI ignores include_background=False on one channel (with a warning), and so does the text");
            return null;
        }

        return false;
    }

    /// <summary>
    /// soft_label=True, MONAI's overlap <c>(‖x‖₁ + ‖y‖₁ − ‖x − y‖₁) / 2</c>: LossDsl's soft_label. MONAI's norms sum |x| where
    /// LossDsl sums x, the same on probabilities but not on tanh or raw values below 0, which is reported.
    /// </summary>
    private static bool SoftLabel(PortDraft draft)
    {
        if (!draft.Arguments.Bool("soft_label", false))
        {
            return false;
        }

        if (draft.RegionActivation is Language.Plan.Activation.Tanh or Language.Plan.Activation.None)
        {
            draft.Differs("soft_label=True on tanh or raw values: MONAI's overlap sums |x| (a vector norm), LossDsl's sums x; they differ wherever x < 0");
        }

        return true;
    }

    /// <summary>
    /// FocalLoss: sigmoid per channel (mask focal with MONAI's alpha, none by default, so alpha: -1), or with use_softmax
    /// the softmax focal loss summed over the classes and averaged over every element, channels included: LossDsl's
    /// labels focal divided by C, alpha as class weights [1 − α, α, ...].
    /// </summary>
    private static string Focal(PortDraft draft, bool softmax, bool oneHot)
    {
        var a = draft.Arguments;
        var gamma = a.Number("gamma", 2);
        var alpha = a.OptionalNumber("alpha");
        var weights = a.NumberList("weight");
        var background = a.Bool("include_background", true);
        draft.Note("MONAI's FocalLoss computes in float32 (input.float()); in float64 its numbers carry that rounding");
        if (!softmax)
        {
            draft.Input = LossInput.Logits;
            if (oneHot)
            {
                draft.Target = LossTarget.Mask;
                draft.Note("MONAI one-hot encodes the labels and applies a sigmoid per channel: pass one_hot(labels) as the mask target");
            }

            if (!background && draft.RequireClasses("include_background=False on a mask depends on the channel count") > 1)
            {
                draft.Differs("include_background=False drops channel 0 from the sigmoid focal loss; LossDsl's focal has no channel selection");
            }

            // One number weighs every channel alike, a factor; a list weighs each channel's elements, the plain mean kept.
            var factor = weights is [var single] ? single : 1.0;
            var channelWeights = weights is { Count: > 1 } ? weights : null;
            draft.Note("on soft targets MONAI's (1 − p_t) is σ(−x(2t − 1)), not LossDsl's 1 − (pt + (1 − p)(1 − t)); on {0, 1} targets they agree");
            return Sum((factor, MaskFocal(alpha, gamma, channelWeights)));
        }

        draft.Input = LossInput.Logits;
        draft.Target = LossTarget.Labels;
        if (!oneHot)
        {
            draft.Note("MONAI takes a one-hot target here: pass its argmax, the labels [N, *spatial]");
        }

        if (!background)
        {
            throw new PortException($"{a.Peer}(use_softmax=True, include_background=False) takes the softmax over channels 1..C−1 only; LossDsl's softmax runs over every class");
        }

        var classes = draft.RequireClasses("MONAI's softmax focal loss averages over the classes too (a factor 1/C)");
        var classWeights = Enumerable.Range(0, classes).Select(c => (alpha is { } value ? (c == 0 ? 1 - value : value) : 1.0) * (weights is null ? 1 : weights.Count == 1 ? weights[0] : weights[c])).ToList();
        if (weights is { Count: > 1 } && weights.Count != classes)
        {
            throw new PortException($"{a.Peer}: weight has {weights.Count} entries for {classes} classes");
        }

        return Sum((1.0 / classes, Catalog.LabelsFocalText(gamma == 2 ? null : gamma, classWeights.All(w => w == 1) ? null : classWeights)));
    }
}
