#!/usr/bin/env bash
# The long memory soak of docs/performance.md: forward and backward of three generated losses, 2,000 measured steps
# each (the CI test, tests/LossDsl.Tests/Runtime/SoakTests.cs, runs 200), printing native and resident memory growth.
# Usage: scripts/soak.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-2000}"

echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB"
echo "dotnet:  $(dotnet --version)"
echo "steps:   $steps per loss, after 300 warm-up steps"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
LOSSDSL_SOAK_STEPS="$steps" dotnet test tests/LossDsl.Tests --filter "FullyQualifiedName~LossDsl.Tests.Runtime.SoakTests" \
    --logger "console;verbosity=detailed" >"$log" 2>&1 || status=$?
# Each test prints one line per loss (twice when it fails: as output and in the message).
grep -E '^ *soak:' "$log" | sed 's/^ *//' | sort -u
grep -E '^(Passed|Failed)!|^ *(Passed|Failed) ' "$log" | sed 's/^ *//' | sort -u
exit "$status"
