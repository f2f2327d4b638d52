#!/usr/bin/python3
"""PyTorch eager timings of the losses in benchmarks/LossDsl.Benchmarks, written the way common recipes write them.

Same losses, shapes (binary 8x1x256x256, multiclass 4x5x128x128), dtype (float32), device (CPU) and thread count
(all cores) as the .NET benchmarks; each step is forward + torch.autograd.grad(loss, pred), as there.

    /usr/bin/python3 bench.py                   # print medians
    /usr/bin/python3 bench.py --json out.json   # also write them, with peak native memory, for the report

Besides the wall-clock median (threads = cores), each loss's median CPU time per step on one thread is measured
(time.thread_time around the step), as the .NET suite does: on a shared machine it measures the work, not the load.

Peak native memory is measured as in the .NET benchmarks, in a child process (`--memory`): glibc is told to serve
every block of 64 KiB or more with its own mmap (so a freed tensor leaves the resident set at once), the resident-set
peak (VmHWM) is reset through /proc/self/clear_refs before a step, and the peak minus the resident set before the
step is what the step needed.
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

BINARY = (8, 1, 256, 256)
MULTICLASS = (4, 5, 128, 128)


# --- the recipes: one function per term, each doing its own sigmoid / softmax, flatten and sums -------------------

def bce(logits, mask):
    return F.binary_cross_entropy_with_logits(logits, mask)


def dice(logits, mask, smooth=1.0):
    p = torch.sigmoid(logits).view(-1)
    t = mask.view(-1)
    intersection = (p * t).sum()
    return 1 - (2.0 * intersection + smooth) / (p.sum() + t.sum() + smooth)


def iou(logits, mask, smooth=1.0):
    p = torch.sigmoid(logits).view(-1)
    t = mask.view(-1)
    intersection = (p * t).sum()
    union = (p + t).sum() - intersection
    return 1 - (intersection + smooth) / (union + smooth)


class SSIM:
    """pytorch_ssim's SSIM (as BASNet uses it): 2-D Gaussian window, five depthwise conv2d, 1 - mean(SSIM map)."""

    def __init__(self, window_size=11, sigma=1.5):
        gauss = torch.tensor([math.exp(-(x - window_size // 2) ** 2 / (2 * sigma ** 2)) for x in range(window_size)],
                             dtype=torch.float64)
        gauss = (gauss / gauss.sum()).unsqueeze(1)
        self.window = gauss.mm(gauss.t()).unsqueeze(0).unsqueeze(0)
        self.size = window_size

    def __call__(self, logits, mask):
        img1, img2 = torch.sigmoid(logits), mask
        channel = img1.shape[1]
        window = self.window.to(img1.dtype).expand(channel, 1, self.size, self.size)
        pad = self.size // 2
        mu1 = F.conv2d(img1, window, padding=pad, groups=channel)
        mu2 = F.conv2d(img2, window, padding=pad, groups=channel)
        mu1_sq, mu2_sq, mu1_mu2 = mu1.pow(2), mu2.pow(2), mu1 * mu2
        sigma1_sq = F.conv2d(img1 * img1, window, padding=pad, groups=channel) - mu1_sq
        sigma2_sq = F.conv2d(img2 * img2, window, padding=pad, groups=channel) - mu2_sq
        sigma12 = F.conv2d(img1 * img2, window, padding=pad, groups=channel) - mu1_mu2
        c1, c2 = 0.01 ** 2, 0.03 ** 2
        ssim_map = ((2 * mu1_mu2 + c1) * (2 * sigma12 + c2)) / ((mu1_sq + mu2_sq + c1) * (sigma1_sq + sigma2_sq + c2))
        return 1 - ssim_map.mean()


def sigmoid_focal(logits, mask, alpha=0.25, gamma=2.0):
    """torchvision.ops.sigmoid_focal_loss, reduction 'mean'."""
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, mask, reduction="none")
    p_t = p * mask + (1 - p) * (1 - mask)
    loss = ce * ((1 - p_t) ** gamma)
    alpha_t = alpha * mask + (1 - alpha) * (1 - mask)
    return (alpha_t * loss).mean()


def lovasz_grad(gt_sorted):
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1.0 - intersection / union
    jaccard[1:] = jaccard[1:] - jaccard[:-1]
    return jaccard


def lovasz_hinge(logits, mask):
    """Berman et al.'s lovasz_hinge(per_image=True): a loop over images, sort, Lovasz gradient, dot."""
    losses = []
    for log, lab in zip(logits, mask):
        log, lab = log.view(-1), lab.view(-1)
        signs = 2.0 * lab - 1.0
        errors = 1.0 - log * signs
        errors_sorted, perm = torch.sort(errors, dim=0, descending=True)
        grad = lovasz_grad(lab[perm])
        losses.append(torch.dot(F.relu(errors_sorted), grad))
    return torch.stack(losses).mean()


def ce(logits, labels):
    return F.cross_entropy(logits, labels)


def multiclass_dice(logits, labels, smooth=1.0):
    """segmentation_models_pytorch's DiceLoss('multiclass') without its absent-class mask (every class is present)."""
    n, c = logits.shape[:2]
    p = logits.softmax(dim=1).view(n, c, -1)
    t = F.one_hot(labels.view(n, -1), c).permute(0, 2, 1).to(logits.dtype)
    intersection = (p * t).sum(dim=(0, 2))
    cardinality = (p + t).sum(dim=(0, 2))
    return (1 - (2 * intersection + smooth) / (cardinality + smooth)).mean()


def multiclass_focal(logits, labels, gamma=2.0):
    """The common multiclass focal recipe: per-pixel cross-entropy, p_t = exp(-ce), mean((1 - p_t)^gamma * ce)."""
    ce_pixels = F.cross_entropy(logits, labels, reduction="none")
    return ((1 - torch.exp(-ce_pixels)) ** gamma * ce_pixels).mean()


def boundary(logits, labels, theta0=3, theta=5):
    """Boundary loss (Bokhovkin et al. 2019) as its public PyTorch implementation writes it."""
    n, c = logits.shape[:2]
    p = torch.softmax(logits, dim=1)
    one_hot = F.one_hot(labels, c).permute(0, 3, 1, 2).to(logits.dtype)
    gt_b = F.max_pool2d(1 - one_hot, kernel_size=theta0, stride=1, padding=(theta0 - 1) // 2) - (1 - one_hot)
    pred_b = F.max_pool2d(1 - p, kernel_size=theta0, stride=1, padding=(theta0 - 1) // 2) - (1 - p)
    gt_b_ext = F.max_pool2d(gt_b, kernel_size=theta, stride=1, padding=(theta - 1) // 2)
    pred_b_ext = F.max_pool2d(pred_b, kernel_size=theta, stride=1, padding=(theta - 1) // 2)
    gt_b, pred_b = gt_b.view(n, c, -1), pred_b.view(n, c, -1)
    gt_b_ext, pred_b_ext = gt_b_ext.view(n, c, -1), pred_b_ext.view(n, c, -1)
    precision = (pred_b * gt_b_ext).sum(dim=2) / (pred_b.sum(dim=2) + 1e-7)
    recall = (pred_b_ext * gt_b).sum(dim=2) / (gt_b.sum(dim=2) + 1e-7)
    bf1 = 2 * precision * recall / (precision + recall + 1e-7)
    return (1 - bf1).mean()


def combined(*terms):
    return lambda pred, target: sum(term(pred, target) for term in terms)


SSIM11 = SSIM(11, 1.5)

# Names as in the .NET report (LossCases.cs).
CASES = [
    ("bce + dice + iou", "mask", combined(bce, dice, iou)),
    ("bce + ssim(11) + iou", "mask", combined(bce, SSIM11, iou)),
    ("focal + dice", "mask", combined(sigmoid_focal, dice)),
    ("lovasz_hinge", "mask", lovasz_hinge),
    ("ce + dice (multiclass)", "labels", combined(ce, multiclass_dice)),
    ("dice + focal (multiclass)", "labels", combined(multiclass_dice, multiclass_focal)),
    ("boundary + ce (multiclass)", "labels", combined(boundary, ce)),
]


def inputs(kind, seed=0):
    generator = torch.Generator().manual_seed(seed)
    shape = BINARY if kind == "mask" else MULTICLASS
    pred = (2 * torch.randn(shape, dtype=torch.float64, generator=generator)).float().requires_grad_()
    if kind == "mask":
        target = (torch.rand(shape, dtype=torch.float64, generator=generator) < 0.3).float()
    else:
        target = torch.randint(0, shape[1], (shape[0],) + shape[2:], generator=generator)
    return pred, target


def step(loss, pred, target):
    value = loss(pred, target)
    torch.autograd.grad(value, pred)


def median_ms(loss, pred, target, warmup, min_seconds, min_repeats):
    for _ in range(warmup):
        step(loss, pred, target)
    times, start = [], time.perf_counter()
    while len(times) < min_repeats or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        step(loss, pred, target)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def cpu_ms(loss, pred, target, repeats):
    """Median CPU time of a step on one thread: with intra-op parallelism off, forward and (CPU) backward run on the
    calling thread, so its CPU time is the step's work whatever else the machine runs."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(2):
            step(loss, pred, target)
        times = []
        for _ in range(repeats):
            t0 = time.thread_time()
            step(loss, pred, target)
            times.append((time.thread_time() - t0) * 1e3)
        return statistics.median(times)
    finally:
        torch.set_num_threads(threads)


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def peak_memory():
    libc = ctypes.CDLL("libc.so.6")
    if libc.mallopt(-3, 64 * 1024) != 1 or libc.mallopt(-1, 128 * 1024) != 1:  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
        raise RuntimeError("mallopt refused the thresholds")
    peaks = {}
    for name, kind, loss in CASES:
        pred, target = inputs(kind)
        step(loss, pred, target)
        step(loss, pred, target)
        peak = 0
        for _ in range(3):
            libc.malloc_trim(0)
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            before = status("VmRSS:")
            step(loss, pred, target)
            peak = max(peak, status("VmHWM:") - before)
        peaks[name] = peak
    return peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the results here for the .NET report")
    parser.add_argument("--memory", action="store_true", help="measure peak memory only, print JSON (child process)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum measuring time per loss")
    parser.add_argument("--repeats", type=int, default=9, help="minimum measured steps per loss")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    if args.memory:
        print(json.dumps(peak_memory()))
        return

    results = []
    for name, kind, loss in CASES:
        pred, target = inputs(kind)
        median = median_ms(loss, pred, target, warmup=3, min_seconds=args.seconds, min_repeats=args.repeats)
        cpu = cpu_ms(loss, pred, target, repeats=15)
        results.append({"case": name, "median_ms": median, "cpu_ms": cpu})
        print(f"{name:28s} {median:9.2f} ms   {cpu:9.2f} ms CPU on one thread", flush=True)

    if args.json:
        child = subprocess.run([sys.executable, os.path.abspath(__file__), "--memory", "--threads", str(args.threads)],
                               check=True, capture_output=True, text=True)
        peaks = json.loads(child.stdout)
        for result in results:
            result["peak_bytes"] = peaks[result["case"]]
        with open(args.json, "w") as f:
            json.dump({"torch_version": torch.__version__, "threads": torch.get_num_threads(), "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
