#!/usr/bin/env bash
# The oneDNN fault of docs/packaging.md, level by level: `lossdsl doctor`'s convolution gradient self-check (a small
# conv net, float32 against float64) with oneDNN capped at each instruction-set level this CPU has, on 1 and 2 threads.
# Each run is a process of its own, because oneDNN reads ONEDNN_MAX_CPU_ISA once. A value set here is the user's, so
# the fix-up leaves it as it is; DEFAULT is oneDNN with no cap.
# Usage: scripts/onednn-isa-levels.sh [level ...]   (default: DEFAULT AVX512_CORE_BF16 AVX512_CORE_VNNI AVX512_CORE AVX2_VNNI AVX2)
set -euo pipefail
cd "$(dirname "$0")/.."
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(DEFAULT AVX512_CORE_BF16 AVX512_CORE_VNNI AVX512_CORE AVX2_VNNI AVX2)

dotnet build src/LossDsl.Cli -c Release -nologo -v q >/dev/null
lossdsl=src/LossDsl.Cli/bin/Release/net10.0/lossdsl
"$lossdsl" doctor --no-self-check 2>/dev/null | grep -E '^(TorchSharp|CPU|ISA) '

for level in "${levels[@]}"; do
    for threads in 1 2; do
        # Exit code 3 is a wrong gradient, which is what this looks for; anything else non-zero is a failure.
        line=$(ONEDNN_MAX_CPU_ISA="$level" "$lossdsl" doctor --threads "$threads" 2>/dev/null | grep '^Self-check' || true)
        printf '%-18s %s thread(s): %s\n' "$level" "$threads" "${line#*training steps: }"
    done
done
