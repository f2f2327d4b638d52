#!/usr/bin/env python3
"""Porting fixtures: the peers' own losses (MONAI, segmentation_models_pytorch, kornia), written here from their
forward passes step by step, evaluated on stored inputs, beside the LossDsl text docs/porting.md gives for each.

For every case the script checks, in float64, that LossDsl's contract (make_fixtures.py) of that text gives the peer's
value and gradient to 1e-12, and writes a fixture (tests/LossDsl.Tests/Fixtures/port_*.json, the format of
make_fixtures.py) whose total and gradient are the peer's: the C# fixture tests then hold both engines to the peer's
numbers. A case whose text does not reproduce its peer stops the script.

Versions followed: MONAI 1.3 (monai/losses/dice.py, tversky.py, focal_loss.py), smp 0.4 and 0.5 (segmentation_models_pytorch/losses:
dice.py, jaccard.py, tversky.py, focal.py, soft_bce.py, soft_ce.py, mcc.py, _functional.py), kornia 0.7 (kornia/losses/dice.py,
tversky.py, focal.py), torchvision (ops/focal_loss.py). Run with Debian's
python3-torch: /usr/bin/python3 tests/reference/port_peers.py
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

import make_fixtures as mf

torch.set_default_dtype(torch.float64)


# ----------------------------------------------------------------------------------------------------------
# MONAI 1.3
# ----------------------------------------------------------------------------------------------------------

def monai_activate(x, target, sigmoid=False, softmax=False, other_act=None, to_onehot_y=False, include_background=True):
    """The preamble every MONAI region loss shares: activation, one-hot target ([N, 1, *spatial] labels), background."""
    if sigmoid:
        x = torch.sigmoid(x)
    if softmax:
        x = torch.softmax(x, 1)
    if other_act is not None:
        x = other_act(x)
    if to_onehot_y:
        target = F.one_hot(target[:, 0], x.shape[1]).movedim(-1, 1).to(x.dtype)
    if not include_background and x.shape[1] > 1:  # one channel: MONAI warns and keeps it
        x, target = x[:, 1:], target[:, 1:]
    return x, target


def monai_dice(x, target, smooth_nr=1e-5, smooth_dr=1e-5, batch=False, jaccard=False, squared_pred=False, soft_label=False, **preamble):
    """DiceLoss; with soft_label MONAI 1.4's compute_tp_fp_fn: tp = (Σ|x| + Σ|y| − Σ|x − y|) / 2 (|x| = x for probabilities)."""
    x, target = monai_activate(x, target, **preamble)
    reduce_axis = ([0] if batch else []) + list(range(2, x.dim()))
    if soft_label:
        intersection = (torch.sum(x.abs(), reduce_axis) + torch.sum(target.abs(), reduce_axis) - torch.sum((x - target).abs(), reduce_axis)) / 2
    else:
        intersection = torch.sum(target * x, reduce_axis)
    if squared_pred:
        denominator = torch.sum(target ** 2, reduce_axis) + torch.sum(x ** 2, reduce_axis)
    else:
        denominator = torch.sum(target, reduce_axis) + torch.sum(x, reduce_axis)
    if jaccard:
        denominator = 2.0 * (denominator - intersection)
    f = 1.0 - (2.0 * intersection + smooth_nr) / (denominator + smooth_dr)
    return f.mean()


def monai_generalized_dice(x, target, w_type="square", smooth_nr=1e-5, smooth_dr=1e-5, batch=False, soft_label=False, **preamble):
    """MONAI computes the weights as `w_func(ground_o.float())`, in float32 even for float64 inputs; this port keeps
    float64 (docs/porting.md names the difference, at most a float32 rounding of each weight). soft_label (MONAI 1.4):
    compute_tp_fp_fn's tp, fp, fn with the denominator 2·(tp + fp/2 + fn/2), which is Σx + Σy in both forms."""
    x, target = monai_activate(x, target, **preamble)
    reduce_axis = ([0] if batch else []) + list(range(2, x.dim()))
    if soft_label:
        pred_o, ground_o = torch.sum(x.abs(), reduce_axis), torch.sum(target.abs(), reduce_axis)
        intersection = (pred_o + ground_o - torch.sum((x - target).abs(), reduce_axis)) / 2
        fp, fn = pred_o - intersection, ground_o - intersection
        denominator = 2 * (intersection + 0.5 * fp + 0.5 * fn)
    else:
        intersection = torch.sum(target * x, reduce_axis)
        denominator = torch.sum(target, reduce_axis) + torch.sum(x, reduce_axis)
    ground_o = torch.sum(target, reduce_axis)
    w = {"square": lambda g: torch.reciprocal(g * g), "simple": torch.reciprocal, "uniform": torch.ones_like}[w_type](ground_o)
    infs = torch.isinf(w)
    if batch:
        w[infs] = 0.0
        w = w + infs * torch.max(w)
    else:
        w[infs] = 0.0
        w = w + infs * torch.max(w, dim=1)[0].unsqueeze(1)
    final_reduce_dim = 0 if batch else 1
    numer = 2.0 * (intersection * w).sum(final_reduce_dim, keepdim=True) + smooth_nr
    denom = (denominator * w).sum(final_reduce_dim, keepdim=True) + smooth_dr
    return (1.0 - numer / denom).mean()


def monai_hausdorff(x, target, alpha=2.0, include_background=False, batch=False, log=False, **preamble):
    """HausdorffDTLoss (MONAI 1.3+): per channel, fields of x > 0.5 and target > 0.5 per image (fg transform plus bg
    transform, none without a boundary), mean over the spatial dims (and the batch with batch=True), then the mean;
    MONAI's .float() on the fields is left out (docs/porting.md); the log form is log(loss + 1)."""
    from scipy.ndimage import distance_transform_edt
    x, target = monai_activate(x, target, include_background=include_background, **preamble)

    def field(img):
        out = torch.zeros_like(img)
        for n in range(img.shape[0]):
            fg = (img[n] > 0.5).numpy()
            if fg.any() and not fg.all():
                out[n] = torch.from_numpy(distance_transform_edt(fg) + distance_transform_edt(~fg))
        return out

    all_f = []
    for i in range(x.shape[1]):
        ch_x, ch_t = x[:, [i]], target[:, [i]]
        distance = field(ch_x.detach()) ** alpha + field(ch_t.detach()) ** alpha
        reduce_axis = ([0] if batch else []) + list(range(2, x.dim()))
        all_f.append(((ch_x - ch_t) ** 2 * distance).mean(dim=reduce_axis, keepdim=True))
    f = torch.cat(all_f, dim=1).mean()
    return torch.log(f + 1) if log else f


