#!/usr/bin/python3
"""Independent reference values for LossDsl's numeric contract (LOSSES.md).

Every primitive of LOSSES.md is implemented again here in PyTorch, float64, straight from the formulas
(not from LossDsl's C# code). Each fixture is a DSL loss text, small deterministic inputs, the value of
every term, the total, and d total / d pred by autograd. Files go to tests/LossDsl.Tests/Fixtures/<name>.json
in the format of FIXTURES.md. Before writing anything, self-checks compare several primitives with a
second, differently written computation and stop on any mismatch.

Run with Debian's python (PyTorch 1.13 from python3-torch):
    /usr/bin/python3 tests/reference/make_fixtures.py
"""

import copy
import json
import math
import os
import re
import sys
import zlib

import torch
import torch.nn.functional as F

torch.set_num_threads(1)  # one reduction order, so two runs write identical files
torch.set_default_dtype(torch.float64)

OUT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "LossDsl.Tests", "Fixtures"))
LOG_FLOOR = -100.0  # log p of a probability input is clamped here, as PyTorch's BCELoss does
BOUNDARY_EPS = 1e-7
ACTIVE_CONTOUR_EPS = 1e-8
SSIM_C1 = 0.01 ** 2
SSIM_C2 = 0.03 ** 2


# ----------------------------------------------------------------------------------------------------------
# Inputs in kernel form
# ----------------------------------------------------------------------------------------------------------

class Batch:
    """pred, target and everything the primitives derive from them: p, t (one-hot for labels), valid, the pixel
    weights w (1 without a weight map), logs. valid_mask and pixel_weight are the declared per-pixel inputs of
    LOSSES.md "Beyond pred and target": [N, 1 or C, *spatial] beside a mask, [N, *spatial] beside labels."""

    def __init__(self, pred, target, input_kind, target_kind, ignore_index, valid_mask=None, pixel_weight=None):
        self.pred = pred
        self.input_kind = input_kind
        self.target_kind = target_kind
        self.ignore_index = ignore_index
        self.classes = pred.shape[1]
        self.spatial = tuple(range(2, pred.dim()))
        self.unreduced = None  # set by a pixel or region term to its values before reduction
        if target_kind == "mask":
            self.t = target
            self.valid = torch.ones_like(pred) if valid_mask is None else valid_mask.to(pred.dtype).expand_as(pred)
            self.w = torch.ones_like(pred) if pixel_weight is None else pixel_weight.to(pred.dtype).expand_as(pred)
            self.labels = None
        else:
            valid_pixels = torch.ones_like(target, dtype=torch.bool) if ignore_index is None else target != ignore_index
            if valid_mask is not None:
                valid_pixels = valid_pixels & valid_mask.bool()
            self.labels = torch.where(valid_pixels, target, torch.zeros_like(target))  # any class; masked below
            self.valid_pixels = valid_pixels.to(pred.dtype)
            self.valid = self.valid_pixels.unsqueeze(1).expand_as(pred)
            self.w_pixels = torch.ones_like(self.valid_pixels) if pixel_weight is None else pixel_weight.to(pred.dtype)
            self.w = self.w_pixels.unsqueeze(1).expand_as(pred)
            self.t = F.one_hot(self.labels, self.classes).movedim(-1, 1).to(pred.dtype) * self.valid

        if input_kind == "logits":
            if target_kind == "mask":
                self.p = torch.sigmoid(pred)
                self.log_p = F.logsigmoid(pred)
                self.log_1mp = F.logsigmoid(-pred)
            else:
                self.p = torch.softmax(pred, 1)
                self.log_p = torch.log_softmax(pred, 1)
        elif input_kind == "log_probs":
            # Log-probabilities read as given (nll_loss); the other terms read p = exp(pred).
            self.p = torch.exp(pred)
            self.log_p = pred
            if target_kind == "mask":
                self.log_1mp = torch.clamp(torch.log(1 - self.p), min=LOG_FLOOR)
        else:
            self.p = pred
            self.log_p = torch.clamp(torch.log(pred), min=LOG_FLOOR)
            if target_kind == "mask":
                self.log_1mp = torch.clamp(torch.log(1 - pred), min=LOG_FLOOR)

    def activated(self, activation):
        """The batch a region term with this activation reads: p replaced (MONAI's sigmoid, softmax, other_act)."""
        if activation == "auto":
            return self
        other = copy.copy(self)
        other.p = {"none": lambda x: x, "sigmoid": torch.sigmoid, "softmax": lambda x: torch.softmax(x, 1), "tanh": torch.tanh}[activation](self.pred)
        return other

    @property
    def valid_count(self):
        return self.valid.sum()


def safe_divide(numerator, denominator, when_zero):
    """numerator / denominator, and the constant `when_zero` (no gradient) where the denominator is 0."""
    zero = denominator == 0
    return torch.where(zero, torch.full_like(numerator, when_zero), numerator / torch.where(zero, torch.ones_like(denominator), denominator))


def mean_over_valid(values, batch):
    """Sum over valid elements, each times its pixel weight, / their number (unweighted); 0 with zero gradient when
    nothing is valid. The weighted elements are the term's unreduced values."""
    batch.unreduced = values * batch.valid * batch.w
    return safe_divide(batch.unreduced.sum(), batch.valid_count, 0.0)


# ----------------------------------------------------------------------------------------------------------
# Region statistics and region losses
# ----------------------------------------------------------------------------------------------------------

def region_statistics(batch, per_image):
    dims = batch.spatial if per_image else (0,) + batch.spatial
    scale = batch.valid * batch.w
    pv = batch.p * scale
    tv = batch.t * scale
    return (pv * batch.t).sum(dims), pv.sum(dims), tv.sum(dims)


def reduce_channels(per_channel, weight, include_background):
    """Channel mean (or Σ w_c L_c / Σ w_c), then mean over images when per_image ([N, C] input)."""
    if not include_background:
        if per_channel.shape[-1] < 2:
            raise ValueError("include_background: false on one channel")
        per_channel = per_channel[..., 1:]
        weight = None if weight is None else weight[1:]
    if weight is None:
        return per_channel.mean()
    w = torch.tensor(weight)
    return ((per_channel * w).sum(-1) / w.sum()).mean()


LOG_LOSS_FLOOR = 1e-7  # smp's eps: log_loss takes -log(max(score, 1e-7))


def overlap_loss(batch, args, ratio_of):
    """dice, iou, tversky: a per-channel score numerator / denominator from TP, P, T (summed over the classes with
    average: micro), smoothed by smooth_nr and smooth_dr (each smooth unless given); the loss 1 - score or -log(score);
    with empty: zero, 0 where the channel's T is 0; then the channel reduction."""
    tp, p, t = region_statistics(batch, args["per_image"])
    if args["soft_label"]:
        # The overlap of soft labels: (Σp + Σt − Σ|p − t|) / 2, weighted as the statistics are.
        dims = batch.spatial if args["per_image"] else (0,) + batch.spatial
        tp = (p + t - ((batch.p - batch.t).abs() * batch.valid * batch.w).sum(dims)) / 2
    if args.get("squared_pred"):
        # V-Net's denominator sums, weighted as the statistics are.
        dims = batch.spatial if args["per_image"] else (0,) + batch.spatial
        scale = batch.valid * batch.w
        p, t = (batch.p ** 2 * scale).sum(dims), (batch.t ** 2 * scale).sum(dims)
    if args["average"] == "micro":
        tp, p, t = tp.sum(-1, keepdim=True), p.sum(-1, keepdim=True), t.sum(-1, keepdim=True)
    s_nr = args["smooth"] if args["smooth_nr"] is None else args["smooth_nr"]
    s_dr = args["smooth"] if args["smooth_dr"] is None else args["smooth_dr"]
    numerator, denominator = ratio_of(tp, p, t)
    # A 0/0 ratio (smooth 0 and nothing in the channel) is perfect agreement: L_c = 0, no gradient.
    score = safe_divide(numerator + s_nr, denominator + s_dr, 1.0)
    per_channel = -torch.log(torch.clamp(score, min=LOG_LOSS_FLOOR)) if args["log_loss"] else 1 - score
    if args["empty"] == "zero":
        per_channel = torch.where(t == 0, torch.zeros_like(per_channel), per_channel)
    if args.get("gamma", 1.0) != 1.0:
        # Focal Tversky (Abraham and Khan 2019), per channel: max(L_c, 0)^γ, 0 with no gradient where L_c <= 0.
        positive = per_channel > 0
        base = torch.where(positive, per_channel, torch.ones_like(per_channel))
        per_channel = torch.where(positive, base ** args["gamma"], torch.zeros_like(per_channel))
    batch.unreduced = per_channel
    return reduce_channels(per_channel, args["weight"], args["include_background"])


def with_activation(term):
    """A region term on the probabilities its activation gives; its unreduced values reported on the caller's batch."""
    def run(batch, args):
        reading = batch.activated(args["activation"])
        value = term(reading, args)
        batch.unreduced = reading.unreduced
        return value
    return run


@with_activation
def dice(batch, args):
    return overlap_loss(batch, args, lambda tp, p, t: (2 * tp, p + t))


@with_activation
def iou(batch, args):
    return overlap_loss(batch, args, lambda tp, p, t: (tp, p + t - tp))


@with_activation
def tversky(batch, args):
    alpha, beta = args["alpha"], args["beta"]
    return overlap_loss(batch, args, lambda tp, p, t: (tp, tp + alpha * (p - tp) + beta * (t - tp)))


def mcc(batch, args):
    """1 − Matthews correlation per channel from the four confusion sums over valid elements, each plus smooth (smp's
    MCCLoss adds its eps the same way), then the channel reduction; a channel with no valid element counts 0."""
    s = args["smooth"]
    dims = batch.spatial if args["per_image"] else (0,) + batch.spatial
    # Weighted sums; a channel whose weighted sums are all 0 (nothing kept, or only weight 0) counts 0.
    p, t, v = batch.p, batch.t, batch.valid * batch.w
    tp = (p * t * v).sum(dims) + s
    tn = ((1 - p) * (1 - t) * v).sum(dims) + s
    fp = (p * (1 - t) * v).sum(dims) + s
    fn = ((1 - p) * t * v).sum(dims) + s
    correlation = (tp * tn - fp * fn) / torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    any_valid = v.expand_as(p).sum(dims) > 0
    per_channel = torch.where(any_valid, 1 - correlation, torch.zeros_like(correlation))
    batch.unreduced = per_channel
    return reduce_channels(per_channel, args["weight"], args["include_background"])


@with_activation
def generalized_dice(batch, args):
    """One value per image (per_image) or for the batch: 1 - (2 Σ_c w_c TP_c + s_nr) / (Σ_c w_c (P_c + T_c) + s_dr),
    w_c = 1 / (T_c^k + eps), k = 2 (square), 1 (simple); 1 (uniform). An infinite weight (eps 0, T_c = 0) is the
    largest finite weight along the classes, 0 if none (MONAI). A one-channel mask is background and foreground;
    include_background: false drops channel 0 (there, the added background). soft_label: TP_c is the overlap of soft
    labels, (P_c + T_c − Σ|p − t|) / 2 (MONAI's soft_label)."""
    p, t, valid = batch.p, batch.t, batch.valid * batch.w
    if batch.target_kind == "mask" and batch.classes == 1:
        p, t, valid = torch.cat([1 - p, p], 1), torch.cat([1 - t, t], 1), torch.cat([valid, valid], 1)
    if not args["include_background"]:
        p, t, valid = p[:, 1:], t[:, 1:], valid[:, 1:]
    dims = batch.spatial if args["per_image"] else (0,) + batch.spatial
    psum = (p * valid).sum(dims)
    tsum = (t * valid).sum(dims)
    tp = (psum + tsum - ((p - t).abs() * valid).sum(dims)) / 2 if args["soft_label"] else (p * t * valid).sum(dims)
    k = {"square": 2, "simple": 1, "uniform": 0}[args["weight_type"]]
    if k == 0:
        w = torch.ones_like(tsum)
    else:
        w = 1 / (tsum.detach() ** k + args["eps"])
        infinite = torch.isinf(w)
        finite = torch.where(infinite, torch.zeros_like(w), w)
        w = torch.where(infinite, finite.amax(-1, keepdim=True).expand_as(w), finite)
    numerator = 2 * (w * tp).sum(-1) + args["smooth_nr"]
    denominator = (w * (psum + tsum)).sum(-1) + args["smooth_dr"]
    # A denominator of 0 (nothing valid, or every weight 0 and no smoothing): the loss is 0 with no gradient.
    return (1 - safe_divide(numerator, denominator, 1.0)).mean()


def sensitivity_specificity(batch, args):
    lam, s = args["lambda"], args["smooth"]
    dims = (0,) + batch.spatial
    t = batch.t
    scale = batch.valid * batch.w
    squared = (t - batch.p) ** 2 * scale
    t_sum = (t * scale).sum(dims)
    valid_per_channel = scale.sum(dims)
    sensitivity = safe_divide((squared * t).sum(dims), t_sum + s, 0.0)
    specificity = safe_divide((squared * (1 - t)).sum(dims), valid_per_channel - t_sum + s, 0.0)
    batch.unreduced = lam * sensitivity + (1 - lam) * specificity
    return batch.unreduced.mean()


# ----------------------------------------------------------------------------------------------------------
# Pixel losses
# ----------------------------------------------------------------------------------------------------------

def bce(batch, args):
    t = batch.t
    w = args["pos_weight"]
    if w == "auto":
        positives = (t * batch.valid).sum()
        w = ((batch.valid_count - positives) / torch.clamp(positives, min=1.0)).detach()
    eps = args.get("label_smoothing", 0.0)
    t = t * (1 - eps) + eps / 2  # Keras's binary label smoothing; auto counts the target as given
    loss = -(w * t * batch.log_p + (1 - t) * batch.log_1mp)
    if args.get("mean_over") == "all":
        # smp's SoftBCEWithLogitsLoss with an ignore index: left-out elements are 0 and still counted.
        batch.unreduced = loss * batch.valid * batch.w
        return batch.unreduced.sum() / max(batch.unreduced.numel(), 1)
    return mean_over_valid(loss, batch)


def ce(batch, args):
    c = batch.classes
    weight = torch.ones(c) if args["weight"] is None else torch.tensor(args["weight"])
    eps = args["label_smoothing"]
    y = batch.labels.unsqueeze(1)
    nll = -batch.log_p.gather(1, y).squeeze(1)
    w_y = weight[batch.labels]
    smooth = -(batch.log_p * weight.view((1, c) + (1,) * len(batch.spatial))).sum(1)
    per_pixel = (1 - eps) * w_y * nll + (eps / c) * smooth
    v = batch.valid_pixels
    # The pixel weights multiply the numerator only: the denominator stays Σ valid·w_y (LOSSES.md).
    batch.unreduced = per_pixel * v * batch.w_pixels
    if args.get("mean_over") == "all":
        # mmseg's default and smp's SoftCrossEntropyLoss: over every pixel, left-out ones included, weights as they are.
        return batch.unreduced.sum() / max(batch.unreduced.numel(), 1)
    return safe_divide(batch.unreduced.sum(), (w_y * v).sum(), 0.0)


