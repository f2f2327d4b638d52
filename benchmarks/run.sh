#!/usr/bin/env bash
# Runs every benchmark (PyTorch eager, then the .NET suite) and rewrites docs/performance.md's results section and
# docs/images/performance*.png. Takes 4 to 11 minutes on the 2-core machine, with its load; see docs/performance.md.
#   benchmarks/run.sh                      # everything
#   benchmarks/run.sh --iterations 5       # extra arguments go to the .NET suite (--cases "focal + dice;lovasz_hinge")
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
started=$(date +%s)

if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
    apt-get update && apt-get install -y python3-torch
fi

project="$repo/benchmarks/LossDsl.Benchmarks"
artifacts="$project/BenchmarkDotNet.Artifacts"
mkdir -p "$artifacts"
dotnet build "$project" -c Release

/usr/bin/python3 "$repo/benchmarks/pytorch/bench.py" --json "$artifacts/pytorch.json"

cd "$project"
dotnet "bin/Release/net10.0/LossDsl.Benchmarks.dll" --all --pytorch "$artifacts/pytorch.json" --repo "$repo" --started "$started" "$@"