def monai_cldice(y_pred, y_true, iter_=3, smooth=1.0, alpha=None):
    """SoftclDiceLoss (alpha None) and SoftDiceclDiceLoss, as monai/losses/cldice.py: every sum drops channel 0;
    its soft_erode, soft_dilate and soft_skel are the contract's (make_fixtures.soft_skeleton), written from the same
    paper; MONAI's forward takes (y_true, y_pred)."""
    skel_pred, skel_true = mf.soft_skeleton(y_pred, iter_), mf.soft_skeleton(y_true, iter_)
    tprec = (torch.sum((skel_pred * y_true)[:, 1:]) + smooth) / (torch.sum(skel_pred[:, 1:]) + smooth)
    tsens = (torch.sum((skel_true * y_pred)[:, 1:]) + smooth) / (torch.sum(skel_true[:, 1:]) + smooth)
    cl_dice = 1.0 - 2.0 * (tprec * tsens) / (tprec + tsens)
    if alpha is None:
        return cl_dice
    intersection = torch.sum((y_true * y_pred)[:, 1:])
    dice = 1.0 - (2.0 * intersection + smooth) / (torch.sum(y_true[:, 1:]) + torch.sum(y_pred[:, 1:]) + smooth)
    return (1.0 - alpha) * dice + alpha * cl_dice


def monai_tversky(x, target, alpha=0.5, beta=0.5, smooth_nr=1e-5, smooth_dr=1e-5, batch=False, **preamble):
    x, target = monai_activate(x, target, **preamble)
    p0, p1, g0, g1 = x, 1 - x, target, 1 - target
    reduce_axis = ([0] if batch else []) + list(range(2, x.dim()))
    tp = torch.sum(p0 * g0, reduce_axis)
    fp = alpha * torch.sum(p0 * g1, reduce_axis)
    fn = beta * torch.sum(p1 * g0, reduce_axis)
    score = 1.0 - (tp + smooth_nr) / (tp + fp + fn + smooth_dr)
    return score.mean()


def monai_sigmoid_focal(x, target, gamma=2.0, alpha=None, weight=None):
    """monai/losses/focal_loss.py sigmoid_focal_loss, then FocalLoss's mean over every element. MONAI casts to float32
    first (input.float()); the port keeps float64 (docs/porting.md)."""
    loss = x - x * target - F.logsigmoid(x)
    invprobs = F.logsigmoid(-x * (target * 2 - 1))
    loss = (invprobs * gamma).exp() * loss
    if alpha is not None:
        loss = (target * alpha + (1 - target) * (1 - alpha)) * loss
    if weight is not None:
        loss = torch.tensor(weight).view([-1] + [1] * (x.dim() - 2)) * loss  # FocalLoss's class_weight, over dim 1
    return loss.mean()


def monai_softmax_focal(x, labels, gamma=2.0, alpha=None):
    """softmax_focal_loss on the one-hot target, then the mean over every element (channels included)."""
    target = F.one_hot(labels, x.shape[1]).movedim(-1, 1).to(x.dtype)
    input_ls = x.log_softmax(1)
    loss = -(1 - input_ls.exp()).pow(gamma) * input_ls * target
    if alpha is not None:
        alpha_fac = torch.tensor([1 - alpha] + [alpha] * (target.shape[1] - 1)).view(-1, 1, 1)
        loss = alpha_fac * loss
    return loss.mean()


def monai_dice_ce(x, target, lambda_dice=1.0, lambda_ce=1.0, **dice_options):
    """DiceCELoss: DiceLoss plus CrossEntropyLoss on the logits (labels) or BCEWithLogitsLoss (one channel)."""
    if x.shape[1] == 1:
        ce = F.binary_cross_entropy_with_logits(x, target)
        dice = monai_dice(x, target, **dice_options)
    else:
        ce = F.cross_entropy(x, target)
        dice = monai_dice(x, target.unsqueeze(1), to_onehot_y=True, **dice_options)
    return lambda_dice * dice + lambda_ce * ce


def monai_dice_focal(x, target, gamma=2.0, alpha=None, lambda_dice=1.0, lambda_focal=1.0, **dice_options):
    return lambda_dice * monai_dice(x, target, **dice_options) + lambda_focal * monai_sigmoid_focal(x, target, gamma, alpha)


# ----------------------------------------------------------------------------------------------------------
# segmentation_models_pytorch 0.5 (0.3 where the same)
# ----------------------------------------------------------------------------------------------------------

def smp_region(score_fn, mode, x, target, smooth=0.0, log_loss=False, eps=1e-7, from_logits=True, classes=None, ignore_index=None):
    """smp's DiceLoss.forward, shared by JaccardLoss and TverskyLoss: flatten, one-hot, score per class over the whole
    batch (dims 0 and 2), optional -log, zero for classes with an empty target, optional class subset, mean. On a mask
    ignore_index zeroes both the probabilities and the target where the target holds it."""
    bs, num_classes = target.shape[0], x.shape[1]
    if from_logits:
        x = x.log_softmax(1).exp() if mode == "multiclass" else F.logsigmoid(x).exp()
    if mode == "binary":
        y_true, y_pred = target.view(bs, 1, -1), x.view(bs, 1, -1)
    elif mode == "multiclass":
        y_true = F.one_hot(target.view(bs, -1), num_classes).permute(0, 2, 1)
        y_pred = x.view(bs, num_classes, -1)
    else:
        y_true, y_pred = target.view(bs, num_classes, -1), x.view(bs, num_classes, -1)
    if ignore_index is not None and mode != "multiclass":
        kept = y_true != ignore_index
        y_pred, y_true = y_pred * kept, y_true * kept
    dims = (0, 2)
    scores = score_fn(y_pred, y_true.type_as(y_pred), smooth, eps, dims)
    loss = -torch.log(scores.clamp_min(eps)) if log_loss else 1.0 - scores
    loss = loss * (y_true.sum(dims) > 0).to(loss.dtype)
    if classes is not None:
        loss = loss[classes]
    return loss


def smp_tversky_score(alpha, beta):
    """smp ≥ 0.4's soft_tversky_score: the intersection of soft labels, FP and FN from it; dice is α = β = 1/2 (as smp's
    soft_dice_score calls it), jaccard α = β = 1."""
    def score(output, target, smooth, eps, dims):
        output_sum, target_sum = torch.sum(output, dim=dims), torch.sum(target, dim=dims)
        difference = torch.sum((output - target).abs(), dim=dims)
        intersection = (output_sum + target_sum - difference) / 2
        fp, fn = output_sum - intersection, target_sum - intersection
        return (intersection + smooth) / (intersection + alpha * fp + beta * fn + smooth).clamp_min(eps)
    return score


smp_dice_score = smp_tversky_score(0.5, 0.5)
smp_jaccard_score = smp_tversky_score(1.0, 1.0)


def smp_dice(mode, x, target, **options):
    return smp_region(smp_dice_score, mode, x, target, **options).mean()


def smp_jaccard(mode, x, target, **options):
    return smp_region(smp_jaccard_score, mode, x, target, **options).mean()