def topk(batch, args):
    """nnU-Net's TopKLoss: the mean of the k % largest per-pixel losses (bce per element of a mask, ce per pixel of
    labels) among the kept ones of the whole batch, max(1, floor(n·k/100)) of them; 0 when none is kept."""
    if batch.target_kind == "mask":
        values = -(batch.t * batch.log_p + (1 - batch.t) * batch.log_1mp)
        kept = batch.valid > 0
    else:
        values = -batch.log_p.gather(1, batch.labels.unsqueeze(1)).squeeze(1)
        kept = batch.valid_pixels > 0
    selected = values[kept]
    n = selected.numel()
    if n == 0:
        return values.sum() * 0
    count = max(1, math.floor(n * args["k"] / 100))
    return torch.topk(selected, count).values.mean()


def ohem(batch, args):
    """mmseg's OHEMPixelSampler with its CrossEntropyLoss: with thresh, the kept pixels whose true-class probability
    is below max(thresh, the (min_kept·N)-th smallest such probability, or the largest when fewer); without, the
    min_kept·N largest per-pixel losses. The sum of their cross-entropies over the kept pixels (mmseg's
    avg_non_ignore) or over every pixel (mean_over: all, mmseg's default); 0 when the count is 0."""
    labels = batch.labels
    kept = batch.valid_pixels > 0
    ce_pixel = -batch.log_p.gather(1, labels.unsqueeze(1)).squeeze(1)
    batch_kept = int(args["min_kept"]) * labels.shape[0]
    with torch.no_grad():
        weight = torch.zeros_like(ce_pixel)
        kept_weight = weight[kept]
        if args["thresh"] != "none":
            p_y = batch.p.gather(1, labels.unsqueeze(1)).squeeze(1)[kept]
            sorted_p = p_y.sort().values
            minimum = sorted_p[min(batch_kept, sorted_p.numel() - 1)] if sorted_p.numel() > 0 else 0.0
            kept_weight[p_y < max(float(minimum), args["thresh"])] = 1.0
        else:
            order = ce_pixel[kept].sort(descending=True).indices
            kept_weight[order[:batch_kept]] = 1.0
        weight[kept] = kept_weight
    count = torch.tensor(float(labels.numel())) if args["mean_over"] == "all" else kept.sum().to(ce_pixel.dtype)
    return safe_divide((ce_pixel * weight).sum(), count, 0.0)


def modulating(one_minus, gamma):
    # (1 - p_t)^0 is 1 everywhere, with no gradient, also where 1 - p_t = 0.
    return torch.ones_like(one_minus) if gamma == 0 else one_minus ** gamma


def focal_mask(batch, args):
    alpha, gamma = args["alpha"], args["gamma"]
    t, p = batch.t, batch.p
    ce_el = -(t * batch.log_p + (1 - t) * batch.log_1mp)
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce_el * modulating(1 - p_t, gamma)
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    if args.get("weight") is not None:
        # MONAI's weight on the sigmoid form: each channel's elements times w_c, the mean over every element kept.
        loss = loss * torch.tensor(args["weight"]).view((1, -1) + (1,) * len(batch.spatial))
    return mean_over_valid(loss, batch)


def focal_labels(batch, args):
    gamma = args["gamma"]
    y = batch.labels.unsqueeze(1)
    log_p_y = batch.log_p.gather(1, y).squeeze(1)
    p_y = batch.p.gather(1, y).squeeze(1)
    w_y = 1.0 if args["weight"] is None else torch.tensor(args["weight"])[batch.labels]
    per_pixel = w_y * modulating(1 - p_y, gamma) * (-log_p_y)
    v = batch.valid_pixels
    batch.unreduced = per_pixel * v * batch.w_pixels
    return safe_divide(batch.unreduced.sum(), v.sum(), 0.0)


def focal(batch, args):
    return focal_mask(batch, args) if batch.target_kind == "mask" else focal_labels(batch, args)


# ----------------------------------------------------------------------------------------------------------
# Structure losses
# ----------------------------------------------------------------------------------------------------------

def gaussian_1d(window, sigma):
    offsets = torch.arange(window, dtype=torch.float64) - window // 2
    g = torch.exp(-offsets ** 2 / (2 * sigma ** 2))
    return g / g.sum()


def gaussian_kernel(window, sigma, rank):
    """The full (not separated) 2-D or 3-D Gaussian window: the outer product of the 1-D one with itself."""
    g = gaussian_1d(window, sigma)
    kernel = torch.outer(g, g) if rank == 2 else torch.einsum("i,j,k->ijk", g, g, g)
    return kernel.view((1, 1) + (window,) * rank)


def gaussian_filter_nd(x, window, sigma, padding):
    """Every (n, c) image or volume filtered by the Gaussian window, one 2-D or 3-D convolution."""
    n, c, spatial = x.shape[0], x.shape[1], tuple(x.shape[2:])
    conv = F.conv2d if len(spatial) == 2 else F.conv3d
    out = conv(x.reshape((n * c, 1) + spatial), gaussian_kernel(window, sigma, len(spatial)), padding=padding)
    return out.view((n, c) + tuple(out.shape[2:]))


def gaussian_filter_2d(x, window, sigma):
    """'same'-size filtering of every (n, c) image (or volume) by the Gaussian window, zero padding window/2."""
    return gaussian_filter_nd(x, window, sigma, window // 2)


def ssim_map(p, t, window, sigma, filter_2d=gaussian_filter_2d, c1=SSIM_C1, c2=SSIM_C2, eps=0.0):
    mu_x, mu_y = filter_2d(p, window, sigma), filter_2d(t, window, sigma)
    var_x = filter_2d(p * p, window, sigma) - mu_x ** 2
    var_y = filter_2d(t * t, window, sigma) - mu_y ** 2
    cov = filter_2d(p * t, window, sigma) - mu_x * mu_y
    return ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2) + eps)


def gaussian_filter_valid(x, window, sigma):
    """The Gaussian filter at the positions where the window lies inside the image (no padding)."""
    return gaussian_filter_nd(x, window, sigma, 0)


