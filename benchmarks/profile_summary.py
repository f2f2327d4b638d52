#!/usr/bin/python3
"""Groups `perf report --sort dso,symbol --stdio` lines (read from stdin) by the kind of work, largest first."""
import re
import sys

# First match wins: ATen kernels by name, then the rest of libtorch, the kernel, the .NET runtime and JIT'd code.
GROUPS = [
    ("log_sigmoid (forward and backward)", r"log_sigmoid"),
    ("sigmoid (forward and backward)", r"sigmoid"),
    ("binary_cross_entropy_with_logits / softplus", r"binary_cross_entropy|softplus"),
    ("pow", r"pow_"),
    ("exp / log (Sleef)", r"Sleef_"),
    ("mul", r"mul_kernel"),
    ("add / sub / rsub / neg", r"add_kernel|sub_kernel|rsub|neg_kernel|add_clamp"),
    ("div", r"div_"),
    ("clamp / where / comparisons", r"clamp|where_kernel|threshold|(eq|ne|lt|gt|le|ge)_kernel"),
    ("sum / mean / dot (reductions)", r"reduce|sum_kernel|mean_kernel|dot|cascade_sum|sdot|binary_kernel_reduce"),
    ("convolution", r"conv|mkldnn|dnnl|im2col|col2im|gemm|sgemm"),
    ("max_pool", r"max_pool|pool"),
    ("sort / cumsum / gather", r"sort|cumsum|gather|scatter|index"),
    ("copy / fill (new tensors, type conversions)", r"copy_|fill|memset|memcpy|memmove"),
    ("OpenMP (libgomp)", r"libgomp"),
    ("fused CPU passes (LossDsl Kernels/Cpu)", r"LossDsl\.Kernels\.Cpu\."),
    ("page faults, allocation (kernel)", r"\[kernel"),
    ("malloc / free (libc)", r"libc\.so|malloc|free"),
    ("dispatcher, autograd bookkeeping (libtorch)", r"libtorch|libc10"),
    (".NET (TorchSharp interop, JIT'd code, GC)", r"libcoreclr|libclrjit|perf-\d+\.map|\[JIT\]|memfd:doublemapper|\.dll|libSystem|LibTorchSharp|\[unknown\]"),
]

totals = {}
for line in sys.stdin:
    # A dso name may have spaces: perf names JIT'd code "[JIT] tid N".
    match = re.match(r"\s*([\d.]+)%\s+(.+?)\s+\[.\]\s+(.*)", line)
    if not match:
        continue
    percent, dso, symbol = float(match.group(1)), match.group(2), match.group(3)
    text = f"{dso} {symbol}"
    group = next((name for name, pattern in GROUPS if re.search(pattern, text)), "other: " + dso)
    totals[group] = totals.get(group, 0.0) + percent

for name, percent in sorted(totals.items(), key=lambda item: -item[1]):
    if percent >= 0.5:
        print(f"{percent:6.1f}%  {name}")