def smp_tversky(mode, x, target, alpha=0.5, beta=0.5, gamma=1.0, **options):
    return smp_region(smp_tversky_score(alpha, beta), mode, x, target, **options).mean() ** gamma


def smp_focal(mode, x, target, alpha=None, gamma=2.0, ignore_index=None):
    """FocalLoss('binary'): focal_loss_with_logits over every element; 'multilabel': the mean of each channel's. With
    ignore_index (binary and multilabel alike) the elements holding it are dropped from one flattened mean."""
    def focal_with_logits(output, t):
        logpt = F.binary_cross_entropy_with_logits(output, t, reduction="none")
        loss = (1.0 - torch.exp(-logpt)).pow(gamma) * logpt
        if alpha is not None:
            loss = loss * (alpha * t + (1 - alpha) * (1 - t))
        return loss.mean()
    if ignore_index is not None:
        kept = target.reshape(-1) != ignore_index
        return focal_with_logits(x.reshape(-1)[kept], target.reshape(-1)[kept])
    if mode == "binary":
        return focal_with_logits(x.reshape(-1), target.reshape(-1))
    return torch.stack([focal_with_logits(x[:, c], target[:, c]) for c in range(x.shape[1])]).mean()


def smp_soft_bce(x, target, pos_weight=None, smooth_factor=None, ignore_index=-100):
    """SoftBCEWithLogitsLoss: smoothed targets (1 − t)s + t(1 − s), ignored elements zeroed, the mean over every element."""
    soft = target if smooth_factor is None else (1 - target) * smooth_factor + target * (1 - smooth_factor)
    loss = F.binary_cross_entropy_with_logits(x, soft, pos_weight=pos_weight, reduction="none")
    return (loss * (target != ignore_index).to(loss.dtype)).mean()


def smp_soft_ce(x, labels, smooth_factor, ignore_index=-100):
    """SoftCrossEntropyLoss: label_smoothed_nll_loss, ignored pixels zeroed, then the mean over every pixel."""
    lprobs = F.log_softmax(x, 1)
    target = labels.unsqueeze(1)
    pad_mask = target.eq(ignore_index)
    nll = -lprobs.gather(1, target.masked_fill(pad_mask, 0)).masked_fill(pad_mask, 0.0)
    smooth = -lprobs.sum(1, keepdim=True).masked_fill(pad_mask, 0.0)
    return (1.0 - smooth_factor) * nll.mean() + smooth_factor / lprobs.size(1) * smooth.mean()


def smp_mcc(y_pred, y_true, eps=1e-5):
    bs = y_true.shape[0]
    y_true, y_pred = y_true.reshape(bs, 1, -1), y_pred.reshape(bs, 1, -1)
    tp = torch.sum(y_pred * y_true) + eps
    tn = torch.sum((1 - y_pred) * (1 - y_true)) + eps
    fp = torch.sum(y_pred * (1 - y_true)) + eps
    fn = torch.sum((1 - y_pred) * y_true) + eps
    mcc = (tp * tn - fp * fn).sum() / torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)).sum()
    return 1.0 - mcc


# ----------------------------------------------------------------------------------------------------------
# kornia 0.7 (labels [N, H, W], logits [N, C, H, W], softmax inside)
# ----------------------------------------------------------------------------------------------------------

def kornia_dice(x, target, average="micro", eps=1e-8, weight=None):
    p = x.softmax(1)
    t = F.one_hot(target, x.shape[1]).movedim(-1, 1).to(x.dtype)
    weight = torch.ones(x.shape[1]) if weight is None else torch.tensor(weight)
    dims = (2, 3)
    if average == "micro":
        dims = (1,) + dims
        p, t = p * weight.view(-1, 1, 1), t * weight.view(-1, 1, 1)
    intersection = torch.sum(p * t, dims)
    cardinality = torch.sum(p + t, dims)
    loss = -(2.0 * intersection / (cardinality + eps)) + 1.0
    if average == "macro":
        loss = (loss * weight).sum(-1) / weight.sum()
    return loss.mean()


def kornia_tversky(x, target, alpha, beta, eps=1e-8):
    p = x.softmax(1)
    t = F.one_hot(target, x.shape[1]).movedim(-1, 1).to(x.dtype)
    dims = (1, 2, 3)
    intersection = torch.sum(p * t, dims)
    fps = torch.sum(p * (-t + 1.0), dims)
    fns = torch.sum((-p + 1.0) * t, dims)
    score = intersection / (intersection + alpha * fps + beta * fns + eps)
    return torch.mean(-score + 1.0)


def kornia_focal(x, labels, alpha, gamma=2.0):
    """focal_loss(reduction='mean'): the softmax focal loss of the one-hot target, mean over every element."""
    t = F.one_hot(labels, x.shape[1]).movedim(-1, 1).to(x.dtype)
    log_p = x.log_softmax(1)
    loss = -torch.pow(1.0 - log_p.exp(), gamma) * log_p * t
    if alpha is not None:
        loss = torch.tensor([1 - alpha] + [alpha] * (x.shape[1] - 1)).view(-1, 1, 1) * loss
    return loss.mean()


def kornia_binary_focal(x, target, alpha=0.25, gamma=2.0, weight=None):
    """binary_focal_loss_with_logits; weight (one per channel) multiplies each channel's loss before the mean."""
    log_pos, log_neg = F.logsigmoid(x), F.logsigmoid(-x)
    pos = -log_neg.exp().pow(gamma) * target * log_pos
    neg = -log_pos.exp().pow(gamma) * (1.0 - target) * log_neg
    if alpha is not None:
        pos, neg = alpha * pos, (1.0 - alpha) * neg
    loss = pos + neg
    if weight is not None:
        loss = torch.tensor(weight, dtype=loss.dtype).view([-1] + [1] * (x.dim() - 2)) * loss
    return loss.mean()


def gaussian_kernel_1d(size, sigma):
    """The normalised 1-D Gaussian both kornia and MONAI build (centred on the window's middle)."""
    x = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-(x ** 2) / (2 * sigma ** 2))
    return g / g.sum()


def kornia_ssim_loss(img1, img2, window_size, max_val=1.0, eps=1e-12, padding="same"):
    """kornia/metrics/ssim.py (filter2d_separable: reflect border, same size; 'valid' crops) and losses/ssim.py."""
    g = gaussian_kernel_1d(window_size, 1.5)
    c = img1.shape[1]
    half = window_size // 2

    def filt(x):
        x = F.pad(x, (half, half, half, half), mode="reflect")
        x = F.conv2d(x, g.view(1, 1, 1, -1).expand(c, 1, 1, window_size), groups=c)
        x = F.conv2d(x, g.view(1, 1, -1, 1).expand(c, 1, window_size, 1), groups=c)
        return x[..., half:-half, half:-half] if padding == "valid" else x
    c1, c2 = (0.01 * max_val) ** 2, (0.03 * max_val) ** 2
    mu1, mu2 = filt(img1), filt(img2)
    sigma1, sigma2, sigma12 = filt(img1 ** 2) - mu1 ** 2, filt(img2 ** 2) - mu2 ** 2, filt(img1 * img2) - mu1 * mu2
    ssim_map = (2.0 * mu1 * mu2 + c1) * (2.0 * sigma12 + c2) / ((mu1 ** 2 + mu2 ** 2 + c1) * (sigma1 + sigma2 + c2) + eps)
    return torch.clamp((1.0 - ssim_map) / 2, min=0, max=1).mean()