def gaussian_filter_reflect(x, window, sigma):
    """'same'-size filtering of the image padded by reflection (kornia's border)."""
    return gaussian_filter_valid(F.pad(x, (window // 2,) * (2 * (x.dim() - 2)), mode="reflect"), window, sigma)


def ssim(batch, args):
    """LOSSES.md's ssim; data_range L, k1 and k2 give C1 = (k1 L)², C2 = (k2 L)²; border same (zero padding), valid
    (positions where the window fits) or reflect; eps is added to the denominator."""
    filters = {"same": gaussian_filter_2d, "valid": gaussian_filter_valid, "reflect": gaussian_filter_reflect}
    c1, c2 = (args.get("k1", 0.01) * args.get("data_range", 1.0)) ** 2, (args.get("k2", 0.03) * args.get("data_range", 1.0)) ** 2
    return 1 - ssim_map(batch.p, batch.t, int(args["window"]), args["sigma"], filters[args.get("border", "same")], c1, c2, args.get("eps", 0.0)).mean()


def ms_ssim(batch, args):
    """1 − MS-SSIM as pytorch_msssim computes it: contrast-structure (cs) means over the valid positions at every scale
    but the last, the SSIM mean at the last, relu'd, raised to the scale weights and multiplied, per image and channel;
    2×2 (×2) average pooling between scales with one pixel of zero padding on odd sides (counted in the average)."""
    window, sigma, weights = int(args["window"]), args["sigma"], args["scale_weights"]
    c1, c2 = (args["k1"] * args["data_range"]) ** 2, (args["k2"] * args["data_range"]) ** 2
    x, y = batch.p, batch.t
    pool = F.avg_pool2d if x.dim() == 4 else F.avg_pool3d
    factors = []
    for scale, weight in enumerate(weights):
        mu_x, mu_y = gaussian_filter_valid(x, window, sigma), gaussian_filter_valid(y, window, sigma)
        var_x = gaussian_filter_valid(x * x, window, sigma) - mu_x ** 2
        var_y = gaussian_filter_valid(y * y, window, sigma) - mu_y ** 2
        cov = gaussian_filter_valid(x * y, window, sigma) - mu_x * mu_y
        cs = (2 * cov + c2) / (var_x + var_y + c2)
        last = scale == len(weights) - 1
        value = ((2 * mu_x * mu_y + c1) / (mu_x ** 2 + mu_y ** 2 + c1)) * cs if last else cs
        factors.append(torch.relu(value.flatten(2).mean(-1)) ** weight)
        if not last:
            padding = tuple(side % 2 for side in x.shape[2:])
            x, y = pool(x, 2, padding=padding), pool(y, 2, padding=padding)
    return 1 - torch.stack(factors).prod(0).mean()


def lovasz_grad(gt_sorted):
    """Gradient of the Lovász extension of the Jaccard loss w.r.t. errors sorted in decreasing order."""
    total = gt_sorted.sum()
    intersection = total - gt_sorted.cumsum(0)
    union = total + (1 - gt_sorted).cumsum(0)
    jaccard = 1 - intersection / union
    return torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])


def lovasz_extension(errors, gt, transform=lambda e: e):
    if errors.numel() == 0:
        return torch.zeros(())
    errors_sorted, order = torch.sort(errors, descending=True)
    return torch.dot(transform(errors_sorted), lovasz_grad(gt[order]))


def lovasz_hinge(batch, args):
    """Pixels a valid mask leaves out are dropped (an image with none kept contributes 0 to the mean over images)."""
    x, t = batch.pred, batch.t
    errors = 1 - x * (2 * t - 1)
    keep = batch.valid.bool()
    if args["per_image"]:
        return torch.stack([lovasz_extension(errors[n][keep[n]], t[n][keep[n]], F.relu) for n in range(x.shape[0])]).mean()
    return lovasz_extension(errors[keep], t[keep], F.relu)


def lovasz_softmax_flat(p, labels, classes, weight):
    """p: [pixels, C] of valid pixels, labels: [pixels]. Mean over the counted classes, weighted Σ w_c L_c / Σ w_c
    with class weights; 0 if no class is counted (or their weights sum to 0)."""
    losses, weights = [], []
    for c in range(p.shape[1]):
        fg = (labels == c).to(p.dtype)
        if classes == "present" and fg.sum() == 0:
            continue
        losses.append(lovasz_extension((fg - p[:, c]).abs(), fg))
        weights.append(1.0 if weight is None else weight[c])
    total = sum(weights)
    if not losses or total == 0:
        return torch.zeros(())
    return sum(w * loss for w, loss in zip(weights, losses)) / total


def lovasz_softmax(batch, args):
    c = batch.classes
    p = batch.p.movedim(1, -1)  # [N, *spatial, C]
    valid = batch.valid_pixels.bool()
    if args["per_image"]:
        losses = [lovasz_softmax_flat(p[n][valid[n]].reshape(-1, c), batch.labels[n][valid[n]], args["classes"], args["weight"]) for n in range(p.shape[0])]
        return torch.stack(losses).mean()
    return lovasz_softmax_flat(p[valid].reshape(-1, c), batch.labels[valid], args["classes"], args["weight"])


def per_channel_field(x, field_of):
    """field_of(fg) for every image and channel of x > 0.5 that has a boundary (foreground and background both, as
    a numpy bool array); 0 elsewhere."""
    inside = (x.detach() > 0.5).numpy()
    field = torch.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            fg = inside[n, c]
            if fg.any() and not fg.all():
                field[n, c] = torch.from_numpy(field_of(fg)).to(x.dtype)
    return field


def boundary_distance_field(x):
    """Per image and channel of x > 0.5: each element's distance across the boundary, scipy's exact Euclidean distance
    transform of the foreground (to the nearest background element) plus that of the background; 0 for an
    image-channel without a boundary (all foreground or all background), as MONAI's HausdorffDTLoss does."""
    from scipy.ndimage import distance_transform_edt
    return per_channel_field(x, lambda fg: distance_transform_edt(fg) + distance_transform_edt(~fg))


def hausdorff_dt(batch, args):
    """Karimi and Salcudean's loss as MONAI's HausdorffDTLoss computes it: mean((p − t)²·(d_p^α + d_t^α))."""
    p, t = batch.p, batch.t
    if not args["include_background"]:
        p, t = p[:, 1:], t[:, 1:]
    distance = boundary_distance_field(p) ** args["alpha"] + boundary_distance_field(t) ** args["alpha"]
    return ((p - t) ** 2 * distance).mean()


def signed_distance_map(t):
    """Kervadec et al.'s one_hot2dist per image and channel of t > 0.5: outside, scipy's distance to the nearest
    foreground element; inside, minus (the distance to the nearest background element − 1); 0 for an image-channel
    without foreground (as their code) or without background (where theirs has no distance to take)."""
    from scipy.ndimage import distance_transform_edt
    return per_channel_field(t, lambda fg: distance_transform_edt(~fg) * ~fg - (distance_transform_edt(fg) - 1) * fg)


def boundary_dist(batch, args):
    """Kervadec et al.'s boundary loss (SurfaceLoss): mean(p · φ_t) over images, kept channels and elements."""
    p, t = batch.p, batch.t
    if not args["include_background"]:
        p, t = p[:, 1:], t[:, 1:]
    return (p * signed_distance_map(t)).mean()


def soft_erode(x):
    """Minimum over the 3-element line along each spatial axis (the border left out), as MONAI's soft_erode."""
    lines = []
    for axis in range(x.dim() - 2):
        kernel = [1] * (x.dim() - 2)
        kernel[axis] = 3
        padding = [0] * (x.dim() - 2)
        padding[axis] = 1
        pool = F.max_pool2d if x.dim() == 4 else F.max_pool3d
        lines.append(-pool(-x, kernel, 1, padding))
    result = lines[0]
    for line in lines[1:]:
        result = torch.min(result, line)
    return result


def soft_dilate(x):
    pool = F.max_pool2d if x.dim() == 4 else F.max_pool3d
    return pool(x, 3, 1, 1)


def soft_skeleton(x, iterations):
    skel = F.relu(x - soft_dilate(soft_erode(x)))
    for _ in range(iterations):
        x = soft_erode(x)
        delta = F.relu(x - soft_dilate(soft_erode(x)))
        skel = skel + F.relu(delta - skel * delta)
    return skel


def cldice(batch, args):
    """Shit et al.'s soft clDice over the batch, the kept channels and space together (MONAI's SoftclDiceLoss)."""
    p, t = batch.p, batch.t
    if not args["include_background"]:
        p, t = p[:, 1:], t[:, 1:]
    s = args["smooth"]
    skel_p, skel_t = soft_skeleton(p, int(args["iter"])), soft_skeleton(t, int(args["iter"]))
    precision = ((skel_p * t).sum() + s) / (skel_p.sum() + s)
    sensitivity = ((skel_t * p).sum() + s) / (skel_t.sum() + s)
    return 1 - 2 * precision * sensitivity / (precision + sensitivity)


def max_pool_same(x, size):
    pool = F.max_pool2d if x.dim() == 4 else F.max_pool3d
    return pool(x, size, stride=1, padding=(size - 1) // 2)


def boundary_f1_loss(x_p, x_t, theta0, theta, pool=max_pool_same):
    b_p = pool(1 - x_p, theta0) - (1 - x_p)
    b_t = pool(1 - x_t, theta0) - (1 - x_t)
    ext_p, ext_t = pool(b_p, theta), pool(b_t, theta)
    spatial = tuple(range(2, x_p.dim()))
    precision = (b_p * ext_t).sum(spatial) / (b_p.sum(spatial) + BOUNDARY_EPS)
    recall = (ext_p * b_t).sum(spatial) / (b_t.sum(spatial) + BOUNDARY_EPS)
    bf1 = 2 * precision * recall / (precision + recall + BOUNDARY_EPS)
    return (1 - bf1).mean()


def boundary_classes(batch):
    """Class maps for the boundary loss: a mask channel is two classes (1-p, 1-t) and (p, t); labels are one-hot."""
    if batch.target_kind == "mask":
        return torch.cat([1 - batch.p, batch.p], 1), torch.cat([1 - batch.t, batch.t], 1)
    return batch.p, batch.t


def boundary(batch, args):
    x_p, x_t = boundary_classes(batch)
    return boundary_f1_loss(x_p, x_t, int(args["theta0"]), int(args["theta"]))


def active_contour(batch, args):
    p, t = batch.p, batch.t
    d_rows = (p[..., 1:, :] - p[..., :-1, :])[..., 1:, :-2]
    d_cols = (p[..., :, 1:] - p[..., :, :-1])[..., :-2, 1:]
    length = torch.sqrt(torch.abs(d_rows ** 2 + d_cols ** 2) + ACTIVE_CONTOUR_EPS).mean()
    region = (p * (t - 1) ** 2).mean() + ((1 - p) * t ** 2).mean()
    return args["weight"] * length + region


# ----------------------------------------------------------------------------------------------------------
# The catalog: parameters in positional order with defaults, per task
# ----------------------------------------------------------------------------------------------------------

OVERLAP = [("smooth", 1.0), ("per_image", False), ("weight", None), ("include_background", True),
           ("smooth_nr", None), ("smooth_dr", None), ("log_loss", False), ("empty", "score"), ("average", "macro"), ("soft_label", False)]
ACTIVATION = [("activation", "auto")]
SQUARED_OVERLAP = OVERLAP + [("squared_pred", False)] + ACTIVATION
PRIMITIVES = {
    "bce": (bce, {"mask": [("pos_weight", 1.0), ("label_smoothing", 0.0), ("mean_over", "kept")]}),
    "ce": (ce, {"labels": [("weight", None), ("label_smoothing", 0.0), ("mean_over", "kept")]}),
    "topk": (topk, {k: [("k", 10.0)] for k in ("mask", "labels")}),
    "ohem": (ohem, {"labels": [("thresh", "none"), ("min_kept", 100000), ("mean_over", "kept")]}),
    "focal": (focal, {"mask": [("alpha", 0.25), ("gamma", 2.0), ("weight", None)], "labels": [("gamma", 2.0), ("weight", None)]}),
    "dice": (dice, {"mask": SQUARED_OVERLAP, "labels": SQUARED_OVERLAP}),
    "iou": (iou, {"mask": SQUARED_OVERLAP, "labels": SQUARED_OVERLAP}),
    "jaccard": (iou, {"mask": SQUARED_OVERLAP, "labels": SQUARED_OVERLAP}),
    "tversky": (tversky, {k: [("alpha", 0.5), ("beta", 0.5)] + OVERLAP + ACTIVATION + [("gamma", 1.0)] for k in ("mask", "labels")}),
    "mcc": (mcc, {k: [("smooth", 1e-5), ("per_image", False), ("weight", None), ("include_background", True)] for k in ("mask", "labels")}),
    "generalized_dice": (generalized_dice, {k: [("eps", 1e-6), ("smooth_nr", 0.0), ("smooth_dr", 0.0), ("per_image", False), ("weight_type", "square"),
                                                ("include_background", True)] + ACTIVATION + [("soft_label", False)] for k in ("mask", "labels")}),
    "sensitivity_specificity": (sensitivity_specificity, {k: [("lambda", 0.05), ("smooth", 1e-5)] for k in ("mask", "labels")}),
    "ssim": (ssim, {"mask": [("window", 11), ("sigma", 1.5), ("data_range", 1.0), ("k1", 0.01), ("k2", 0.03), ("border", "same"), ("eps", 0.0)]}),
    "ms_ssim": (ms_ssim, {"mask": [("window", 11), ("sigma", 1.5), ("data_range", 1.0), ("k1", 0.01), ("k2", 0.03),
                                   ("scale_weights", [0.0448, 0.2856, 0.3001, 0.2363, 0.1333])]}),
    "lovasz_hinge": (lovasz_hinge, {"mask": [("per_image", True)]}),
    "lovasz_softmax": (lovasz_softmax, {"labels": [("classes", "present"), ("per_image", False), ("weight", None)]}),
    "cldice": (cldice, {k: [("iter", 3), ("smooth", 1.0), ("include_background", True)] for k in ("mask", "labels")}),
    "hausdorff_dt": (hausdorff_dt, {k: [("alpha", 2.0), ("include_background", True)] for k in ("mask", "labels")}),
    "boundary_dist": (boundary_dist, {k: [("include_background", True)] for k in ("mask", "labels")}),
    "boundary": (boundary, {k: [("theta0", 3), ("theta", 5)] for k in ("mask", "labels")}),
    "active_contour": (active_contour, {"mask": [("weight", 10.0)]}),
}
SCALAR_FUNCTIONS = {"log": torch.log, "exp": torch.exp, "sqrt": torch.sqrt, "abs": torch.abs, "pow": lambda x, k: x ** k, "cosh": torch.cosh}
WORDS = {"true": True, "false": False, "auto": "auto", "present": "present", "all": "all", "score": "score", "zero": "zero",
         "macro": "macro", "micro": "micro", "square": "square", "simple": "simple", "uniform": "uniform",
         "kept": "kept", "same": "same", "valid": "valid", "reflect": "reflect",
         "none": "none", "sigmoid": "sigmoid", "softmax": "softmax", "tanh": "tanh"}


# ----------------------------------------------------------------------------------------------------------
# A small parser for the loss text: + - * /, unary minus, parentheses, numbers, scalar functions and
# primitive calls with positional / named arguments (numbers, true/false, words, [lists]).
# Terms are named in text order: dice, dice_2, ...
# ----------------------------------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(.))")


class LossText:
    def __init__(self, text):
        self.tokens = [m.groups() for m in TOKEN.finditer(text) if m.group(0).strip()]
        self.position = 0
        self.term_counts = {}
        self.terms = []  # (term name, primitive name, raw arguments)
        self.tree = self.expression()
        if self.position != len(self.tokens):
            raise ValueError(f"unexpected {self.tokens[self.position]} in {text!r}")

    def peek(self, symbol=None):
        if self.position >= len(self.tokens):
            return None
        token = self.tokens[self.position]
        return token if symbol is None or token[2] == symbol else None

    def take(self, symbol):
        if not self.peek(symbol):
            raise ValueError(f"expected {symbol!r} at token {self.position}")
        self.position += 1

    def expression(self):
        node = self.product()
        while self.peek("+") or self.peek("-"):
            op = self.tokens[self.position][2]
            self.position += 1
            node = ("binary", op, node, self.product())
        return node

    def product(self):
        node = self.unary()
        while self.peek("*") or self.peek("/"):
            op = self.tokens[self.position][2]
            self.position += 1
            node = ("binary", op, node, self.unary())
        return node

    def unary(self):
        if self.peek("-"):
            self.position += 1
            return ("negate", self.unary())
        return self.primary()

    def primary(self):
        number, name, symbol = self.tokens[self.position]
        self.position += 1
        if number is not None:
            return ("number", float(number))
        if symbol == "(":
            node = self.expression()
            self.take(")")
            return node
        if name in SCALAR_FUNCTIONS:
            self.take("(")
            arguments = [self.expression()]
            while self.peek(","):
                self.position += 1
                arguments.append(self.expression())
            self.take(")")
            return ("function", name, arguments)
        if name in PRIMITIVES:
            positional, named = [], {}
            if self.peek("("):
                self.position += 1
                while not self.peek(")"):
                    if self.position + 1 < len(self.tokens) and self.tokens[self.position][1] and self.tokens[self.position + 1][2] == ":":
                        key = self.tokens[self.position][1]
                        self.position += 2
                        named[key] = self.constant()
                    else:
                        positional.append(self.constant())
                    if not self.peek(")"):
                        self.take(",")
                self.take(")")
            count = self.term_counts.get(name, 0) + 1
            self.term_counts[name] = count
            term = name if count == 1 else f"{name}_{count}"
            self.terms.append((term, name, positional, named))
            return ("term", term)
        raise ValueError(f"unknown name {name!r}")

    def constant(self):
        if self.peek("["):
            self.position += 1
            items = []
            while not self.peek("]"):
                items.append(self.constant())
                if not self.peek("]"):
                    self.take(",")
            self.take("]")
            return items
        number, name, symbol = self.tokens[self.position]
        if name is not None:
            self.position += 1
            return WORDS[name]
        if symbol == "-":
            self.position += 1
            return -self.constant()
        self.position += 1
        return float(number)


def bind_arguments(primitive, task, positional, named):
    parameters = PRIMITIVES[primitive][1][task]
    args = {key: default for key, default in parameters}
    for (key, _), value in zip(parameters, positional):
        args[key] = value
    if len(positional) > len(parameters) or any(key not in args for key in named):
        raise ValueError(f"bad arguments for {primitive}: {positional} {named}")
    args.update(named)
    return args


def evaluate(node, values):
    kind = node[0]
    if kind == "number":
        return node[1]
    if kind == "term":
        return values[node[1]]
    if kind == "negate":
        return -evaluate(node[1], values)
    if kind == "function":
        return SCALAR_FUNCTIONS[node[1]](*[evaluate(a, values) for a in node[2]])
    a, b = evaluate(node[2], values), evaluate(node[3], values)
    if node[1] == "+":
        return a + b
    if node[1] == "-":
        return a - b
    return a * b if node[1] == "*" else a / b


def loss_function(loss_text, target, input_kind, target_kind, ignore_index, valid_mask=None, pixel_weight=None):
    """pred -> (total, {term: value}) for one loss text, target and per-pixel inputs."""
    parsed = LossText(loss_text)

    def run(pred, unreduced=None):
        batch = Batch(pred, target, input_kind, target_kind, ignore_index, valid_mask, pixel_weight)
        values = {}
        for term, primitive, positional, named in parsed.terms:
            batch.unreduced = None
            values[term] = PRIMITIVES[primitive][0](batch, bind_arguments(primitive, target_kind, positional, named))
            if unreduced is not None:
                # LOSSES.md "Unreduced values": a structure term (and generalized_dice) reports its scalar.
                unreduced[term] = values[term] if batch.unreduced is None else batch.unreduced
        return evaluate(parsed.tree, values), values

    return run


def level_weight(mode, k):
    """LOSSES.md "Deep supervision": same, exp, two, or an explicit list."""
    if mode == "same":
        return 1.0
    if mode == "exp":
        return max(0.5 ** k, 0.0625)
    if mode == "two":
        return 1.0 if k == 0 else 0.5
    return float(mode[k])


def nearest_exact(x, size, leading):
    """x resized over its spatial dims (after `leading` dims) by F.interpolate's nearest-exact; integers stay integers."""
    batched = x.to(torch.float64)
    if leading == 1:
        batched = batched.unsqueeze(1)
    resized = F.interpolate(batched, size=size, mode="nearest-exact")
    if leading == 1:
        resized = resized.squeeze(1)
    return resized.to(x.dtype)


def deep_loss(spec, preds, target, valid_mask, pixel_weight, unreduced=None):
    """Σ_k w_k · loss(pred_k, target_k), every level's terms named level{k}/{term}."""
    labels = spec["target_kind"] == "labels"
    spatial = tuple(target.shape[1:] if labels else target.shape[2:])
    total, terms = 0.0, {}
    for k, pred in enumerate(preds):
        size = tuple(pred.shape[2:])
        t, v, w = target, valid_mask, pixel_weight
        if size != spatial and spec["resize"] == "pred":
            mode = {1: "linear", 2: "bilinear", 3: "trilinear"}[len(spatial)]
            pred = F.interpolate(pred, size=spatial, mode=mode, align_corners=False)
        elif size != spatial:
            lead = 1 if labels else 2
            t = nearest_exact(target, size, lead)
            v = None if v is None else nearest_exact(v, size, lead)
            w = None if w is None else nearest_exact(w, size, lead)
        level_unreduced = {} if unreduced is not None else None
        level_total, values = loss_function(spec["loss"], t, spec["input_kind"], spec["target_kind"], spec["ignore_index"], v, w)(pred, level_unreduced)
        total = total + level_weight(spec["level_weights"], k) * level_total
        terms.update({f"level{k}/{name}": value for name, value in values.items()})
        if unreduced is not None:
            unreduced.update({f"level{k}/{name}": value for name, value in level_unreduced.items()})
    return total, terms


def compute(loss_text, pred, target, input_kind, target_kind, ignore_index, valid_mask=None, pixel_weight=None):
    """The loss, every term and d total / d pred, for one fixture."""
    pred = pred.clone().requires_grad_(True)
    unreduced = {}
    total, values = loss_function(loss_text, target, input_kind, target_kind, ignore_index, valid_mask, pixel_weight)(pred, unreduced)
    # A result that does not depend on pred at all (e.g. Lovász-Softmax with every pixel ignored) has zero gradient.
    grad = torch.autograd.grad(total, pred, allow_unused=True)[0] if total.requires_grad else None
    if grad is None:
        grad = torch.zeros_like(pred)
    return total.detach(), {k: v.detach() for k, v in values.items()}, grad, {k: v.detach() for k, v in unreduced.items()}


# ----------------------------------------------------------------------------------------------------------
# Deterministic inputs
# ----------------------------------------------------------------------------------------------------------

def blur(noise):
    if noise.dim() == 4 and noise.shape[2] >= 3 and noise.shape[3] >= 3:
        return F.avg_pool2d(noise, 3, stride=1, padding=1, count_include_pad=False)
    return noise


def make_mask(gen, shape, pattern):
    if pattern == "empty":
        return torch.zeros(shape)
    if pattern == "full":
        return torch.ones(shape)
    smooth_noise = blur(torch.randn(shape, generator=gen))
    if pattern == "soft":
        return torch.sigmoid(2 * smooth_noise)
    mask = (smooth_noise > 0.1).to(torch.float64)
    if pattern == "empty_image":
        mask[1:] = 0
    if pattern == "empty_channel":  # channel 0 empty in every image
        mask[:, :1] = 0
    return mask


def make_labels(gen, shape, classes, pattern, ignore_index):
    n = shape[0]
    scores = blur(torch.randn((n, classes) + tuple(shape[1:]), generator=gen))
    if pattern == "absent":  # only classes 0 and 2 occur
        scores[:, [1, 3]] = -1e9
    labels = scores.argmax(1)
    if pattern == "ignore":
        labels = torch.where(torch.rand(labels.shape, generator=gen) < 0.2, torch.full_like(labels, ignore_index), labels)
    if pattern == "all_ignored":
        labels = torch.full_like(labels, ignore_index)
    if pattern == "ignore_image":  # the second image entirely ignored
        labels[1:] = ignore_index
    return labels


def make_pred(gen, shape, target_kind, t_dense, input_kind, pattern):
    if pattern == "extreme":
        # |logit| = 1e4 exactly, signs random (right and wrong predictions)
        logits = 1e4 * torch.sign(torch.randn(shape, generator=gen))
    elif pattern == "extreme_distinct":
        # |logit| in [5e3, 1e4], distinct values (no ties in sorted errors)
        logits = torch.sign(torch.randn(shape, generator=gen)) * 1e4 * (0.5 + 0.5 * torch.rand(shape, generator=gen))
    else:
        logits = 1.5 * torch.randn(shape, generator=gen) + 1.5 * (2 * t_dense - 1) * torch.rand(shape, generator=gen)
    if input_kind == "logits":
        return logits
    if input_kind == "log_probs":
        return F.logsigmoid(logits) if target_kind == "mask" else torch.log_softmax(logits, 1)
    return torch.sigmoid(logits) if target_kind == "mask" else torch.softmax(logits, 1)


def make_map(gen, spec, kind, pattern):
    """A pixel weight map (weights in [0.25, 3], a tenth of them 0: a weight of 0 still counts as a pixel) or a valid
    mask (about a quarter 0; "valid_image": the second image left out entirely; "valid_none": every pixel), shaped
    [N, 1 or C, *spatial] beside a mask and [N, *spatial] beside labels."""
    if kind is None:
        return None
    n, c, spatial = spec["shape"][0], spec["shape"][1], tuple(spec["shape"][2:])
    shape = (n,) + spatial if spec["target_kind"] == "labels" else (n, c if kind == "channel" else 1) + spatial
    uniform = torch.rand(shape, generator=gen)
    if pattern == "weight":
        weights = 0.25 + 2.75 * torch.rand(shape, generator=gen)
        return torch.where(uniform < 0.1, torch.zeros_like(weights), weights)
    valid = (uniform >= 0.25).to(torch.float64)
    if spec["pattern"] == "valid_image":
        valid[1:] = 0
    if spec["pattern"] == "valid_none":
        valid.zero_()
    return valid


def make_inputs(spec):
    """pred, target, and the valid mask and pixel weight map (None when the fixture declares none)."""
    gen = torch.Generator().manual_seed(zlib.crc32(spec["name"].encode()))
    shape = spec["shape"]
    pattern = spec.get("pattern", "")
    if spec["target_kind"] == "mask":
        target = make_mask(gen, shape, pattern)
        dense = target
    else:
        ignore = spec.get("ignore_index")
        target = make_labels(gen, (shape[0],) + tuple(shape[2:]), shape[1], pattern, ignore)
        valid = target != ignore if ignore is not None else torch.ones_like(target, dtype=torch.bool)
        dense = F.one_hot(torch.where(valid, target, torch.zeros_like(target)), shape[1]).movedim(-1, 1).to(torch.float64)
    pred = make_pred(gen, shape, spec["target_kind"], dense, spec["input_kind"], pattern)
    valid = make_map(gen, spec, spec["valid"], "valid")
    weight = make_map(gen, spec, spec["pixel_weight"], "weight")
    # Side outputs: predictions of the target at their own size, so each level is a plausible one.
    sides = [make_pred(gen, shape[:2] + size, spec["target_kind"], F.interpolate(dense, size=size, mode="area"), spec["input_kind"], pattern)
             for size in spec["sides"] or ()]
    return [pred] + sides, target, valid, weight


# ----------------------------------------------------------------------------------------------------------
# The fixtures
# ----------------------------------------------------------------------------------------------------------

def case(name, loss, target_kind, shape, input_kind="logits", ignore_index=None, pattern="", valid=None, pixel_weight=None,
         sides=None, level_weights="same", resize="target", stride=None):
    """valid and pixel_weight: None (not declared), "pixel" ([N, 1, *spatial]; [N, *spatial] for labels) or "channel".
    sides: None (one prediction), or deep supervision: the spatial sizes of the side outputs after the main prediction
    of `shape` (an empty list is one level, deep-supervised);
    level_weights: "same", "exp", "two" or a list; resize: "target" or "pred"; stride: the declared level stride, if any
    (the side sizes must then follow it)."""
    return {"name": name, "loss": loss, "target_kind": target_kind, "shape": tuple(shape), "input_kind": input_kind,
            "ignore_index": ignore_index, "pattern": pattern, "valid": valid, "pixel_weight": pixel_weight,
            "sides": None if sides is None else tuple(tuple(size) for size in sides), "level_weights": level_weights, "resize": resize,
            "stride": stride}


B1 = (2, 1, 6, 6)     # binary mask
ML = (2, 3, 6, 6)     # multilabel mask
MC = (2, 4, 6, 6)     # multiclass labels
B1_12 = (2, 1, 12, 12)
ML_12 = (2, 3, 12, 12)
MC_12 = (2, 4, 12, 12)
PIXEL = (1, 1, 1, 1)
PIXEL_MC = (1, 4, 1, 1)

FIXTURES = [
    # bce
    # hausdorff_dt: distance fields of the thresholded prediction and target (scipy's exact transform), 2-D and 3-D
    case("hausdorff_dt_binary_logits", "hausdorff_dt", "mask", B1_12),
    case("hausdorff_dt_multilabel_probs_alpha", "hausdorff_dt(alpha: 1)", "mask", ML, "probs"),
    case("hausdorff_dt_multilabel_no_background", "hausdorff_dt(include_background: false)", "mask", ML),
    case("hausdorff_dt_binary_log_probs_empty_image", "hausdorff_dt + dice", "mask", B1, "log_probs", pattern="empty_image"),
    case("hausdorff_dt_labels_no_background", "hausdorff_dt(include_background: false)", "labels", MC),
    case("hausdorff_dt_labels_probs_log_form", "log(hausdorff_dt(1.5) + 1)", "labels", MC, "probs"),
    case("hausdorff_dt_labels_log_probs", "hausdorff_dt", "labels", MC, "log_probs"),
    case("hausdorff_dt_volume", "hausdorff_dt + dice", "mask", (2, 1, 4, 5, 6)),
    case("hausdorff_dt_labels_volume", "hausdorff_dt(include_background: false)", "labels", (2, 3, 3, 4, 5)),
    # boundary_dist: Kervadec et al.'s signed distance map of the target times p, 1-D to 3-D
    case("boundary_dist_binary_logits", "boundary_dist", "mask", B1_12),
    case("boundary_dist_binary_probs_with_dice", "0.99 * dice + 0.01 * boundary_dist", "mask", B1_12, "probs"),
    case("boundary_dist_multilabel_log_probs_no_background", "boundary_dist(include_background: false)", "mask", ML, "log_probs"),
    case("boundary_dist_binary_empty_image", "boundary_dist + bce", "mask", B1, pattern="empty_image"),
    case("boundary_dist_binary_all_foreground", "boundary_dist", "mask", B1, pattern="full"),
    case("boundary_dist_binary_soft_target", "boundary_dist", "mask", B1_12, pattern="soft"),
    case("boundary_dist_labels_no_background", "boundary_dist(false)", "labels", MC_12),
    case("boundary_dist_labels_probs", "boundary_dist + ce", "labels", MC, "probs"),
    case("boundary_dist_labels_log_probs", "boundary_dist", "labels", MC, "log_probs"),
    case("boundary_dist_volume", "dice + boundary_dist", "mask", (2, 1, 4, 5, 6)),
    case("boundary_dist_labels_volume", "boundary_dist(include_background: false)", "labels", (2, 3, 3, 4, 5)),
    case("boundary_dist_lines", "boundary_dist", "mask", (2, 2, 15)),
    # cldice: soft skeletons by iterated min/max pooling, 2-D and 3-D
    case("cldice_binary_logits", "cldice", "mask", B1_12),
    case("cldice_multilabel_probs_iter_smooth", "cldice(iter: 5, smooth: 0.5)", "mask", ML_12, "probs"),
    case("cldice_multilabel_log_probs_no_background", "cldice(include_background: false) + dice", "mask", ML, "log_probs"),
    case("cldice_binary_soft_target", "cldice(iter: 0)", "mask", B1_12, pattern="soft"),
    case("cldice_labels_no_background", "cldice(include_background: false)", "labels", MC),
    case("cldice_labels_probs_iter", "cldice(2, 0.1)", "labels", MC, "probs"),
    case("cldice_labels_log_probs_smooth_no_background", "cldice(smooth: 2, include_background: false) + ce", "labels", MC, "log_probs"),
    case("cldice_volume", "cldice(iter: 2) + dice", "mask", (2, 1, 4, 5, 6)),
    case("cldice_labels_volume", "0.5 * dice + 0.5 * cldice(include_background: false)", "labels", (2, 3, 4, 5, 6), "probs"),
    # topk: the mean of the k % largest pixel losses (nnU-Net's TopK10 by default)
    case("topk_mask_logits", "topk", "mask", ML),
    case("topk_mask_probs", "topk(k: 25)", "mask", ML, "probs"),
    case("topk_mask_log_probs", "topk(30)", "mask", B1, "log_probs"),
    case("topk_mask_valid_channel", "topk(k: 5) + dice", "mask", ML, valid="channel"),
    case("topk_labels_logits", "topk", "labels", MC),
    case("topk_labels_probs_ignore", "topk(k: 20)", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("topk_labels_log_probs_all_is_ce", "topk(100) - ce", "labels", MC, "log_probs"),
    case("topk_labels_all_ignored", "topk + ce", "labels", MC, ignore_index=255, pattern="all_ignored"),
    # ohem: mmseg's OHEMPixelSampler and CrossEntropyLoss
    case("ohem_threshold_logits", "ohem(0.7, 10)", "labels", MC_12),
    case("ohem_threshold_below_min_kept_probs", "ohem(thresh: 0.3, min_kept: 100)", "labels", MC_12, "probs"),
    case("ohem_count_log_probs", "ohem(min_kept: 20)", "labels", MC_12, "log_probs"),
    case("ohem_default_is_ce", "ohem - ce", "labels", MC),
    case("ohem_mmseg_mean_over_all_ignore", "ohem(0.6, 5, all)", "labels", MC_12, ignore_index=255, pattern="ignore"),
    case("ohem_count_valid_pixel", "ohem(min_kept: 8) + dice", "labels", MC_12, valid="pixel"),
    case("ohem_all_ignored", "ohem(0.7, 4) + ce", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("bce_binary_logits", "bce", "mask", B1),
    case("bce_binary_probs", "bce", "mask", B1, "probs"),
    case("bce_multilabel_logits", "bce", "mask", ML),
    case("bce_multilabel_probs", "bce", "mask", ML, "probs"),
    case("bce_pos_weight_logits", "bce(pos_weight: 3)", "mask", B1),
    case("bce_pos_weight_positional_multilabel_probs", "bce(2.5)", "mask", ML, "probs"),
    case("bce_pos_weight_zero", "bce(pos_weight: 0)", "mask", B1),
    case("bce_pos_weight_auto_logits", "bce(pos_weight: auto)", "mask", B1),
    case("bce_pos_weight_auto_multilabel_probs", "bce(pos_weight: auto)", "mask", ML, "probs"),
    case("bce_pos_weight_auto_empty_mask", "bce(pos_weight: auto)", "mask", B1, pattern="empty"),
    case("bce_pos_weight_auto_all_foreground", "bce(pos_weight: auto)", "mask", B1, pattern="full"),
    case("bce_soft_target_logits", "bce", "mask", ML, pattern="soft"),
    case("bce_soft_target_pos_weight_auto_probs", "bce(pos_weight: auto)", "mask", B1, "probs", pattern="soft"),
    case("bce_extreme_logits", "bce", "mask", B1, pattern="extreme"),
    case("bce_pos_weight_extreme_logits", "bce(pos_weight: 2)", "mask", ML, pattern="extreme"),
    case("bce_empty_mask", "bce", "mask", B1, pattern="empty"),
    case("bce_all_foreground", "bce", "mask", B1, pattern="full"),
    case("bce_single_pixel", "bce", "mask", PIXEL),
    case("bce_no_spatial_dims", "bce", "mask", (4, 3)),
    # ce
    case("ce_logits", "ce", "labels", MC),
    case("ce_probs", "ce", "labels", MC, "probs"),
    case("ce_weight_logits", "ce(weight: [1, 2, 0.5, 1.5])", "labels", MC),
    case("ce_label_smoothing_logits", "ce(label_smoothing: 0.1)", "labels", MC),
    case("ce_label_smoothing_probs", "ce(label_smoothing: 0.2)", "labels", MC, "probs"),
    case("ce_ignore_logits", "ce", "labels", MC, ignore_index=255, pattern="ignore"),
    case("ce_ignore_probs", "ce", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("ce_weight_label_smoothing_ignore_logits", "ce(weight: [1, 2, 0.5, 1.5], label_smoothing: 0.1)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("ce_weight_label_smoothing_positional_probs", "ce([0.5, 1, 2, 1], 0.05)", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("ce_ignore_index_zero", "ce", "labels", MC, ignore_index=0),
    case("ce_all_ignored", "ce", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("ce_weight_all_ignored", "ce(weight: [1, 2, 0.5, 1.5], label_smoothing: 0.1)", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("ce_extreme_logits", "ce(label_smoothing: 0.1)", "labels", MC, pattern="extreme"),
    case("ce_single_pixel", "ce", "labels", PIXEL_MC),
    case("ce_no_spatial_dims", "ce", "labels", (5, 4)),
    case("ce_volume", "ce", "labels", (2, 3, 3, 4, 4), ignore_index=255, pattern="ignore"),
    case("ce_mean_over_all_ignore", "ce(mean_over: all)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("ce_mean_over_all_weight_smoothing_probs", "ce([1, 2, 0.5, 1.5], 0.1, all)", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("ce_mean_over_all_valid_weight_map", "ce(weight: [1, 2, 0.5, 1.5], mean_over: all)", "labels", MC, valid="pixel", pixel_weight="pixel"),
    case("ce_mean_over_all_all_ignored", "ce(mean_over: all)", "labels", MC, ignore_index=255, pattern="all_ignored"),
    # focal, masks
    case("focal_binary_logits", "focal", "mask", B1),
    case("focal_binary_probs", "focal", "mask", B1, "probs"),
    case("focal_multilabel_logits", "focal(alpha: 0.5, gamma: 1)", "mask", ML),
    case("focal_multilabel_probs", "focal", "mask", ML, "probs"),
    case("focal_no_alpha", "focal(alpha: -1)", "mask", B1),
    case("focal_gamma_zero", "focal(gamma: 0)", "mask", B1),
    case("focal_gamma_half", "focal(gamma: 0.5)", "mask", ML),
    case("focal_positional", "focal(0.4, 3)", "mask", B1, "probs"),
    case("focal_soft_target", "focal", "mask", B1, pattern="soft"),
    case("focal_extreme_logits", "focal", "mask", B1, pattern="extreme"),
    case("focal_no_alpha_extreme_logits", "focal(alpha: -1, gamma: 1)", "mask", ML, pattern="extreme"),
    case("focal_empty_mask", "focal", "mask", B1, pattern="empty"),
    case("focal_all_foreground", "focal", "mask", B1, pattern="full"),
    case("focal_single_pixel", "focal", "mask", PIXEL),
    # focal, labels
    case("focal_labels_logits", "focal", "labels", MC),
    case("focal_labels_probs", "focal", "labels", MC, "probs"),
    case("focal_labels_weight", "focal(gamma: 1, weight: [1, 2, 0.5, 1.5])", "labels", MC),
    case("focal_labels_ignore", "focal", "labels", MC, ignore_index=255, pattern="ignore"),
    case("focal_labels_weight_ignore_probs", "focal(3, [0.5, 1, 2, 1])", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("focal_labels_gamma_zero", "focal(0)", "labels", MC),
    case("focal_labels_all_ignored", "focal", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("focal_labels_extreme_logits", "focal", "labels", MC, pattern="extreme"),
    case("focal_labels_single_pixel", "focal", "labels", PIXEL_MC),
    # dice
    case("dice_binary_logits", "dice", "mask", B1),
    case("dice_binary_probs", "dice", "mask", B1, "probs"),
    case("dice_multilabel_logits", "dice", "mask", ML),
    case("dice_multilabel_per_image", "dice(per_image: true)", "mask", ML),
    case("dice_multilabel_weight_probs", "dice(weight: [1, 2, 0.5])", "mask", ML, "probs"),
    case("dice_multilabel_per_image_weight", "dice(smooth: 0.5, per_image: true, weight: [1, 2, 0.5])", "mask", ML),
    case("dice_smooth_zero", "dice(smooth: 0)", "mask", ML),
    case("dice_positional", "dice(0.5, true)", "mask", B1),
    case("dice_soft_target", "dice", "mask", ML, pattern="soft"),
    case("dice_extreme_logits", "dice", "mask", B1, pattern="extreme"),
    case("dice_empty_mask", "dice", "mask", B1, pattern="empty"),
    case("dice_empty_image_per_image", "dice(per_image: true)", "mask", B1, pattern="empty_image"),
    case("dice_all_foreground", "dice", "mask", B1, pattern="full"),
    case("dice_single_pixel", "dice", "mask", PIXEL),
    case("dice_no_spatial_dims", "dice", "mask", (4, 3)),
    case("dice_labels_logits", "dice", "labels", MC),
    case("dice_labels_probs", "dice", "labels", MC, "probs"),
    case("dice_labels_no_background", "dice(include_background: false)", "labels", MC),
    case("dice_labels_no_background_ignore", "dice(include_background: false)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("dice_labels_ignore_per_image", "dice(per_image: true)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("dice_labels_weight_no_background_per_image", "dice(weight: [5, 1, 2, 0.5], include_background: false, per_image: true)", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("dice_labels_absent_classes", "dice", "labels", MC, pattern="absent"),
    case("dice_labels_ignored_image_per_image", "dice(per_image: true)", "labels", MC, ignore_index=255, pattern="ignore_image"),
    case("dice_labels_all_ignored", "dice", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("dice_smooth_zero_all_ignored", "dice(smooth: 0)", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("dice_labels_extreme_logits", "dice", "labels", MC, pattern="extreme"),
    case("dice_labels_volume", "dice(include_background: false)", "labels", (2, 3, 3, 4, 4), ignore_index=255, pattern="ignore"),
    # iou / jaccard
    case("iou_binary_logits", "iou", "mask", B1),
    case("iou_multilabel_per_image_probs", "iou(per_image: true)", "mask", ML, "probs"),
    case("iou_multilabel_weight", "iou(weight: [0.2, 1, 3])", "mask", ML),
    case("iou_smooth_zero", "iou(smooth: 0)", "mask", B1),
    case("jaccard_alias", "jaccard(smooth: 0.1)", "mask", B1),
    case("iou_labels_ignore", "iou", "labels", MC, ignore_index=255, pattern="ignore"),
    case("iou_labels_no_background_weight", "iou(weight: [1, 1, 2, 3], include_background: false)", "labels", MC),
    case("jaccard_labels_per_image_probs", "jaccard(1, true)", "labels", MC, "probs"),
    case("iou_extreme_logits", "iou", "mask", ML, pattern="extreme"),
    case("iou_empty_mask", "iou", "mask", B1, pattern="empty"),
    case("iou_all_foreground", "iou", "mask", B1, pattern="full"),
    case("iou_single_pixel", "iou", "mask", PIXEL),
    case("iou_labels_all_ignored", "iou", "labels", MC, ignore_index=255, pattern="all_ignored"),
    # tversky
    case("tversky_binary_logits", "tversky", "mask", B1),
    case("tversky_alpha_beta", "tversky(alpha: 0.7, beta: 0.3)", "mask", ML),
    case("tversky_positional_probs", "tversky(0.3, 0.7, 0.5)", "mask", B1, "probs"),
    case("tversky_large_alpha", "tversky(alpha: 2, beta: 0.1, smooth: 0)", "mask", B1),
    case("tversky_per_image_weight", "tversky(per_image: true, weight: [1, 0.5, 2])", "mask", ML),
    case("tversky_labels_ignore_per_image", "tversky(alpha: 0.6, beta: 0.4, per_image: true)", "labels", MC, ignore_index=255, pattern="ignore"),
    # focal Tversky (Abraham and Khan 2019): (1 − TI_c)^γ per channel, then the channel mean
    case("tversky_focal_multilabel", "tversky(alpha: 0.7, beta: 0.3, gamma: 0.75)", "mask", ML),
    case("tversky_focal_labels_weight_per_image", "tversky(alpha: 0.3, beta: 0.7, per_image: true, weight: [0.5, 1, 2, 1], gamma: 1.5)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("tversky_focal_empty_zero_probs", "tversky(smooth: 0, empty: zero, gamma: 0.75)", "mask", ML, "probs", pattern="empty_channel"),
    case("tversky_focal_micro", "tversky(average: micro, per_image: true, gamma: 2)", "labels", MC),
    # log-cosh Dice (Jadon 2020)
    case("log_cosh_dice", "log(cosh(dice))", "mask", ML),
    case("log_cosh_dice_labels_plus_ce", "ce + log(cosh(dice(include_background: false)))", "labels", MC, "probs"),
    case("tversky_labels_no_background_probs", "tversky(include_background: false)", "labels", MC, "probs"),
    case("tversky_extreme_logits", "tversky(0.2, 0.8)", "mask", B1, pattern="extreme"),
    case("tversky_empty_mask", "tversky", "mask", B1, pattern="empty"),
    case("tversky_single_pixel", "tversky(alpha: 0.9, beta: 0.1)", "mask", PIXEL),
    case("tversky_labels_all_ignored", "tversky", "labels", MC, ignore_index=255, pattern="all_ignored"),
    # generalized_dice
    case("generalized_dice_binary_logits", "generalized_dice", "mask", B1),
    case("generalized_dice_binary_probs", "generalized_dice", "mask", B1, "probs"),
    case("generalized_dice_multilabel", "generalized_dice", "mask", ML),
    case("generalized_dice_eps", "generalized_dice(eps: 0.001)", "mask", ML, "probs"),
    case("generalized_dice_labels", "generalized_dice", "labels", MC),
    case("generalized_dice_labels_ignore_probs", "generalized_dice(1e-4)", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("generalized_dice_labels_absent_classes", "generalized_dice(eps: 1)", "labels", MC, pattern="absent"),
    case("generalized_dice_empty_mask", "generalized_dice", "mask", B1, pattern="empty"),
    case("generalized_dice_all_foreground", "generalized_dice", "mask", B1, pattern="full"),
    case("generalized_dice_single_pixel", "generalized_dice", "mask", PIXEL),
    case("generalized_dice_extreme_logits", "generalized_dice", "mask", B1, pattern="extreme"),
    case("generalized_dice_labels_all_ignored", "generalized_dice", "labels", MC, ignore_index=255, pattern="all_ignored"),
    # the forms of MONAI, smp and kornia (docs/porting.md): separate smoothing, log loss, empty channels, micro average
    case("dice_smooth_nr_dr_per_image", "dice(smooth_nr: 1e-5, smooth_dr: 1e-5, per_image: true)", "mask", ML),
    case("dice_smooth_nr_only", "dice(smooth: 0.5, smooth_nr: 0)", "mask", B1, "probs"),
    case("dice_log_loss_empty_zero", "dice(smooth: 0, log_loss: true, empty: zero)", "mask", ML, pattern="empty_channel"),
    case("dice_log_loss_smooth", "dice(log_loss: true)", "mask", B1, pattern="extreme"),
    case("dice_empty_zero_per_image", "dice(empty: zero, per_image: true)", "mask", B1, pattern="empty_image"),
    case("dice_micro_per_image", "dice(smooth: 0, smooth_dr: 1e-8, average: micro, per_image: true)", "mask", ML),
    case("dice_multilabel_no_background", "dice(include_background: false, weight: [1, 2, 3])", "mask", ML, "probs"),
    case("dice_labels_smooth_nr_dr", "dice(smooth_nr: 0, smooth_dr: 1e-8, per_image: true)", "labels", MC),
    case("dice_labels_log_loss_empty_zero", "dice(smooth: 0, log_loss: true, empty: zero)", "labels", MC, pattern="absent"),
    case("dice_labels_micro", "dice(smooth: 0, smooth_dr: 1e-8, average: micro, per_image: true)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("dice_labels_micro_batch_probs", "dice(average: micro)", "labels", MC, "probs"),
    case("dice_squared_pred_soft_target", "dice(squared_pred: true, per_image: true)", "mask", ML, pattern="soft"),
    case("dice_squared_pred_weight_map", "dice(squared_pred: true, smooth: 0)", "mask", B1, pixel_weight="pixel", valid="pixel"),
    case("dice_labels_squared_pred_ignore", "dice(squared_pred: true, include_background: false)", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("iou_squared_pred_micro", "iou(squared_pred: true, average: micro, per_image: true)", "mask", ML, "probs"),
    case("iou_labels_squared_pred", "jaccard(squared_pred: true, smooth_nr: 0.5, smooth_dr: 0.5)", "labels", MC),
    case("dice_soft_label_soft_target", "dice(soft_label: true, per_image: true)", "mask", ML, pattern="soft"),
    case("dice_soft_label_weight_map", "dice(soft_label: true, smooth: 0)", "mask", B1, "probs", pattern="soft", pixel_weight="channel", valid="pixel"),
    case("dice_labels_soft_label", "dice(soft_label: true, include_background: false)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("iou_soft_label_micro", "iou(soft_label: true, average: micro, squared_pred: true)", "mask", ML, "probs", pattern="soft"),
    case("iou_labels_soft_label", "iou(soft_label: true)", "labels", MC, "probs"),
    case("tversky_soft_label", "tversky(0.3, 0.7, soft_label: true, empty: zero)", "mask", ML, pattern="soft"),
    case("tversky_labels_soft_label", "tversky(soft_label: true, per_image: true)", "labels", MC),
    case("iou_smooth_nr_dr_log_loss", "iou(smooth_nr: 0.5, smooth_dr: 2, log_loss: true)", "mask", ML),
    case("iou_empty_zero", "iou(smooth: 0, empty: zero)", "mask", ML, pattern="empty_channel"),
    case("iou_micro", "jaccard(average: micro, per_image: true)", "mask", ML, "probs"),
    case("iou_multilabel_no_background", "iou(include_background: false, per_image: true)", "mask", ML),
    case("iou_labels_forms", "iou(smooth: 0, smooth_nr: 1e-5, smooth_dr: 1e-5, log_loss: true, empty: zero)", "labels", MC, pattern="absent"),
    case("iou_labels_micro", "iou(average: micro, smooth: 0)", "labels", MC),
    case("tversky_smooth_nr_dr_per_image", "tversky(0.3, 0.7, smooth_nr: 1e-5, smooth_dr: 1e-5, per_image: true)", "mask", ML),
    case("tversky_log_loss_empty_zero", "tversky(alpha: 0.7, beta: 0.3, smooth: 0, log_loss: true, empty: zero)", "mask", ML, pattern="empty_channel"),
    case("tversky_micro", "tversky(alpha: 0.4, beta: 0.6, smooth: 0, smooth_dr: 1e-8, average: micro, per_image: true)", "mask", ML),
    case("tversky_multilabel_no_background", "tversky(include_background: false)", "mask", ML, "probs"),
    case("tversky_labels_forms", "tversky(alpha: 0.3, beta: 0.7, smooth_nr: 0, smooth_dr: 1e-5, log_loss: true, empty: zero)", "labels", MC, pattern="absent"),
    case("tversky_labels_micro", "tversky(alpha: 0.5, beta: 0.5, smooth: 0, smooth_dr: 1e-8, average: micro, per_image: true)", "labels", MC),
    case("mcc_multilabel_no_background", "mcc(include_background: false)", "mask", ML),
    case("generalized_dice_monai_one_class", "generalized_dice(eps: 0, smooth_nr: 1e-5, smooth_dr: 1e-5, per_image: true, include_background: false)", "mask", B1, pattern="empty_image"),
    case("generalized_dice_simple_per_image", "generalized_dice(weight_type: simple, per_image: true)", "mask", ML, "probs"),
    case("generalized_dice_uniform_smooth", "generalized_dice(weight_type: uniform, smooth_nr: 0.5, smooth_dr: 1)", "mask", ML),
    case("generalized_dice_multilabel_eps_zero", "generalized_dice(eps: 0)", "mask", ML, pattern="empty_channel"),
    case("generalized_dice_labels_monai", "generalized_dice(eps: 0, smooth_nr: 1e-5, smooth_dr: 1e-5, per_image: true)", "labels", MC, pattern="absent"),
    case("generalized_dice_labels_monai_no_background", "generalized_dice(0, 1e-5, 1e-5, true, square, false)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("generalized_dice_labels_simple", "generalized_dice(weight_type: simple, eps: 0)", "labels", MC, pattern="absent"),
    case("generalized_dice_labels_uniform", "generalized_dice(weight_type: uniform, smooth_dr: 1e-5)", "labels", MC, "probs"),
    case("generalized_dice_labels_all_absent_eps_zero", "generalized_dice(eps: 0, smooth_nr: 1e-5, smooth_dr: 1e-5)", "labels", MC, ignore_index=255, pattern="all_ignored"),
    # MONAI's soft_label: the overlap of soft labels in the numerator
    case("generalized_dice_soft_label_soft_target", "generalized_dice(soft_label: true)", "mask", ML, pattern="soft"),
    case("generalized_dice_soft_label_binary_per_image_valid", "generalized_dice(per_image: true, soft_label: true)", "mask", B1, "probs", pattern="soft", valid="channel"),
    case("generalized_dice_soft_label_labels_ignore", "generalized_dice(eps: 0, soft_label: true)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("generalized_dice_soft_label_weight_map", "generalized_dice(weight_type: simple, include_background: false, soft_label: true) + dice(soft_label: true)", "mask", ML,
         pattern="soft", pixel_weight="pixel"),
    # mcc
    case("mcc_binary_logits", "mcc", "mask", B1),
    case("mcc_binary_probs", "mcc", "mask", B1, "probs"),
    case("mcc_multilabel_per_image", "mcc(per_image: true)", "mask", ML),
    case("mcc_multilabel_weight_probs", "mcc(smooth: 0.5, weight: [1, 2, 0.5])", "mask", ML, "probs"),
    case("mcc_positional", "mcc(0.01, true)", "mask", B1),
    case("mcc_soft_target", "mcc", "mask", ML, pattern="soft"),
    case("mcc_extreme_logits", "mcc", "mask", B1, pattern="extreme"),
    case("mcc_empty_mask", "mcc", "mask", B1, pattern="empty"),
    case("mcc_all_foreground", "mcc", "mask", B1, pattern="full"),
    case("mcc_no_spatial_dims", "mcc", "mask", (4, 3)),
    case("mcc_labels_logits", "mcc", "labels", MC),
    case("mcc_labels_no_background_ignore", "mcc(include_background: false)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("mcc_labels_ignored_image_per_image", "mcc(per_image: true)", "labels", MC, ignore_index=255, pattern="ignore_image"),
    case("mcc_labels_all_ignored", "mcc", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("mcc_labels_volume", "mcc(weight: [5, 1, 2])", "labels", (2, 3, 3, 4, 4), ignore_index=255, pattern="ignore"),
    case("mcc_with_bce_and_dice_logits", "bce + dice + 0.5 * mcc", "mask", B1),

    # sensitivity_specificity
    case("sensitivity_specificity_binary_logits", "sensitivity_specificity", "mask", B1),
    case("sensitivity_specificity_multilabel_probs", "sensitivity_specificity", "mask", ML, "probs"),
    case("sensitivity_specificity_params", "sensitivity_specificity(lambda: 0.3, smooth: 1)", "mask", B1),
    case("sensitivity_specificity_positional", "sensitivity_specificity(0.5, 0)", "mask", ML),
    case("sensitivity_specificity_labels", "sensitivity_specificity", "labels", MC),
    case("sensitivity_specificity_labels_ignore", "sensitivity_specificity(lambda: 0.2)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("sensitivity_specificity_soft_target", "sensitivity_specificity", "mask", B1, pattern="soft"),
    case("sensitivity_specificity_empty_mask", "sensitivity_specificity", "mask", B1, pattern="empty"),
    case("sensitivity_specificity_all_foreground", "sensitivity_specificity", "mask", B1, pattern="full"),
    case("sensitivity_specificity_single_pixel", "sensitivity_specificity", "mask", PIXEL),
    case("sensitivity_specificity_extreme_logits", "sensitivity_specificity", "mask", B1, pattern="extreme"),
    case("sensitivity_specificity_labels_all_ignored", "sensitivity_specificity", "labels", MC, ignore_index=255, pattern="all_ignored"),
    # ssim
    case("ssim_valid_border", "ssim(7, border: valid)", "mask", B1_12),
    case("ssim_reflect_border_probs", "ssim(5, 1, border: reflect)", "mask", ML_12, "probs"),
    case("ssim_data_range_k1_k2", "ssim(window: 5, data_range: 2, k1: 0.02, k2: 0.05)", "mask", B1_12, pattern="soft"),
    case("ssim_eps_reflect", "ssim(3, 1.5, 1, 0.01, 0.03, reflect, 1e-6)", "mask", B1_12),
    case("ssim_binary_logits", "ssim", "mask", B1_12),
    case("ssim_binary_probs", "ssim(11)", "mask", B1_12, "probs"),
    case("ssim_window_5", "ssim(5)", "mask", ML_12),
    case("ssim_window_sigma", "ssim(window: 7, sigma: 2)", "mask", B1_12),
    case("ssim_window_3_positional_probs", "ssim(3, 0.5)", "mask", ML, "probs"),
    case("ssim_soft_target", "ssim(7)", "mask", B1_12, pattern="soft"),
    case("ssim_empty_mask", "ssim", "mask", B1_12, pattern="empty"),
    case("ssim_all_foreground", "ssim(5)", "mask", B1_12, pattern="full"),
    case("ssim_extreme_logits", "ssim(5)", "mask", B1_12, pattern="extreme"),
    case("ssim_non_square", "ssim(3)", "mask", (2, 2, 5, 9)),
    # lovasz_hinge
    case("lovasz_hinge_per_image", "lovasz_hinge", "mask", B1),
    case("lovasz_hinge_batch", "lovasz_hinge(per_image: false)", "mask", B1),
    case("lovasz_hinge_positional_batch", "lovasz_hinge(false)", "mask", B1_12),
    case("lovasz_hinge_empty_image", "lovasz_hinge", "mask", B1, pattern="empty_image"),
    case("lovasz_hinge_empty_mask_batch", "lovasz_hinge(per_image: false)", "mask", B1, pattern="empty"),
    case("lovasz_hinge_all_foreground", "lovasz_hinge", "mask", B1, pattern="full"),
    case("lovasz_hinge_single_pixel", "lovasz_hinge", "mask", PIXEL),
    case("lovasz_hinge_extreme_logits", "lovasz_hinge", "mask", B1, pattern="extreme_distinct"),
    # lovasz_softmax
    case("lovasz_softmax_logits", "lovasz_softmax", "labels", MC),
    case("lovasz_softmax_probs", "lovasz_softmax", "labels", MC, "probs"),
    case("lovasz_softmax_all_classes", "lovasz_softmax(classes: all)", "labels", MC),
    case("lovasz_softmax_per_image", "lovasz_softmax(per_image: true)", "labels", MC),
    case("lovasz_softmax_ignore", "lovasz_softmax", "labels", MC, ignore_index=255, pattern="ignore"),
    case("lovasz_softmax_all_per_image_ignore", "lovasz_softmax(all, true)", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("lovasz_softmax_absent_present", "lovasz_softmax", "labels", MC, pattern="absent"),
    case("lovasz_softmax_absent_all", "lovasz_softmax(classes: all)", "labels", MC, pattern="absent"),
    case("lovasz_softmax_ignored_image_per_image", "lovasz_softmax(per_image: true)", "labels", MC, ignore_index=255, pattern="ignore_image"),
    case("lovasz_softmax_all_ignored", "lovasz_softmax", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("lovasz_softmax_all_classes_all_ignored", "lovasz_softmax(classes: all, per_image: true)", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("lovasz_softmax_single_pixel", "lovasz_softmax(classes: all)", "labels", PIXEL_MC),
    # class weights (mmseg's class_weight, normalised as every channel weight is): Σ w_c L_c / Σ w_c over the counted classes
    case("lovasz_softmax_weight", "lovasz_softmax(weight: [0.5, 2, 1, 3])", "labels", MC),
    case("lovasz_softmax_weight_absent_present_per_image", "lovasz_softmax(present, true, [1, 4, 0.5, 2])", "labels", MC, pattern="absent"),
    case("lovasz_softmax_weight_all_ignore_probs", "lovasz_softmax(classes: all, weight: [2, 1, 1, 0])", "labels", MC, "probs", ignore_index=255, pattern="ignore"),
    case("lovasz_softmax_weight_zero_on_present", "lovasz_softmax(weight: [0, 1, 0, 1])", "labels", MC, pattern="absent"),
    # boundary
    case("boundary_binary_logits", "boundary", "mask", B1_12),
    case("boundary_binary_probs", "boundary", "mask", B1_12, "probs"),
    case("boundary_multilabel", "boundary(theta0: 5, theta: 7)", "mask", ML_12),
    case("boundary_positional", "boundary(3, 3)", "mask", B1_12),
    case("boundary_no_extension", "boundary(3, 1)", "mask", B1_12),
    # 3-D: cubes for both pooling windows
    case("boundary_volume", "boundary(theta0: 3, theta: 3) + dice", "mask", (2, 1, 6, 7, 8)),
    case("ssim_volume", "ssim(5) + dice", "mask", (2, 1, 6, 7, 8)),
    case("ssim_volume_valid_probs", "ssim(window: 3, sigma: 1, border: valid)", "mask", (2, 2, 5, 6, 7), "probs"),
    case("ssim_volume_reflect_log_probs", "ssim(window: 3, border: reflect, eps: 1e-12)", "mask", (1, 1, 5, 6, 7), "log_probs"),
    # ms_ssim: pytorch_msssim's scales; every side above (window − 1)·2^(scales − 1)
    case("ms_ssim_three_scales", "ms_ssim(3, scale_weights: [0.2, 0.3, 0.5])", "mask", B1_12),
    case("ms_ssim_default_scales_probs", "ms_ssim(window: 3)", "mask", (1, 2, 33, 34), "probs"),
    case("ms_ssim_default_window_odd_sides", "ms_ssim(scale_weights: [0.4, 0.6])", "mask", (2, 1, 21, 24)),
    case("ms_ssim_every_parameter_log_probs", "ms_ssim(5, 1, 2, 0.02, 0.05, [0.5, 0.5])", "mask", (2, 3, 9, 10), "log_probs"),
    case("ms_ssim_odd_pooling", "ms_ssim(3, scale_weights: [0.3, 0.3, 0.4])", "mask", (2, 1, 13, 11), pattern="soft"),
    case("ms_ssim_empty_mask", "ms_ssim(3, scale_weights: [0.5, 0.5])", "mask", (2, 1, 9, 9), pattern="empty"),
    case("ms_ssim_volume", "ms_ssim(window: 3, sigma: 1, scale_weights: [0.2, 0.3, 0.5])", "mask", (1, 1, 9, 10, 11)),
    case("ms_ssim_volume_with_dice_probs", "dice + ms_ssim(3, scale_weights: [0.5, 0.5])", "mask", (2, 2, 6, 7, 8), "probs"),
    case("boundary_labels_volume_probs", "boundary", "labels", (2, 3, 6, 7, 8), "probs"),
    case("boundary_theta0_one", "boundary(1, 3)", "mask", B1),
    case("boundary_soft_target", "boundary", "mask", B1_12, pattern="soft"),
    case("boundary_empty_mask", "boundary", "mask", B1_12, pattern="empty"),
    case("boundary_all_foreground", "boundary", "mask", B1_12, pattern="full"),
    case("boundary_single_pixel", "boundary(1, 1)", "mask", PIXEL),
    case("boundary_labels_logits", "boundary", "labels", MC_12),
    case("boundary_labels_probs", "boundary(5, 3)", "labels", MC_12, "probs"),
    case("boundary_labels_absent_classes", "boundary", "labels", MC_12, pattern="absent"),
    # active_contour
    case("active_contour_binary_logits", "active_contour", "mask", B1_12),
    case("active_contour_binary_probs", "active_contour", "mask", B1_12, "probs"),
    case("active_contour_weight", "active_contour(weight: 1)", "mask", ML_12),
    case("active_contour_weight_zero", "active_contour(0)", "mask", B1_12, "probs"),
    case("active_contour_soft_target", "active_contour", "mask", B1_12, pattern="soft"),
    case("active_contour_empty_mask", "active_contour", "mask", B1_12, pattern="empty"),
    case("active_contour_all_foreground", "active_contour", "mask", B1_12, pattern="full"),
    case("active_contour_extreme_logits", "active_contour", "mask", B1_12, pattern="extreme"),
    case("active_contour_smallest", "active_contour(2.5)", "mask", (2, 1, 3, 3)),
    # combinations and expressions
    # Gaps a mutation audit found (issue 20): documented behaviour, fused paths and parameters no other case moves
    case("focal_alpha_zero", "focal(alpha: 0)", "mask", B1),
    case("focal_alpha_zero_probs", "focal(alpha: 0, gamma: 1.5)", "mask", B1, "probs"),
    case("focal_alpha_one_probs", "focal(alpha: 1, gamma: 1.5)", "mask", ML, "probs"),
    case("focal_probs_gamma_fraction", "focal(gamma: 2.5)", "mask", ML, "probs"),
    case("focal_labels_gamma_fraction", "focal(gamma: 1.5)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("combo_bce_pos_weight_dice_logits", "bce(pos_weight: 3) + dice", "mask", B1),
    case("combo_bce_pos_weight_auto_iou_per_image", "bce(pos_weight: auto) + iou(per_image: true)", "mask", ML),
    case("combo_bce_pos_weight_two_weights", "bce(pos_weight: 2) + bce(pos_weight: 0.5) + tversky", "mask", B1),
    case("tversky_labels_smooth_weight", "tversky(alpha: 0.3, beta: 0.7, smooth: 0.5, weight: [1, 2, 0.5, 1.5])", "labels", MC, ignore_index=255, pattern="ignore"),
    case("sensitivity_specificity_labels_probs_smooth", "sensitivity_specificity(lambda: 0.4, smooth: 1)", "labels", MC, "probs"),
    case("mcc_labels_probs_smooth", "mcc(smooth: 0.1)", "labels", MC, "probs"),
    case("jaccard_weight", "jaccard(weight: [1, 2, 0.5])", "mask", ML),
    case("focal_no_spatial_dims", "focal", "mask", (4, 3)),
    case("focal_labels_volume", "focal(gamma: 1)", "labels", (2, 3, 3, 4, 4), ignore_index=255, pattern="ignore"),
    case("iou_labels_no_spatial_dims", "iou", "labels", (5, 4)),
    case("tversky_volume", "tversky(alpha: 0.7, beta: 0.3)", "mask", (2, 2, 3, 4, 4)),
    case("generalized_dice_labels_volume", "generalized_dice", "labels", (2, 3, 3, 4, 4), ignore_index=255, pattern="ignore"),
    case("sensitivity_specificity_no_spatial_dims", "sensitivity_specificity", "mask", (4, 3)),
    case("lovasz_hinge_volume", "lovasz_hinge", "mask", (2, 1, 3, 4, 4)),
    case("lovasz_softmax_volume", "lovasz_softmax", "labels", (2, 3, 3, 4, 4), ignore_index=255, pattern="ignore"),

    case("combo_bce_ssim_iou", "bce + ssim(11) + iou", "mask", B1_12),
    case("combo_bce_ssim_iou_probs", "bce + ssim(11) + iou", "mask", B1_12, "probs"),
    case("combo_half_focal_dice", "0.5 * focal(gamma: 2) + dice", "mask", B1),
    case("combo_ce_dice_no_background_ignore", "ce + dice(include_background: false)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("combo_dice_no_background_half_focal_ignore", "dice(include_background: false) + 0.5 * focal(gamma: 2)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("combo_repeated_dice", "dice + dice(smooth: 0.5)", "mask", ML),
    case("combo_repeated_iou_three", "iou + iou(per_image: true) + 2 * iou(smooth: 0)", "labels", MC, ignore_index=255, pattern="ignore"),
    case("combo_iou_jaccard", "iou + jaccard(per_image: true)", "mask", B1),
    case("combo_scalar_functions", "sqrt(bce) + pow(dice, 2) - 0.1 * log(iou) + abs(-tversky) / 2 + exp(-ssim(5))", "mask", B1_12),
    case("combo_unary_minus_parentheses", "-(dice - 2) * (bce + 1) / 3", "mask", ML),
    case("combo_division_by_term", "bce / (1 + dice)", "mask", B1),
    case("combo_labels_everything", "ce(label_smoothing: 0.1) + lovasz_softmax + generalized_dice + sensitivity_specificity + focal(weight: [1, 2, 1, 2])", "labels", MC, ignore_index=255, pattern="ignore"),
    case("combo_labels_structure", "ce + boundary + 0.3 * tversky(include_background: false)", "labels", MC_12, "probs"),
    case("combo_mask_structure", "bce(pos_weight: auto) + boundary + active_contour(weight: 1) + lovasz_hinge", "mask", B1_12),
    case("combo_mask_everything_multilabel", "bce + focal + dice + iou + tversky + generalized_dice + sensitivity_specificity + ssim(5) + boundary + active_contour", "mask", ML_12),
    # Log-probabilities (log_softmax and logsigmoid outputs): ce is nll_loss on them, every other term reads exp(pred).
    case("log_probs_mask_everything", "bce(pos_weight: 2) + focal + dice + iou(per_image: true) + tversky + mcc + generalized_dice + sensitivity_specificity + ssim(5) + boundary + active_contour",
         "mask", ML_12, "log_probs"),
    case("log_probs_labels_everything", "ce([1, 2, 0.5, 1]) + focal + dice + iou + tversky + mcc + generalized_dice + sensitivity_specificity + lovasz_softmax + boundary",
         "labels", MC_12, "log_probs"),
    case("log_probs_labels_ignore", "ce(label_smoothing: 0.1) + dice(include_background: false)", "labels", MC, "log_probs", ignore_index=255, pattern="ignore"),
    # What region terms read (MONAI's sigmoid, softmax, other_act): raw values beside ce on logits (MONAI's DiceCELoss
    # with neither flag), tanh, and one activation beside the signature's, each with statistics of its own.
    case("dice_activation_none_beside_ce", "dice(activation: none, per_image: true) + ce", "labels", MC),
    case("dice_activation_tanh_beside_bce", "dice(activation: tanh) + bce + iou", "mask", ML),
    case("tversky_activation_sigmoid_labels", "tversky(activation: sigmoid, per_image: true) + dice", "labels", MC, ignore_index=255, pattern="ignore"),
    case("iou_activation_none_labels_probs", "iou(activation: none, per_image: true) + tversky(activation: tanh, alpha: 0.3, beta: 0.7)", "labels", MC, "probs"),
    case("tversky_activation_tanh_mask", "tversky(activation: tanh) + mcc", "mask", B1),
    case("iou_activation_softmax_mask", "iou(activation: softmax, squared_pred: true) + dice", "mask", ML),
    case("generalized_dice_activation_none_probs", "generalized_dice(activation: none) + focal", "mask", ML, "probs"),
    case("generalized_dice_activation_tanh_labels", "generalized_dice(activation: tanh, eps: 0, per_image: true)", "labels", MC, pattern="absent"),
    case("dice_activation_sigmoid_log_probs", "dice(activation: sigmoid, soft_label: true) + ce", "labels", MC, "log_probs"),
    # bce's label smoothing (Keras's t(1 − ε) + ε/2; smp's smooth_factor s is ε = 2s) and smp's mean over every element.
    case("bce_label_smoothing", "bce(label_smoothing: 0.2) + dice", "mask", ML),
    case("bce_label_smoothing_auto_probs", "bce(pos_weight: auto, label_smoothing: 0.1)", "mask", B1, "probs"),
    case("bce_mean_over_all_valid", "bce(pos_weight: 2, label_smoothing: 0.3, mean_over: all) + iou", "mask", ML, valid="channel"),
    case("bce_mean_over_all_weight_probs", "bce(mean_over: all)", "mask", B1, "probs", valid="pixel", pixel_weight="pixel"),
    case("bce_positional_smoothing_all", "bce(1, 0.05, all)", "mask", B1, valid="pixel"),
    # Channel weights on mask focal (MONAI's FocalLoss weight with the sigmoid form): each channel times w_c, plain mean.
    case("focal_mask_weight", "focal(weight: [0.5, 2, 1]) + dice", "mask", ML),
    case("focal_mask_weight_probs_valid", "focal(0.4, 1.5, [1, 0, 3])", "mask", ML, "probs", valid="pixel", pixel_weight="channel"),
    case("focal_mask_weight_binary_no_alpha", "focal(alpha: -1, weight: [2])", "mask", B1, valid="channel"),
    case("combo_all_ignored", "ce + dice + focal + lovasz_softmax + iou + generalized_dice", "labels", MC, ignore_index=255, pattern="all_ignored"),
    case("combo_extreme_logits", "bce + focal + dice", "mask", B1, pattern="extreme"),
    case("combo_affine_single_pixel", "2 * dice + 1", "mask", PIXEL),

    # valid masks (LOSSES.md, "Beyond pred and target")
    case("bce_valid_logits", "bce", "mask", B1, valid="pixel"),
    case("bce_valid_channel_auto_probs", "bce(pos_weight: auto)", "mask", ML, "probs", valid="channel"),
    case("focal_valid_logits", "focal", "mask", ML, valid="pixel"),
    case("focal_valid_probs", "focal(alpha: 0.5, gamma: 1.5)", "mask", B1, "probs", valid="pixel"),
    case("dice_iou_valid_channel", "dice + iou(per_image: true)", "mask", ML, valid="channel"),
    case("tversky_mcc_valid", "tversky(alpha: 0.7, beta: 0.3) + mcc", "mask", B1, valid="pixel"),
    case("generalized_dice_sensitivity_specificity_valid", "generalized_dice + sensitivity_specificity", "mask", B1, valid="pixel"),
    case("lovasz_hinge_valid_image", "lovasz_hinge", "mask", B1, valid="pixel", pattern="valid_image"),
    case("lovasz_hinge_valid_batch", "lovasz_hinge(per_image: false)", "mask", B1_12, valid="pixel"),
    case("ce_dice_valid_ignore", "ce(weight: [1, 2, 0.5, 1.5], label_smoothing: 0.1) + dice", "labels", MC, ignore_index=255, pattern="ignore", valid="pixel"),
    case("labels_valid_everything", "focal(gamma: 1.5) + lovasz_softmax + generalized_dice + sensitivity_specificity + mcc + tversky(per_image: true)", "labels", MC, valid="pixel"),
    case("valid_none_mask", "bce + focal + dice + iou + lovasz_hinge", "mask", B1, valid="pixel", pattern="valid_none"),
    case("valid_none_labels", "ce + focal + dice + lovasz_softmax", "labels", MC, valid="pixel", pattern="valid_none"),
    case("bce_dice_iou_valid_image_per_image", "bce + dice(per_image: true) + iou", "mask", B1, valid="pixel", pattern="valid_image"),
    # pixel weight maps
    case("bce_weight_logits", "bce", "mask", B1, pixel_weight="pixel"),
    case("bce_weight_channel_pos_weight_probs", "bce(pos_weight: 2)", "mask", ML, "probs", pixel_weight="channel"),
    case("bce_weight_pos_weight_auto", "bce(pos_weight: auto)", "mask", B1, pixel_weight="pixel"),
    case("focal_weight_logits", "focal(alpha: 0.25, gamma: 2)", "mask", ML, pixel_weight="pixel"),
    case("focal_weight_channel_probs", "focal(gamma: 0.5)", "mask", B1, "probs", pixel_weight="channel"),
    case("dice_iou_tversky_weight_channel", "dice + iou + tversky(0.3, 0.7)", "mask", ML, pixel_weight="channel"),
    case("region_weight_binary", "generalized_dice + sensitivity_specificity + mcc", "mask", B1, pixel_weight="pixel"),
    case("ce_weight", "ce", "labels", MC, pixel_weight="pixel"),
    case("ce_class_and_pixel_weights_ignore", "ce(weight: [1, 2, 0.5, 1.5], label_smoothing: 0.1)", "labels", MC, ignore_index=255, pattern="ignore", pixel_weight="pixel"),
    case("focal_labels_class_and_pixel_weights", "focal(gamma: 2, weight: [1, 2, 1, 2])", "labels", MC, ignore_index=255, pattern="ignore", pixel_weight="pixel"),
    case("labels_region_weight", "dice(per_image: true) + iou(include_background: false) + generalized_dice + sensitivity_specificity + mcc", "labels", MC, pixel_weight="pixel"),
    # both
    case("weight_and_valid_mask", "bce(pos_weight: auto) + focal + dice + iou", "mask", ML, pixel_weight="channel", valid="pixel"),
    case("weight_and_valid_labels_ignore", "ce + focal + dice + generalized_dice", "labels", MC, ignore_index=255, pattern="ignore", pixel_weight="pixel", valid="pixel"),
    case("weight_and_valid_volume", "ce + dice(include_background: false)", "labels", (2, 3, 3, 4, 4), pixel_weight="pixel", valid="pixel"),
    case("weight_and_valid_no_spatial_dims", "bce + dice + mcc", "mask", (4, 3), pixel_weight="pixel", valid="pixel"),
    case("lovasz_softmax_ce_valid_image_per_image", "lovasz_softmax(per_image: true) + 0.5 * ce", "labels", MC, valid="pixel", pattern="valid_image"),
    # deep supervision: side outputs at lower resolutions (and one at the target's), both policies, every weight mode
    case("deep_basnet_resize_pred", "bce + ssim(5) + iou", "mask", B1_12, sides=[(6, 6), (3, 3)], resize="pred", stride=2),
    case("deep_basnet_resize_target", "bce + ssim(3) + iou", "mask", B1_12, sides=[(6, 6), (4, 4)]),
    case("deep_exp_odd_sizes", "bce(pos_weight: auto) + dice", "mask", ML_12, sides=[(7, 5), (5, 3), (3, 2), (2, 1)], level_weights="exp"),
    case("deep_two_probs", "focal + dice(per_image: true)", "mask", B1_12, "probs", sides=[(6, 6), (12, 12)], level_weights="two"),
    case("deep_list_resize_pred_probs", "dice + mcc", "mask", ML_12, "probs", sides=[(6, 6), (3, 3)], level_weights=[1, 0.5, 0.25], resize="pred"),
    case("deep_labels_ignore", "ce + dice", "labels", MC_12, ignore_index=255, pattern="ignore", sides=[(6, 6), (3, 3)], level_weights="exp", stride=2),
    case("deep_labels_ignore_resize_pred", "ce(label_smoothing: 0.1) + generalized_dice + lovasz_softmax", "labels", MC_12, ignore_index=255, pattern="ignore", sides=[(6, 6)], resize="pred"),
    case("deep_weight_and_valid_mask", "bce + focal + dice + iou", "mask", ML_12, pixel_weight="channel", valid="pixel", sides=[(6, 6), (3, 3)], level_weights=[1, 0, 2]),
    case("deep_weight_and_valid_labels", "ce + focal + tversky", "labels", MC_12, ignore_index=255, pattern="ignore", pixel_weight="pixel", valid="pixel", sides=[(6, 6), (4, 4)], level_weights="two"),
    case("deep_weight_resize_pred", "bce(pos_weight: auto) + sensitivity_specificity", "mask", B1_12, pixel_weight="pixel", valid="pixel", sides=[(6, 6)], resize="pred"),
    case("deep_volume_trilinear", "ce + dice", "labels", (2, 3, 4, 6, 6), sides=[(2, 3, 3)], resize="pred"),
    case("deep_volume_nearest", "bce + dice", "mask", (2, 1, 4, 6, 6), sides=[(2, 3, 3), (1, 2, 2)], level_weights="exp"),
    case("deep_single_level", "bce + iou", "mask", B1, sides=[], level_weights=[2]),
]


# ----------------------------------------------------------------------------------------------------------
# Self-checks: a second computation for several primitives
# ----------------------------------------------------------------------------------------------------------

def check_close(what, a, b, tol=1e-12):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if a.shape != b.shape or not torch.allclose(a, b, rtol=tol, atol=tol):
        raise AssertionError(f"self-check failed: {what}: {a} vs {b}")


def value_and_grad(fn, x):
    x = x.clone().requires_grad_(True)
    value = fn(x)
    return value.detach(), torch.autograd.grad(value, x)[0]


def check_pair(what, fn_a, fn_b, x, tol=1e-12):
    va, ga = value_and_grad(fn_a, x)
    vb, gb = value_and_grad(fn_b, x)
    check_close(what + " value", va, vb, tol)
    check_close(what + " gradient", ga, gb, tol)


def torchvision_style_focal(x, t, alpha, gamma):
    p = torch.sigmoid(x)
    ce_loss = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * t + (1 - alpha) * (1 - t)) * loss
    return loss.mean()


def separable_gaussian_filter(x, window, sigma):
    n, c, h, w = x.shape
    g = gaussian_1d(window, sigma)
    y = F.conv2d(x.reshape(n * c, 1, h, w), g.view(1, 1, window, 1), padding=(window // 2, 0))
    y = F.conv2d(y, g.view(1, 1, 1, window), padding=(0, window // 2))
    return y.view(n, c, h, w)


def lovasz_by_set_function(errors, gt, transform):
    """Lovász extension written from its definition: Σ_k (e_(k) − e_(k+1)) Δ(S_k), Δ(S) = |S| / |gt ∪ S|,
    S_k the k largest errors, with transform applied to the errors (relu for the hinge)."""
    e = transform(errors)
    order = sorted(range(len(errors)), key=lambda i: -float(errors[i]))
    foreground = {i for i in range(len(gt)) if gt[i] > 0.5}
    total = torch.zeros(())
    for k in range(1, len(order) + 1):
        chosen = set(order[:k])  # the k largest errors taken as the mispredicted set m
        delta = 1 - len(foreground - chosen) / len(foreground | chosen)  # Jaccard loss of that prediction
        following = e[order[k]] if k < len(order) else torch.zeros(())
        total = total + (e[order[k - 1]] - following) * delta
    return total


def unfold_max_pool(x, size):
    n, c, h, w = x.shape
    pad = (size - 1) // 2
    padded = F.pad(x, (pad, pad, pad, pad), value=-math.inf)
    return F.unfold(padded.reshape(n * c, 1, h + 2 * pad, w + 2 * pad), size).max(1).values.view(n, c, h, w)


def self_checks():
    gen = torch.Generator().manual_seed(1234)
    x = 2 * torch.randn((2, 3, 6, 6), generator=gen)
    t = (torch.rand((2, 3, 6, 6), generator=gen) > 0.6).to(torch.float64)
    on_mask = lambda fn, args, kind="logits": (lambda z: fn(Batch(z, t, kind, "mask", None), args))

    # bce against PyTorch's own losses
    check_pair("bce logits", on_mask(bce, {"pos_weight": 3.0}), lambda z: F.binary_cross_entropy_with_logits(z, t, pos_weight=torch.tensor(3.0)), x)
    check_pair("bce label smoothing", on_mask(bce, {"pos_weight": 3.0, "label_smoothing": 0.2}),
               lambda z: F.binary_cross_entropy_with_logits(z, t * 0.8 + 0.1, pos_weight=torch.tensor(3.0)), x)
    check_pair("bce probs", on_mask(bce, {"pos_weight": 1.0}, "probs"), lambda z: F.binary_cross_entropy(z, t), torch.sigmoid(x))
    auto = float((t.numel() - t.sum()) / t.sum())
    check_pair("bce auto", on_mask(bce, {"pos_weight": "auto"}), lambda z: F.binary_cross_entropy_with_logits(z, t, pos_weight=torch.tensor(auto)), x)
    check_pair("bce extreme", on_mask(bce, {"pos_weight": 2.0}), lambda z: F.binary_cross_entropy_with_logits(z, t, pos_weight=torch.tensor(2.0)), 1e4 * torch.sign(x))

    # focal against the torchvision formulation
    for alpha, gamma in [(0.25, 2.0), (-1.0, 1.5), (0.6, 0.0)]:
        check_pair(f"focal alpha={alpha} gamma={gamma}", on_mask(focal_mask, {"alpha": alpha, "gamma": gamma}), lambda z: torchvision_style_focal(z, t, alpha, gamma), x)

    # ce against F.cross_entropy (weight, ignore_index, label_smoothing) and F.nll_loss for probabilities
    logits = 2 * torch.randn((2, 4, 5, 5), generator=gen)
    labels = torch.randint(0, 4, (2, 5, 5), generator=gen)
    labels[0, :2] = 255
    weight = [1.0, 2.0, 0.5, 1.5]
    for w, eps in [(None, 0.0), (weight, 0.0), (None, 0.2), (weight, 0.1)]:
        check_pair(f"ce weight={w} eps={eps}", lambda z: ce(Batch(z, labels, "logits", "labels", 255), {"weight": w, "label_smoothing": eps}),
                   lambda z: F.cross_entropy(z, labels, weight=None if w is None else torch.tensor(w), ignore_index=255, label_smoothing=eps), logits)
    # mean_over: all against mmseg's reduction (avg_non_ignore=False): F.cross_entropy per pixel, then the plain mean
    check_pair("ce mean over all", lambda z: ce(Batch(z, labels, "logits", "labels", 255), {"weight": weight, "label_smoothing": 0.0, "mean_over": "all"}),
               lambda z: F.cross_entropy(z, labels, weight=torch.tensor(weight), ignore_index=255, reduction="none").mean(), logits)
    check_pair("ce probs", lambda z: ce(Batch(z, labels, "probs", "labels", 255), {"weight": weight, "label_smoothing": 0.0}),
               lambda z: F.nll_loss(torch.log(z), labels, weight=torch.tensor(weight), ignore_index=255), torch.softmax(logits, 1))
    # focal for labels with gamma 0 is the unweighted cross-entropy
    check_pair("focal labels gamma 0", lambda z: focal_labels(Batch(z, labels, "logits", "labels", 255), {"gamma": 0.0, "weight": None}),
               lambda z: F.cross_entropy(z, labels, ignore_index=255), logits)

    # dice per image against a loop over images; generalized dice of a binary mask against its two-class labels form
    dice_args = bind_arguments("dice", "mask", [], {"smooth": 0.7, "per_image": True, "weight": [1.0, 2.0, 0.5]})
    check_pair("dice per image", on_mask(dice, dice_args),
               lambda z: torch.stack([dice(Batch(z[n:n + 1], t[n:n + 1], "logits", "mask", None), dict(dice_args, per_image=False)) for n in range(2)]).mean(), x)
    t1 = t[:, :1]
    gd_args = bind_arguments("generalized_dice", "mask", [], {})
    check_pair("generalized dice binary", lambda z: generalized_dice(Batch(z, t1, "logits", "mask", None), gd_args),
               lambda z: generalized_dice(Batch(torch.cat([1 - torch.sigmoid(z), torch.sigmoid(z)], 1), t1[:, 0].long(), "probs", "labels", None), gd_args), x[:, :1])

    # mcc of one channel against smp's MCCLoss formula (all elements pooled, eps added to each confusion sum)
    def smp_style_mcc(y_pred, y_true, eps):
        tp = (y_pred * y_true).sum() + eps
        tn = ((1 - y_pred) * (1 - y_true)).sum() + eps
        fp = (y_pred * (1 - y_true)).sum() + eps
        fn = ((1 - y_pred) * y_true).sum() + eps
        return 1 - (tp * tn - fp * fn) / torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc_args = {"smooth": 1e-5, "per_image": False, "weight": None, "include_background": True}
    check_pair("mcc binary", lambda z: mcc(Batch(z, t1, "probs", "mask", None), mcc_args),
               lambda z: smp_style_mcc(z, t1, 1e-5), torch.sigmoid(x[:, :1]))

    # ssim: 2-D window against two 1-D passes
    check_pair("ssim separable", lambda z: 1 - ssim_map(torch.sigmoid(z), t, 5, 1.2).mean(),
               lambda z: 1 - ssim_map(torch.sigmoid(z), t, 5, 1.2, separable_gaussian_filter).mean(), x)
    # ... and a constant image equal to its target (interior) is perfectly similar
    check_close("ssim identical", ssim_map(torch.full((1, 1, 9, 9), 0.5), torch.full((1, 1, 9, 9), 0.5), 3, 1.5)[0, 0, 1:-1, 1:-1], torch.ones(7, 7))

    # Pixel weight maps and valid masks against PyTorch's own element weights and reduction='none'
    w_map = 0.5 + torch.rand((2, 1, 6, 6), generator=gen)
    v_map = (torch.rand((2, 1, 6, 6), generator=gen) > 0.3).to(torch.float64)
    kept = v_map.expand_as(t).sum()
    check_pair("bce weight map and valid mask", lambda z: bce(Batch(z, t, "logits", "mask", None, v_map, w_map), {"pos_weight": 2.0}),
               lambda z: F.binary_cross_entropy_with_logits(z, t, weight=(w_map * v_map).expand_as(t), pos_weight=torch.tensor(2.0), reduction="sum") / kept, x)
    w_px, v_px = w_map[:, 0, :5, :5], v_map[:, 0, :5, :5]
    kept_labels = (labels != 255) & v_px.bool()
    check_pair("ce weight map and valid mask",
               lambda z: ce(Batch(z, labels, "logits", "labels", 255, v_px, w_px), {"weight": weight, "label_smoothing": 0.0}),
               lambda z: (F.cross_entropy(z, torch.where(kept_labels, labels, torch.full_like(labels, 255)), weight=torch.tensor(weight), ignore_index=255, reduction="none") * w_px).sum()
               / torch.tensor(weight)[torch.where(kept_labels, labels, torch.zeros_like(labels))][kept_labels].sum(), logits)
    check_pair("dice valid mask drops pixels", lambda z: dice(Batch(z, t[:, :1], "logits", "mask", None, v_map), bind_arguments("dice", "mask", [], {})),
               lambda z: 1 - (2 * (torch.sigmoid(z) * t[:, :1])[v_map.bool()].sum() + 1) / (torch.sigmoid(z)[v_map.bool()].sum() + t[:, :1][v_map.bool()].sum() + 1), x[:, :1])

    # Lovász: lovasz_grad against the extension written from the set function
    e = torch.randn(10, generator=gen)
    g = (torch.rand(10, generator=gen) > 0.5).to(torch.float64)
    check_pair("lovasz hinge extension", lambda z: lovasz_extension(z, g, F.relu), lambda z: lovasz_by_set_function(z, g, F.relu), e)
    check_pair("lovasz softmax extension", lambda z: lovasz_extension(z.abs(), g), lambda z: lovasz_by_set_function(z.abs(), g, lambda v: v), e)

    # boundary: max pooling against an unfold-based max
    check_pair("boundary pooling", lambda z: boundary_f1_loss(torch.sigmoid(z), t, 3, 5),
               lambda z: boundary_f1_loss(torch.sigmoid(z), t, 3, 5, unfold_max_pool), x)

    # autograd against finite differences for the guarded and clamped forms
    small = lambda z: z[:1, :, :4, :4]
    cases = [
        ("ce ls", lambda z: ce(Batch(z, labels[:1, :4, :4], "logits", "labels", 255), {"weight": weight, "label_smoothing": 0.1}), small(logits)),
        ("mcc", lambda z: mcc(Batch(z, labels[:1, :4, :4], "logits", "labels", 255), {"smooth": 0.1, "per_image": False, "weight": weight, "include_background": False}), small(logits)),
        ("sens-spec", lambda z: sensitivity_specificity(Batch(z, t[:1, :, :4, :4], "logits", "mask", None), {"lambda": 0.3, "smooth": 1e-5}), small(x)),
        ("tversky", lambda z: tversky(Batch(z, t[:1, :, :4, :4], "probs", "mask", None), bind_arguments("tversky", "mask", [], {"alpha": 0.7, "beta": 0.3, "per_image": True})), torch.sigmoid(small(x))),
        ("active contour", lambda z: active_contour(Batch(z, t[:1, :, :4, :4], "logits", "mask", None), {"weight": 10.0}), small(x)),
        ("ssim", lambda z: ssim(Batch(z, t[:1, :, :4, :4], "logits", "mask", None), {"window": 3, "sigma": 1.5}), small(x)),
    ]
    for what, fn, z in cases:
        if not torch.autograd.gradcheck(fn, (z.clone().requires_grad_(True),), eps=1e-6, atol=1e-7, rtol=1e-5):
            raise AssertionError(f"self-check failed: gradcheck {what}")


# ----------------------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------------------

def tensor_json(x, integers=False):
    data = [int(v) for v in x.flatten().tolist()] if integers else [float(v) for v in x.flatten().tolist()]
    return {"shape": list(x.shape), "data": data}


def compute_deep(spec, preds, target, valid, weight):
    """The deep-supervised loss, every level's terms and d total / d pred_k for every level."""
    preds = [p.clone().requires_grad_(True) for p in preds]
    unreduced = {}
    total, values = deep_loss(spec, preds, target, valid, weight, unreduced)
    grads = torch.autograd.grad(total, preds)
    return total.detach(), {k: v.detach() for k, v in values.items()}, grads, {k: v.detach() for k, v in unreduced.items()}


def fixture_json(spec):
    preds, target, valid, weight = make_inputs(spec)
    pred = preds[0]
    if spec["sides"] is not None:
        total, terms, grads, unreduced = compute_deep(spec, preds, target, valid, weight)
        grad = grads[0]
    else:
        total, terms, grad, unreduced = compute(spec["loss"], pred, target, spec["input_kind"], spec["target_kind"], spec["ignore_index"], valid, weight)
    labels = spec["target_kind"] == "labels"
    map_kind = {None: None, "pixel": "PerPixel", "channel": "PerChannel"}
    record = [
        ("name", spec["name"]),
        ("loss", spec["loss"]),
        ("input_kind", spec["input_kind"]),
        ("target_kind", spec["target_kind"]),
        ("classes", int(pred.shape[1])),
        ("ignore_index", spec["ignore_index"]),
        ("pred", tensor_json(pred)),
        ("target", tensor_json(target, integers=labels)),
        ("total", float(total)),
        ("terms", {k: float(v) for k, v in terms.items()}),
        ("grad", tensor_json(grad)),
        ("unreduced", {k: tensor_json(v) for k, v in unreduced.items()}),
    ]
    # The declared per-pixel inputs, after the target; fixtures without them have no such keys.
    maps = [("pixel_weight", spec["pixel_weight"], weight), ("valid", spec["valid"], valid)]
    at = [k for k, _ in record].index("target") + 1
    record[at:at] = [entry for key, kind, tensor in maps if kind is not None
                     for entry in ((key + "_map", map_kind[kind]), (key, tensor_json(tensor)))]
    if spec["sides"] is not None:
        # Deep supervision: the policy after the main prediction, the side outputs and their gradients at the end.
        at = [k for k, _ in record].index("pred") + 1
        levels = {"weights": spec["level_weights"], "resize": spec["resize"]}
        if spec["stride"] is not None:
            levels["stride"] = spec["stride"]
        record[at:at] = [("levels", levels),
                         ("side_preds", [tensor_json(p) for p in preds[1:]])]
        record.append(("side_grads", [tensor_json(g) for g in grads[1:]]))
    for key, value in record:
        json.dumps(value, allow_nan=False)  # raises on NaN / Inf: such a fixture is a bug
    return "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in record) + "\n}\n"


def finite_difference_check(spec, grad, step=1e-6):
    """Largest |autograd − central difference| over pred, relative to max(1, |grad|): flags kinks and ties."""
    (pred,), target, valid, weight = make_inputs(spec)
    run = loss_function(spec["loss"], target, spec["input_kind"], spec["target_kind"], spec["ignore_index"], valid, weight)
    flat = pred.flatten()
    worst = 0.0
    for i in range(flat.numel()):
        up, down = flat.clone(), flat.clone()
        up[i] += step
        down[i] -= step
        numeric = (float(run(up.view_as(pred))[0]) - float(run(down.view_as(pred))[0])) / (2 * step)
        analytic = float(grad.flatten()[i])
        worst = max(worst, abs(numeric - analytic) / max(1.0, abs(analytic)))
    return worst


# ----------------------------------------------------------------------------------------------------------
# U-Net weight maps (LOSSES.md "Beyond pred and target"), by brute force: every pixel against every object pixel
# ----------------------------------------------------------------------------------------------------------

MAPS_DIR = os.path.join(OUT_DIR, "Maps")


def unet_weights_brute_force(instances, w0, sigma):
    """instances: [N, *spatial] int64. Distances from pixel centres to object pixel centres, all pairs, exact."""
    n = instances.shape[0]
    spatial = instances.shape[1:]
    coords = torch.stack(torch.meshgrid(*[torch.arange(s, dtype=torch.float64) for s in spatial], indexing="ij"), -1).reshape(-1, len(spatial))
    out = torch.zeros(instances.shape, dtype=torch.float64)
    for i in range(n):
        labels = instances[i].reshape(-1)
        total = labels.numel()
        fg = int((labels > 0).sum())
        bg = total - fg
        present = (fg > 0) + (bg > 0)
        w = torch.where(labels > 0, torch.full((total,), total / (present * max(fg, 1)), dtype=torch.float64),
                        torch.full((total,), total / (present * max(bg, 1)), dtype=torch.float64))
        ids = sorted(set(int(v) for v in labels.tolist() if v > 0))
        if len(ids) >= 2 and w0 > 0:
            # [pixels, objects]: each object's nearest pixel, by the full distance matrix
            per_object = torch.stack([torch.cdist(coords, coords[labels == k]).min(1).values for k in ids], 1)
            two = per_object.sort(1).values[:, :2]
            border = w0 * torch.exp(-(two.sum(1) ** 2) / (2 * sigma ** 2))
            w = w + torch.where(labels == 0, border, torch.zeros_like(border))
        out[i] = w.reshape(spatial)
    return out


def make_instances(shape, boxes):
    """Objects as boxes (id, start..stop per dim) on background; later boxes overwrite earlier ones."""
    labels = torch.zeros(shape, dtype=torch.int64)
    for image, box_list in enumerate(boxes):
        for object_id, ranges in box_list:
            labels[(image,) + tuple(slice(a, b) for a, b in ranges)] = object_id
    return labels


MAP_FIXTURES = [
    # two touching cells with a one-pixel gap, a third apart; ids 3, 7, 20; second image: one object only
    ("unet_2d_touching_cells", (2, 12, 12), 10.0, 5.0,
     [[(3, [(1, 6), (1, 5)]), (7, [(1, 6), (6, 11)]), (20, [(8, 11), (2, 9)])], [(5, [(3, 7), (3, 7)])]]),
    # background only, and all foreground
    ("unet_2d_single_class_images", (2, 5, 7), 10.0, 5.0, [[], [(1, [(0, 5), (0, 7)])]]),
    # other w0 and sigma
    ("unet_2d_narrow_border", (1, 9, 10), 5.0, 2.0, [[(1, [(0, 4), (0, 4)]), (2, [(5, 9), (0, 4)]), (4, [(0, 9), (6, 10)])]]),
    ("unet_3d_volume", (1, 5, 6, 6), 10.0, 3.0, [[(1, [(0, 2), (0, 3), (0, 3)]), (2, [(3, 5), (0, 3), (0, 3)]), (9, [(0, 5), (4, 6), (2, 6)])]]),
]


def write_map_fixtures():
    os.makedirs(MAPS_DIR, exist_ok=True)
    for name, shape, w0, sigma, boxes in MAP_FIXTURES:
        instances = make_instances(shape, boxes)
        weights = unet_weights_brute_force(instances, w0, sigma)
        record = {"name": name, "w0": w0, "sigma": sigma, "instances": tensor_json(instances, integers=True), "weights": tensor_json(weights)}
        with open(os.path.join(MAPS_DIR, name + ".json"), "w", encoding="utf-8", newline="\n") as f:
            f.write(json.dumps(record, allow_nan=False) + "\n")


def main():
    self_checks()
    if "--check-gradients" in sys.argv:
        # Optionally only the fixtures named after the flag: --check-gradients bce_valid_logits weight_and_valid_mask
        only = set(sys.argv[sys.argv.index("--check-gradients") + 1:])
        for spec in (s for s in FIXTURES if (not only or s["name"] in only) and s["sides"] is None):
            (pred,), target, valid, weight = make_inputs(spec)
            _, _, grad, _ = compute(spec["loss"], pred, target, spec["input_kind"], spec["target_kind"], spec["ignore_index"], valid, weight)
            worst = finite_difference_check(spec, grad)
            print(f"{spec['name']}: {worst:.2e}" + ("  <-- MISMATCH" if worst > 1e-5 else ""), flush=True)
        return 0
    names = [spec["name"] for spec in FIXTURES]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise AssertionError(f"duplicate fixture names: {sorted(duplicates)}")
    os.makedirs(OUT_DIR, exist_ok=True)
    for stale in os.listdir(OUT_DIR):
        if stale.endswith(".json") and stale[:-5] not in names and not stale.startswith("port_"):  # port_*: port_peers.py
            os.remove(os.path.join(OUT_DIR, stale))
    total_size = 0
    for spec in FIXTURES:
        text = fixture_json(spec)
        with open(os.path.join(OUT_DIR, spec["name"] + ".json"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        total_size += len(text.encode())
    write_map_fixtures()
    print(f"torch {torch.__version__}: {len(FIXTURES)} fixtures, {total_size} bytes in {OUT_DIR}; {len(MAP_FIXTURES)} U-Net maps in {MAPS_DIR}")


if __name__ == "__main__":
    sys.exit(main())
