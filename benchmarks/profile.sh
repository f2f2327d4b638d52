#!/usr/bin/env bash
# CPU profile of one benchmark variant's forward + backward, on one torch thread (the work itself, without OpenMP's
# waiting), grouped by kind of kernel. Needs perf (Debian: linux-perf) and a Release build (benchmarks/run.sh builds it).
#   benchmarks/profile.sh "focal + dice" Generated [SECONDS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$(mktemp /tmp/lossdsl-perf.XXXXXX)"
cd "$here/LossDsl.Benchmarks"
# The perf map names JIT'd methods (the fused passes among them); with W^X on, .NET maps its code through memfd and
# perf cannot tie samples to the map.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 \
    perf record -F 999 -o "$data" -- dotnet bin/Release/net10.0/LossDsl.Benchmarks.dll --loop "$1" "$2" "${3:-10}" 1
perf report -i "$data" --no-children --sort dso,symbol --stdio 2>/dev/null | /usr/bin/python3 "$here/profile_summary.py"
rm -f "$data"