def monai_ssim_loss(y_pred, y, win_size=11, kernel_sigma=1.5, data_range=1.0, k1=0.01, k2=0.03):
    """monai/metrics/regression.py compute_ssim_and_cs (valid grouped convolution) and losses/ssim_loss.py; MONAI casts
    to float32, the port keeps float64."""
    c = y_pred.shape[1]
    g = gaussian_kernel_1d(win_size, kernel_sigma)
    kernel = torch.outer(g, g).expand(c, 1, win_size, win_size)
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    conv = lambda x: F.conv2d(x, kernel, groups=c)
    mu_x, mu_y = conv(y_pred), conv(y)
    sigma_x, sigma_y, sigma_xy = conv(y_pred * y_pred) - mu_x * mu_x, conv(y * y) - mu_y * mu_y, conv(y_pred * y) - mu_x * mu_y
    cs = (2 * sigma_xy + c2) / (sigma_x + sigma_y + c2)
    ssim_full = ((2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1)) * cs
    return (1 - ssim_full.view(ssim_full.shape[0], -1).mean(1, keepdim=True)).mean()


# ----------------------------------------------------------------------------------------------------------
# The cases: name, the peer's call as its users write it, the LossDsl text, the inputs (make_fixtures.case), and the
# peer as a function of (pred, target). docs/porting.md cites each case by name.
# ----------------------------------------------------------------------------------------------------------

B1, ML, MC = mf.B1, mf.ML, mf.MC
# The value a peer reads as ignored in a mask target where the fixture's valid mask leaves an element out.
MASK_IGNORE = 255.0
onehot = dict(to_onehot_y=True)


def labels_1(fn, **kw):
    """MONAI takes labels as [N, 1, *spatial]."""
    return lambda x, t: fn(x, t.unsqueeze(1), **kw)


PORTS = [
    # MONAI DiceLoss
    ("port_monai_dice_sigmoid", "monai.losses.DiceLoss(sigmoid=True)",
     "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05)", mf.case("", "", "mask", ML),
     lambda x, t: monai_dice(x, t, sigmoid=True)),
    ("port_monai_dice_softmax_onehot_no_background", "monai.losses.DiceLoss(include_background=False, to_onehot_y=True, softmax=True)",
     "dice(per_image: true, include_background: false, smooth_nr: 1e-05, smooth_dr: 1e-05)", mf.case("", "", "labels", MC),
     labels_1(monai_dice, softmax=True, include_background=False, **onehot)),
    ("port_monai_dice_batch_smooth", "monai.losses.DiceLoss(sigmoid=True, batch=True, smooth_nr=0, smooth_dr=1e-6)",
     "dice(smooth_nr: 0, smooth_dr: 1e-06)", mf.case("", "", "mask", ML, pattern="empty_channel"),
     lambda x, t: monai_dice(x, t, sigmoid=True, batch=True, smooth_nr=0.0, smooth_dr=1e-6)),
    ("port_monai_dice_jaccard", "monai.losses.DiceLoss(softmax=True, to_onehot_y=True, jaccard=True)",
     "iou(per_image: true, smooth_nr: 5e-06, smooth_dr: 5e-06)", mf.case("", "", "labels", MC),
     labels_1(monai_dice, softmax=True, jaccard=True, **onehot)),
    ("port_monai_dice_multilabel_no_background", "monai.losses.DiceLoss(include_background=False)",
     "dice(per_image: true, include_background: false, smooth_nr: 1e-05, smooth_dr: 1e-05)", mf.case("", "", "mask", ML, "probs"),
     lambda x, t: monai_dice(x, t, include_background=False)),
    ("port_monai_dice_soft_label", "monai.losses.DiceLoss(sigmoid=True, soft_label=True)",
     "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05, soft_label: true)", mf.case("", "", "mask", ML, pattern="soft"),
     lambda x, t: monai_dice(x, t, sigmoid=True, soft_label=True)),
    ("port_monai_dice_squared_pred", "monai.losses.DiceLoss(sigmoid=True, squared_pred=True)",
     "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05, squared_pred: true)", mf.case("", "", "mask", ML, pattern="soft"),
     lambda x, t: monai_dice(x, t, sigmoid=True, squared_pred=True)),
    ("port_monai_dice_other_act_tanh", "monai.losses.DiceLoss(other_act=torch.tanh)",
     "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05, activation: tanh)", mf.case("", "", "mask", ML),
     lambda x, t: monai_dice(x, t, other_act=torch.tanh)),
    ("port_monai_dice_jaccard_squared_pred", "monai.losses.DiceLoss(softmax=True, to_onehot_y=True, jaccard=True, squared_pred=True, batch=True)",
     "iou(smooth_nr: 5e-06, smooth_dr: 5e-06, squared_pred: true)", mf.case("", "", "labels", MC),
     labels_1(monai_dice, softmax=True, jaccard=True, squared_pred=True, batch=True, **onehot)),
    # MONAI GeneralizedDiceLoss
    ("port_monai_generalized_dice_softmax", "monai.losses.GeneralizedDiceLoss(to_onehot_y=True, softmax=True)",
     "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true)", mf.case("", "", "labels", MC, pattern="absent"),
     labels_1(monai_generalized_dice, softmax=True, **onehot)),
    ("port_monai_generalized_dice_sigmoid_one_class", "monai.losses.GeneralizedDiceLoss(sigmoid=True)",
     "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true, include_background: false)", mf.case("", "", "mask", B1, pattern="empty_image"),
     lambda x, t: monai_generalized_dice(x, t, sigmoid=True)),
    ("port_monai_generalized_dice_batch_simple", "monai.losses.GeneralizedDiceLoss(sigmoid=True, w_type='simple', batch=True)",
     "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, weight_type: simple)", mf.case("", "", "mask", ML, pattern="empty_channel"),
     lambda x, t: monai_generalized_dice(x, t, sigmoid=True, w_type="simple", batch=True)),
    ("port_monai_generalized_dice_soft_label", "monai.losses.GeneralizedDiceLoss(sigmoid=True, soft_label=True)",
     "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true, soft_label: true)", mf.case("", "", "mask", ML, pattern="soft"),
     lambda x, t: monai_generalized_dice(x, t, sigmoid=True, soft_label=True)),
    ("port_monai_generalized_dice_uniform_no_background", "monai.losses.GeneralizedDiceLoss(include_background=False, to_onehot_y=True, softmax=True, w_type='uniform')",
     "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true, weight_type: uniform, include_background: false)", mf.case("", "", "labels", MC),
     labels_1(monai_generalized_dice, softmax=True, w_type="uniform", include_background=False, **onehot)),
    # MONAI HausdorffDTLoss, LogHausdorffDTLoss
    ("port_monai_hausdorff_sigmoid", "monai.losses.HausdorffDTLoss(sigmoid=True)",
     "hausdorff_dt(include_background: false)", mf.case("", "", "mask", ML),
     lambda x, t: monai_hausdorff(x, t, sigmoid=True)),
    ("port_monai_hausdorff_one_channel_batch", "monai.losses.HausdorffDTLoss(sigmoid=True, alpha=1.5, batch=True)",
     "hausdorff_dt(alpha: 1.5)", mf.case("", "", "mask", (2, 1, 4, 5, 6)),
     lambda x, t: monai_hausdorff(x, t, sigmoid=True, alpha=1.5, batch=True)),
    ("port_monai_log_hausdorff_softmax", "monai.losses.LogHausdorffDTLoss(softmax=True, to_onehot_y=True, alpha=1)",
     "log(hausdorff_dt(alpha: 1, include_background: false) + 1)", mf.case("", "", "labels", MC),
     labels_1(monai_hausdorff, softmax=True, to_onehot_y=True, alpha=1.0, log=True)),
    # MONAI SoftclDiceLoss, SoftDiceclDiceLoss
    ("port_monai_cldice", "monai.losses.SoftclDiceLoss(iter_=5)",
     "cldice(iter: 5, include_background: false)", mf.case("", "", "mask", mf.ML_12, "probs"),
     lambda x, t: monai_cldice(x, t, iter_=5)),
    ("port_monai_dice_cldice", "monai.losses.SoftDiceclDiceLoss(alpha=0.3, smooth=0.5)",
     "0.7 * dice(smooth: 0.5, include_background: false) + 0.3 * cldice(smooth: 0.5, include_background: false)",
     mf.case("", "", "mask", (2, 2, 12, 12), "probs"),
     lambda x, t: monai_cldice(x, t, smooth=0.5, alpha=0.3)),
    # MONAI TverskyLoss
    ("port_monai_tversky_sigmoid", "monai.losses.TverskyLoss(sigmoid=True, alpha=0.3, beta=0.7)",
     "tversky(alpha: 0.3, beta: 0.7, per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05)", mf.case("", "", "mask", ML),
     lambda x, t: monai_tversky(x, t, sigmoid=True, alpha=0.3, beta=0.7)),
    ("port_monai_tversky_softmax_batch", "monai.losses.TverskyLoss(to_onehot_y=True, softmax=True, batch=True)",
     "tversky(smooth_nr: 1e-05, smooth_dr: 1e-05)", mf.case("", "", "labels", MC),
     labels_1(monai_tversky, softmax=True, batch=True, **onehot)),
    # MONAI FocalLoss, DiceCELoss, DiceFocalLoss
    ("port_monai_focal_sigmoid", "monai.losses.FocalLoss()",
     "focal(alpha: -1)", mf.case("", "", "mask", ML),
     lambda x, t: monai_sigmoid_focal(x, t)),
    ("port_monai_focal_sigmoid_weight", "monai.losses.FocalLoss(weight=[0.5, 2.0, 1.0], gamma=1.5)",
     "focal(alpha: -1, gamma: 1.5, weight: [0.5, 2, 1])", mf.case("", "", "mask", ML),
     lambda x, t: monai_sigmoid_focal(x, t, gamma=1.5, weight=[0.5, 2.0, 1.0])),
    ("port_monai_focal_softmax", "monai.losses.FocalLoss(to_onehot_y=True, use_softmax=True, alpha=0.25)",
     "0.25 * focal(weight: [0.75, 0.25, 0.25, 0.25])", mf.case("", "", "labels", MC),
     lambda x, t: monai_softmax_focal(x, t, alpha=0.25)),
    ("port_monai_dice_ce_softmax", "monai.losses.DiceCELoss(to_onehot_y=True, softmax=True, lambda_dice=0.5)",
     "0.5 * dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05) + ce", mf.case("", "", "labels", MC),
     lambda x, t: monai_dice_ce(x, t, lambda_dice=0.5, softmax=True)),
    ("port_monai_dice_ce_raw", "monai.losses.DiceCELoss(to_onehot_y=True)",
     "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05, activation: none) + ce", mf.case("", "", "labels", MC),
     lambda x, t: monai_dice_ce(x, t)),
    ("port_monai_generalized_dice_other_act", "monai.losses.GeneralizedDiceLoss(to_onehot_y=True, other_act=torch.tanh)",
     "generalized_dice(eps: 0, smooth_nr: 1e-05, smooth_dr: 1e-05, per_image: true, activation: tanh)", mf.case("", "", "labels", MC),
     labels_1(monai_generalized_dice, other_act=torch.tanh, **onehot)),
    ("port_monai_dice_ce_sigmoid", "monai.losses.DiceCELoss(sigmoid=True)",
     "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05) + bce", mf.case("", "", "mask", B1),
     lambda x, t: monai_dice_ce(x, t, sigmoid=True)),
    ("port_monai_dice_focal_sigmoid", "monai.losses.DiceFocalLoss(sigmoid=True, gamma=1.5, lambda_focal=2)",
     "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05) + 2 * focal(alpha: -1, gamma: 1.5)", mf.case("", "", "mask", ML),
     lambda x, t: monai_dice_focal(x, t, gamma=1.5, lambda_focal=2.0, sigmoid=True)),
    # smp DiceLoss, JaccardLoss, TverskyLoss
    ("port_smp_dice_binary", "smp.losses.DiceLoss('binary')",
     "dice(smooth: 0, empty: zero, soft_label: true)", mf.case("", "", "mask", B1),
     lambda x, t: smp_dice("binary", x, t)),
    ("port_smp_dice_multilabel_log", "smp.losses.DiceLoss('multilabel', log_loss=True, smooth=1)",
     "dice(smooth: 2, log_loss: true, empty: zero, soft_label: true)", mf.case("", "", "mask", ML, pattern="empty_channel"),
     lambda x, t: smp_dice("multilabel", x, t, log_loss=True, smooth=1.0)),
    ("port_smp_dice_multiclass", "smp.losses.DiceLoss('multiclass')",
     "dice(smooth: 0, empty: zero)", mf.case("", "", "labels", MC, pattern="absent"),
     lambda x, t: smp_dice("multiclass", x, t)),
    ("port_smp_dice_multiclass_classes", "smp.losses.DiceLoss('multiclass', classes=[1, 2, 3])",
     "dice(smooth: 0, include_background: false, empty: zero)", mf.case("", "", "labels", MC),
     lambda x, t: smp_dice("multiclass", x, t, classes=[1, 2, 3])),
    ("port_smp_dice_multilabel_soft_target", "smp.losses.DiceLoss('multilabel', smooth=1)",
     "dice(smooth: 2, empty: zero, soft_label: true)", mf.case("", "", "mask", ML, pattern="soft"),
     lambda x, t: smp_dice("multilabel", x, t, smooth=1.0)),
    ("port_smp_jaccard_multiclass_log", "smp.losses.JaccardLoss('multiclass', log_loss=True)",
     "iou(smooth: 0, log_loss: true, empty: zero)", mf.case("", "", "labels", MC, pattern="absent"),
     lambda x, t: smp_jaccard("multiclass", x, t, log_loss=True)),
    ("port_smp_jaccard_binary_probs", "smp.losses.JaccardLoss('binary', from_logits=False, smooth=0.5)",
     "iou(smooth: 0.5, empty: zero, soft_label: true)", mf.case("", "", "mask", B1, "probs"),
     lambda x, t: smp_jaccard("binary", x, t, from_logits=False, smooth=0.5)),
    ("port_smp_tversky_multilabel", "smp.losses.TverskyLoss('multilabel', alpha=0.7, beta=0.3)",
     "tversky(alpha: 0.7, beta: 0.3, smooth: 0, empty: zero, soft_label: true)", mf.case("", "", "mask", ML, pattern="empty_channel"),
     lambda x, t: smp_tversky("multilabel", x, t, alpha=0.7, beta=0.3)),
    ("port_smp_tversky_focal", "smp.losses.TverskyLoss('multiclass', gamma=0.75)",
     "pow(tversky(smooth: 0, empty: zero), 0.75)", mf.case("", "", "labels", MC),
     lambda x, t: smp_tversky("multiclass", x, t, gamma=0.75)),
    ("port_smp_focal_binary", "smp.losses.FocalLoss('binary')",
     "focal(alpha: -1)", mf.case("", "", "mask", B1),
     lambda x, t: smp_focal("binary", x, t)),
    ("port_smp_focal_multilabel", "smp.losses.FocalLoss('multilabel', alpha=0.25, gamma=1)",
     "focal(gamma: 1)", mf.case("", "", "mask", ML),
     lambda x, t: smp_focal("multilabel", x, t, alpha=0.25, gamma=1.0)),
    ("port_smp_soft_bce_pos_weight", "smp.losses.SoftBCEWithLogitsLoss(pos_weight=torch.tensor([2.0]))",
     "bce(pos_weight: 2)", mf.case("", "", "mask", B1),
     lambda x, t: smp_soft_bce(x, t, pos_weight=torch.tensor([2.0]))),
    ("port_smp_soft_bce_smooth_factor", "smp.losses.SoftBCEWithLogitsLoss(smooth_factor=0.1, pos_weight=torch.tensor([3.0]))",
     "bce(pos_weight: 3, label_smoothing: 0.2)", mf.case("", "", "mask", ML),
     lambda x, t: smp_soft_bce(x, t, pos_weight=torch.tensor([3.0]), smooth_factor=0.1)),
    # ignore_index on a mask: the peer reads MASK_IGNORE where LossDsl's per-channel valid mask is 0 (and the target 0)
    ("port_smp_dice_multilabel_ignore", "smp.losses.DiceLoss('multilabel', ignore_index=255)",
     "dice(smooth: 0, empty: zero, soft_label: true)", mf.case("", "", "mask", ML, valid="channel"),
     lambda x, t: smp_dice("multilabel", x, t, ignore_index=MASK_IGNORE)),
    ("port_smp_jaccard_binary_ignore", "smp.losses.JaccardLoss('binary', smooth=1, ignore_index=255)",
     "iou(smooth: 1, empty: zero, soft_label: true)", mf.case("", "", "mask", B1, valid="channel"),
     lambda x, t: smp_jaccard("binary", x, t, smooth=1.0, ignore_index=MASK_IGNORE)),
    ("port_smp_focal_multilabel_ignore", "smp.losses.FocalLoss('multilabel', ignore_index=255)",
     "focal(alpha: -1)", mf.case("", "", "mask", ML, valid="channel"),
     lambda x, t: smp_focal("multilabel", x, t, ignore_index=MASK_IGNORE)),
    ("port_smp_soft_bce_ignore", "smp.losses.SoftBCEWithLogitsLoss(smooth_factor=0.1, ignore_index=255)",
     "bce(label_smoothing: 0.2, mean_over: all)", mf.case("", "", "mask", ML, valid="channel"),
     lambda x, t: smp_soft_bce(x, t, smooth_factor=0.1, ignore_index=MASK_IGNORE)),
    ("port_smp_soft_ce", "smp.losses.SoftCrossEntropyLoss(smooth_factor=0.1)",
     "ce(label_smoothing: 0.1)", mf.case("", "", "labels", MC),
     lambda x, t: smp_soft_ce(x, t, 0.1)),
    ("port_smp_soft_ce_ignore", "smp.losses.SoftCrossEntropyLoss(smooth_factor=0.1, ignore_index=255)",
     "ce(label_smoothing: 0.1, mean_over: all)", mf.case("", "", "labels", MC, ignore_index=255, pattern="ignore"),
     lambda x, t: smp_soft_ce(x, t, 0.1, ignore_index=255)),
    ("port_smp_mcc", "smp.losses.MCCLoss()",
     "mcc", mf.case("", "", "mask", B1, "probs"),
     lambda x, t: smp_mcc(x, t)),
    # kornia
    ("port_kornia_dice_micro", "kornia.losses.dice_loss(pred, target)",
     "dice(per_image: true, smooth_nr: 0, smooth_dr: 1e-08, average: micro)", mf.case("", "", "labels", MC),
     lambda x, t: kornia_dice(x, t)),
    ("port_kornia_dice_macro_weight", "kornia.losses.dice_loss(pred, target, average='macro', weight=torch.tensor([0.5, 1, 2, 1]))",
     "dice(per_image: true, weight: [0.5, 1, 2, 1], smooth_nr: 0, smooth_dr: 1e-08)", mf.case("", "", "labels", MC, pattern="absent"),
     lambda x, t: kornia_dice(x, t, average="macro", weight=[0.5, 1.0, 2.0, 1.0])),
    ("port_kornia_focal", "kornia.losses.focal_loss(pred, target, alpha=0.25, reduction='mean')",
     "0.25 * focal(weight: [0.75, 0.25, 0.25, 0.25])", mf.case("", "", "labels", MC),
     lambda x, t: kornia_focal(x, t, 0.25)),
    ("port_kornia_binary_focal", "kornia.losses.binary_focal_loss_with_logits(pred, target, reduction='mean')",
     "focal", mf.case("", "", "mask", B1),
     lambda x, t: kornia_binary_focal(x, t)),
    ("port_kornia_binary_focal_weight", "kornia.losses.binary_focal_loss_with_logits(pred, target, alpha=None, gamma=1.5, reduction='mean', weight=torch.tensor([0.5, 2.0, 1.0]))",
     "focal(alpha: -1, gamma: 1.5, weight: [0.5, 2, 1])", mf.case("", "", "mask", ML),
     lambda x, t: kornia_binary_focal(x, t, alpha=None, gamma=1.5, weight=[0.5, 2.0, 1.0])),
    ("port_kornia_tversky", "kornia.losses.tversky_loss(pred, target, alpha=0.4, beta=0.6)",
     "tversky(alpha: 0.4, beta: 0.6, per_image: true, smooth_nr: 0, smooth_dr: 1e-08, average: micro)", mf.case("", "", "labels", MC),
     lambda x, t: kornia_tversky(x, t, 0.4, 0.6)),
    ("port_kornia_ssim_loss", "kornia.losses.ssim_loss(img1, img2, 5)",
     "0.5 * ssim(window: 5, border: reflect, eps: 1e-12)", mf.case("", "", "mask", mf.ML_12, "probs", pattern="soft"),
     lambda x, t: kornia_ssim_loss(x, t, 5)),
    ("port_kornia_ssim_loss_valid", "kornia.losses.SSIMLoss(7, padding='valid')",
     "0.5 * ssim(window: 7, border: valid, eps: 1e-12)", mf.case("", "", "mask", mf.B1_12, "probs"),
     lambda x, t: kornia_ssim_loss(x, t, 7, padding="valid")),
    ("port_monai_ssim", "monai.losses.SSIMLoss(spatial_dims=2, win_size=7)",
     "ssim(window: 7, border: valid)", mf.case("", "", "mask", mf.ML_12, "probs", pattern="soft"),
     lambda x, t: monai_ssim_loss(x, t, win_size=7)),
    ("port_monai_ssim_k", "monai.losses.SSIMLoss(spatial_dims=2, kernel_sigma=1.0, k1=0.02, k2=0.05)",
     "ssim(sigma: 1, k1: 0.02, k2: 0.05, border: valid)", mf.case("", "", "mask", (2, 1, 16, 16), "probs"),
     lambda x, t: monai_ssim_loss(x, t, kernel_sigma=1.0, k1=0.02, k2=0.05)),
    # torchvision
    ("port_torchvision_sigmoid_focal", "torchvision.ops.sigmoid_focal_loss(inputs, targets, reduction='mean')",
     "focal", mf.case("", "", "mask", ML),
     # make_fixtures.py's self-checks hold LOSSES.md's mask focal to this same formula, torchvision's.
     lambda x, t: mf.torchvision_style_focal(x, t, 0.25, 2.0)),
]


# ----------------------------------------------------------------------------------------------------------
# MONAI's own test cases (tests/losses/test_dice_loss.py, test_generalized_dice_loss.py, test_tversky_loss.py): their
# literal inputs and expected values (6 decimals, from float32 runs). The peer port above must give each expected value
# to MONAI's own tolerance (rtol 1e-5), which checks the port against MONAI itself; the fixture then stores the port's float64 value and gradient.
# ----------------------------------------------------------------------------------------------------------

T = torch.tensor
X1 = T([[[[1.0, -1.0], [-1.0, 1.0]]]])
Y1 = T([[[[1.0, 0.0], [1.0, 1.0]]]])
X2 = T([[[[1.0, -1.0], [-1.0, 1.0]]], [[[1.0, -1.0], [-1.0, 1.0]]]])
Y2 = T([[[[1.0, 1.0], [1.0, 1.0]]], [[[1.0, 0.0], [1.0, 0.0]]]])
SOFT = T([[[[0.3, 0.4], [0.7, 0.9]]], [[[1.0, 0.1], [0.5, 0.3]]]])
ONE_HOT_X = T([[[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]])
ONE_HOT_Y = T([[0, 0, 1], [0, 1, 0]])
LOGITS_3 = T([[[-1.0, 0.0, 1.0], [1.0, 0.0, -1.0]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]])
LABELS_3 = T([[1, 0, 0], [1, 1, 0]])
MASK_3 = F.one_hot(LABELS_3, 2).movedim(-1, 1).to(torch.float64)  # to_onehot_y with sigmoid: a one-hot mask
on_labels = lambda fn, **kw: (lambda x, t: fn(x, t.unsqueeze(1), to_onehot_y=True, **kw))

# name, MONAI's test, LossDsl text, pred, target, input kind, target kind, MONAI's expected value, the peer port
LITERAL = [
    ("port_monai_test_dice_1", "test_dice_loss.py case 1", "dice(per_image: true, smooth_nr: 1e-06, smooth_dr: 1e-06)", X1, Y1, "logits", "mask", 0.307576,
     lambda x, t: monai_dice(x, t, sigmoid=True, smooth_nr=1e-6, smooth_dr=1e-6)),
    ("port_monai_test_dice_2", "test_dice_loss.py case 2", "dice(per_image: true, smooth_nr: 0.0001, smooth_dr: 0.0001)", X2, Y2, "logits", "mask", 0.416657,
     lambda x, t: monai_dice(x, t, sigmoid=True, smooth_nr=1e-4, smooth_dr=1e-4)),
    ("port_monai_test_dice_soft_target", "test_dice_loss.py case 4", "dice(per_image: true, smooth_nr: 0.0001, smooth_dr: 0.0001)", SOFT, SOFT, "probs", "mask", 0.307773,
     lambda x, t: monai_dice(x, t, smooth_nr=1e-4, smooth_dr=1e-4)),
    ("port_monai_test_dice_no_background", "test_dice_loss.py case 5", "dice(per_image: true, include_background: false, smooth_nr: 0, smooth_dr: 0)",
     ONE_HOT_X, ONE_HOT_Y, "probs", "labels", 0.0, on_labels(monai_dice, include_background=False, smooth_nr=0.0, smooth_dr=0.0)),
    ("port_monai_test_dice_sigmoid_one_hot", "test_dice_loss.py case 6", "dice(per_image: true, smooth_nr: 0.0001, smooth_dr: 0.0001)", LOGITS_3, MASK_3, "logits", "mask", 0.435050,
     lambda x, t: monai_dice(x, t, sigmoid=True, smooth_nr=1e-4, smooth_dr=1e-4)),
    ("port_monai_test_dice_softmax", "test_dice_loss.py case 8", "dice(per_image: true, smooth_nr: 0.0001, smooth_dr: 0.0001)", LOGITS_3, LABELS_3, "logits", "labels", 0.383713,
     on_labels(monai_dice, softmax=True, smooth_nr=1e-4, smooth_dr=1e-4)),
    ("port_monai_test_dice_squared_pred", "test_dice_loss.py case 11", "dice(per_image: true, smooth_nr: 1e-05, smooth_dr: 1e-05, squared_pred: true)", X1, Y1, "logits", "mask", 0.178337,
     lambda x, t: monai_dice(x, t, sigmoid=True, squared_pred=True)),
    ("port_monai_test_dice_jaccard", "test_dice_loss.py case 12", "iou(per_image: true, smooth_nr: 5e-06, smooth_dr: 5e-06)", X1, Y1, "logits", "mask", 0.470451,
     lambda x, t: monai_dice(x, t, sigmoid=True, jaccard=True)),
    ("port_monai_test_generalized_dice_2", "test_generalized_dice_loss.py case 2",
     "generalized_dice(eps: 0, smooth_nr: 0.0001, smooth_dr: 0.0001, per_image: true, include_background: false)", X2, Y2, "logits", "mask", 0.416597,
     lambda x, t: monai_generalized_dice(x, t, sigmoid=True, smooth_nr=1e-4, smooth_dr=1e-4)),
    ("port_monai_test_generalized_dice_soft_target", "test_generalized_dice_loss.py case 4",
     "generalized_dice(eps: 0, smooth_nr: 0.0001, smooth_dr: 0.0001, per_image: true, include_background: false)", SOFT, SOFT, "probs", "mask", 0.307748,
     lambda x, t: monai_generalized_dice(x, t, smooth_nr=1e-4, smooth_dr=1e-4)),
    ("port_monai_test_generalized_dice_softmax", "test_generalized_dice_loss.py case 7",
     "generalized_dice(eps: 0, smooth_nr: 0.0001, smooth_dr: 0.0001, per_image: true)", LOGITS_3, LABELS_3, "logits", "labels", 0.414507,
     on_labels(monai_generalized_dice, softmax=True, smooth_nr=1e-4, smooth_dr=1e-4)),
    ("port_monai_test_generalized_dice_empty_target", "test_generalized_dice_loss.py case 10",
     "generalized_dice(eps: 0, smooth_nr: 1e-08, smooth_dr: 1e-08, per_image: true, include_background: false)", ONE_HOT_X, T([[0, 0, 0], [0, 0, 0]]), "probs", "labels", 0.0,
     on_labels(monai_generalized_dice, include_background=False, smooth_nr=1e-8, smooth_dr=1e-8)),
    ("port_monai_test_generalized_dice_simple", "test_generalized_dice_loss.py case 12",
     "generalized_dice(eps: 0, smooth_nr: 0, smooth_dr: 0, per_image: true, weight_type: simple)", T([[[0.0, 10.0, 10.0, 10.0], [10.0, 0.0, 0.0, 0.0]]]), T([[1, 1, 0, 0]]),
     "logits", "labels", 0.250023, on_labels(monai_generalized_dice, softmax=True, w_type="simple", smooth_nr=0.0, smooth_dr=0.0)),
    ("port_monai_test_tversky_smooth_dr", "test_tversky_loss.py case 6", "tversky(per_image: true, include_background: false, smooth_nr: 0, smooth_dr: 0.001)",
     ONE_HOT_X, ONE_HOT_Y, "probs", "labels", 0.000999, on_labels(monai_tversky, include_background=False, smooth_nr=0.0, smooth_dr=1e-3)),
    ("port_monai_test_tversky_batch", "test_tversky_loss.py case 8", "tversky(smooth_nr: 1e-05, smooth_dr: 1e-05)", LOGITS_3, MASK_3, "logits", "mask", 0.422979,
     lambda x, t: monai_tversky(x, t, sigmoid=True, batch=True)),
]


def write(name, record):
    with open(os.path.join(mf.OUT_DIR, name + ".json"), "w", encoding="utf-8", newline="\n") as f:
        f.write("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in record.items()) + "\n}\n")


def check_reproduces(name, loss, peer, total, expected, grad, expected_grad):
    value_error = abs(float(total) - float(expected)) / max(1.0, abs(float(expected)))
    grad_error = float((grad - expected_grad).abs().max()) / max(1.0, float(expected_grad.abs().max()))
    if value_error > 1e-12 or grad_error > 1e-12:
        raise AssertionError(f"{name}: '{loss}' does not reproduce {peer}: value {float(total)!r} vs {float(expected)!r}, gradient off by {grad_error:.2e}")
    return value_error, grad_error


def write_literal_cases():
    for name, test, loss, pred, target, input_kind, target_kind, monai_expected, peer_fn in LITERAL:
        x = pred.clone().requires_grad_(True)
        expected = peer_fn(x, target)
        expected.backward()
        # MONAI's tests assert rtol 1e-5 (they run in float32, and print 6 decimals); the same here, plus 1e-6 for 0.
        if abs(float(expected) - monai_expected) > 1e-5 * abs(monai_expected) + 1e-6:
            raise AssertionError(f"{name}: the MONAI port gives {float(expected):.7f}, MONAI's {test} expects {monai_expected}")
        total, terms, grad, unreduced = mf.compute(loss, pred, target, input_kind, target_kind, None)
        check_reproduces(name, loss, test, total, expected, grad, x.grad)
        write(name, {
            "name": name, "peer": f"MONAI {test}", "peer_expected": monai_expected, "loss": loss, "input_kind": input_kind, "target_kind": target_kind,
            "classes": int(pred.shape[1]), "ignore_index": None, "pred": mf.tensor_json(pred), "target": mf.tensor_json(target, integers=target_kind == "labels"),
            "total": float(expected), "terms": {k: float(v) for k, v in terms.items()}, "grad": mf.tensor_json(x.grad),
            "unreduced": {k: mf.tensor_json(v) for k, v in unreduced.items()},
        })
        print(f"{name}: {float(expected):.7f} (MONAI's test: {monai_expected})")


def main():
    out_dir = mf.OUT_DIR
    for stale in os.listdir(out_dir):
        if stale.startswith("port_") and stale.endswith(".json"):
            os.remove(os.path.join(out_dir, stale))
    for name, peer, loss, spec, peer_fn in PORTS:
        spec = dict(spec, name=name, loss=loss)
        (pred,), target, valid, _ = mf.make_inputs(spec)
        # A peer's ignore_index on a mask is LossDsl's valid mask (the contract has no ignore index on a mask).
        peer_target = target if valid is None else torch.where(valid.expand_as(target) == 0, torch.full_like(target, MASK_IGNORE), target)
        x = pred.clone().requires_grad_(True)
        expected = peer_fn(x, peer_target)
        expected.backward()
        total, _, grad, _ = mf.compute(loss, pred, target, spec["input_kind"], spec["target_kind"], spec["ignore_index"], valid)
        value_error, grad_error = check_reproduces(name, loss, peer, total, expected, grad, x.grad)
        record = json.loads(mf.fixture_json(spec))
        record = {"name": name, "peer": peer, **{k: v for k, v in record.items() if k != "name"}}
        record["total"] = float(expected)
        record["grad"] = mf.tensor_json(x.grad)
        write(name, record)
        print(f"{name}: {float(expected):.12f} (contract {value_error:.1e}, gradient {grad_error:.1e})")
    write_literal_cases()
    print(f"{len(PORTS)} porting fixtures and {len(LITERAL)} of MONAI's test cases in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
